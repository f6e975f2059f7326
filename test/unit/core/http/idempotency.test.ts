import { expect } from 'chai';
import type { AppError } from '../../../../core/errors.js';
import { parseIdempotencyKey, requestFingerprint } from '../../../../core/http/idempotency.js';
import type { HttpRequest } from '../../../../core/http/types.js';

function refusal(values: string[]): { status: number; code: string; fields: unknown } {
  try {
    parseIdempotencyKey(values);
  } catch (err) {
    const e = err as AppError;
    return { status: e.status, code: e.code, fields: e.fields };
  }
  throw new Error(`expected ${JSON.stringify(values)} to be refused`);
}

describe('Idempotency-Key: the header', () => {
  const UUID = '8e03978e-40d5-43e8-bc93-6894a57f9324';

  it('takes the draft\'s sf-string and Stripe\'s unquoted key as the same key', () => {
    expect(parseIdempotencyKey([`"${UUID}"`])).to.equal(UUID);
    expect(parseIdempotencyKey([UUID])).to.equal(UUID);
    expect(parseIdempotencyKey([` \t"${UUID}" `]), 'optional white space around the value').to.equal(UUID);
  });

  it('unescapes \\" and \\\\ in a quoted key; an unquoted key is taken as sent, spaces and quotes inside included', () => {
    expect(parseIdempotencyKey(['"a\\"b\\\\c"'])).to.equal('a"b\\c');
    expect(parseIdempotencyKey(['" x "'])).to.equal(' x ');
    expect(parseIdempotencyKey(['key with "quotes" inside'])).to.equal('key with "quotes" inside');
    expect(parseIdempotencyKey(['a, b']), 'one header whose value holds a comma').to.equal('a, b');
  });

  it('takes 1 to 255 characters, in both forms', () => {
    expect(parseIdempotencyKey(['k'])).to.equal('k');
    expect(parseIdempotencyKey(['x'.repeat(255)])).to.have.length(255);
    expect(parseIdempotencyKey([`"${'x'.repeat(255)}"`])).to.have.length(255);
    expect(parseIdempotencyKey([`"${'\\"'.repeat(255)}"`]), '255 escaped quotes are 255 characters').to.equal('"'.repeat(255));
  });

  const field = (message: RegExp | string) => (fields: unknown) => {
    const [only, ...rest] = fields as { field: string; message: string }[];
    expect(rest).to.deep.equal([]);
    expect(only!.field).to.equal('Idempotency-Key');
    if (typeof message === 'string') expect(only!.message).to.equal(message);
    else expect(only!.message).to.match(message);
  };

  const refused: Array<[string, string[], RegExp | string]> = [
    ['the header twice', ['a', 'b'], 'is given 2 times; send it once'],
    ['the header twice with one value', ['a', 'a'], 'is given 2 times; send it once'],
    ['empty', [''], /^is empty; send a key of 1 to 255 printable ASCII characters$/],
    ['white space only', ['  '], /^is empty/],
    ['an empty quoted string', ['""'], /^is empty/],
    ['256 characters', ['x'.repeat(256)], 'is 256 characters long; at most 255'],
    ['256 characters quoted', [`"${'x'.repeat(256)}"`], 'is 256 characters long; at most 255'],
    ['beyond ASCII', ['clé'], /^must be printable ASCII/],
    ['beyond ASCII, quoted', ['"clé"'], /^must be printable ASCII/],
    ['a control character', ['a\u0001b'], /^must be printable ASCII/],
    ['DEL', ['a\u007fb'], /^must be printable ASCII/],
    ['a tab inside', ['a\tb'], /^must be printable ASCII/],
    ['no closing quote', ['"abc'], 'has a quoted string without its closing quote'],
    ['an escaped closing quote only', ['"abc\\"'], 'has a quoted string without its closing quote'],
    ['something after the closing quote', ['"abc";x=1'], /^must be one quoted string or one unquoted key/],
    ['two quoted strings', ['"a", "b"'], /^must be one quoted string or one unquoted key/],
    ['a backslash escaping another character', ['"a\\nb"'], /^has a backslash that escapes neither/],
  ];
  for (const [what, values, message] of refused) {
    it(`refuses ${what}: 400 VALIDATION_FAILED naming the header`, () => {
      const r = refusal(values);
      expect([r.status, r.code]).to.deep.equal([400, 'VALIDATION_FAILED']);
      field(message)(r.fields);
    });
  }

  it('binds a key to the method, the path as sent, the content type as sent and the raw body', () => {
    const base: HttpRequest = { method: 'POST', path: '/en/products', query: '', contentType: 'application/json', body: Buffer.from('{"name":"a","price":"1.00"}') };
    const print = requestFingerprint(base);
    expect(print).to.match(/^[0-9a-f]{64}$/);
    expect(requestFingerprint({ ...base, body: Buffer.from(base.body), query: 'x=1' }), 'the same request (the query is not part of a command)').to.equal(print);
    const others: Partial<HttpRequest>[] = [
      { method: 'PUT' },
      { path: '/en/customers' },
      { path: '/en/%70roducts' },
      { contentType: 'application/json; charset=utf-8' },
      { contentType: undefined },
      { body: Buffer.from('{"name":"a","price":"1.0"}') },
      { body: Buffer.from('{"name":"a", "price":"1.00"}') },
    ];
    for (const other of others) expect(requestFingerprint({ ...base, ...other }), JSON.stringify(other)).to.not.equal(print);
    // No two requests meet by moving a separator: the parts are NUL-separated, and none of them holds a NUL.
    expect(requestFingerprint({ ...base, path: '/a', contentType: 'b' })).to.not.equal(requestFingerprint({ ...base, path: '/ab', contentType: '' }));
  });
});

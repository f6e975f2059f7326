import { expect } from 'chai';
import { clip, MAX_FIELD_ERRORS, MAX_QUOTED_LENGTH } from '../../../../core/errorBounds.js';
import { AppError, methodNotAllowed, notFound, validationError } from '../../../../core/errors.js';
import { parseBody, parseQuery } from '../../../../core/http/body.js';
import { errorResponse } from '../../../../core/http/responses.js';
import { Router } from '../../../../core/http/router.js';
import { ROUTES } from '../../../../core/http/routes.js';
import { parsePageRequest } from '../../../../core/pagination.js';
import { refusal } from '../../../support/refusal.js';

// An error answer repeats what the client sent (field names, a path, a header): it must stay small whatever was sent.

const answerOf = (run: () => unknown) => {
  const response = errorResponse(refusal(run));
  return { ...response, json: JSON.parse(response.body) as { error: string; code: string; fields?: { field: string; message: string }[]; more?: number } };
};
const LIMITS = { pageDefaultLimit: 50, pageMaxLimit: 500, listAllCap: 10_000 };

describe('error answers are bounded', () => {
  it('5,000 unknown fields: the first 20 listed, in order, and the other 4,980 counted in `more` and in the message', () => {
    const fields = Array.from({ length: 5_000 }, (_, i) => ({ field: `k${i}`, message: 'is not a known field' }));
    const { body, json } = answerOf(() => { throw validationError(fields); });
    expect(json.fields!.map((f) => f.field)).to.deep.equal(Array.from({ length: MAX_FIELD_ERRORS }, (_, i) => `k${i}`));
    expect(json.more).to.equal(4_980);
    expect(json.error).to.equal(`Invalid field(s): ${Array.from({ length: 20 }, (_, i) => `k${i}`).join(', ')} and 4980 more`);
    expect(body.length).to.be.below(1_500);
  });

  it('exactly 20 field errors: all listed, no `more`; 21: one counted', () => {
    const errors = (n: number) => Array.from({ length: n }, (_, i) => ({ field: `f${i}`, message: 'is not a known field' }));
    const twenty = answerOf(() => { throw validationError(errors(20)); }).json;
    expect(twenty.fields).to.have.length(20);
    expect(twenty).to.not.have.property('more');
    expect(twenty.error).to.not.include('more');
    const one = answerOf(() => { throw validationError(errors(21)); }).json;
    expect(one.fields!.map((f) => f.field)).to.deep.equal(errors(20).map((f) => f.field));
    expect(one.more).to.equal(1);
    expect(one.error).to.match(/, f19 and 1 more$/);
  });

  it('a field name of 40,000 characters is quoted by its first 100 and "…", in the field and in the message', () => {
    const name = `${'n'.repeat(40_000)}`;
    const { body, json } = answerOf(() => { throw validationError([{ field: name, message: 'is not a known field' }]); });
    expect(json.fields).to.deep.equal([{ field: `${'n'.repeat(MAX_QUOTED_LENGTH)}…`, message: 'is not a known field' }]);
    expect(json.error).to.equal(`Invalid field(s): ${'n'.repeat(MAX_QUOTED_LENGTH)}…`);
    expect(body.length).to.be.below(500);
  });

  it('clip never splits a surrogate pair, and leaves text within the bound as it is', () => {
    expect(clip('a😀b', 2)).to.equal('a…');
    expect(clip('a😀b', 3)).to.equal('a😀…');
    expect(clip('abc', 3)).to.equal('abc');
    expect(clip('😀'.repeat(60))).to.equal(`${'😀'.repeat(50)}…`);
  });

  it('every message that quotes the request is bounded: a path, a method, a locale, an id, a header value', () => {
    const router = new Router(ROUTES);
    const long = 'x'.repeat(50_000);
    const cases: Array<[string, () => unknown, RegExp]> = [
      ['unknown route', () => router.match('GET', `/en/${long}`), /^No route for GET \/en\/x+…$/],
      ['unknown method', () => router.match('M'.repeat(5_000), '/en/products/db'), /^M{100}… is not allowed on \/en\/products\/db; use GET, DELETE, PUT$/],
      ['method not allowed on a long path', () => { throw methodNotAllowed('POST', `/en/products/db/${long}`, ['GET']); }, /^POST is not allowed on \/en\/products\/db\/x+…; use GET$/],
      ['unknown id', () => { throw notFound('product', long); }, /^product x{100}… not found$/],
      ['content type', () => parseBody(`application/${long}`, Buffer.from('x')), /^Unsupported content type "application\/x+…": send/],
      ['charset', () => parseBody(`application/json; charset=${long}`, Buffer.from('{}')), /^Unsupported charset "x{100}…": send UTF-8$/],
    ];
    for (const [title, run, message] of cases) {
      const { body, json } = answerOf(run);
      expect(json.error, title).to.match(message);
      expect(body.length, title).to.be.below(800);
    }
    const locale = ROUTES.find((r) => r.pattern === '/:locale/products/db')!;
    const refused = answerOf(() => locale.handler({} as never, { locale: long }, {} as never)).json;
    expect(refused.error).to.match(/^Unknown locale "x{100}…"; use en$/);
  });

  it('a query string of 5,000 unknown parameters, and a form of 5,000 names given twice: 20 listed, the rest counted', () => {
    const query = Array.from({ length: 5_000 }, (_, i) => `p${i}=1`).join('&');
    const page = answerOf(() => parsePageRequest(parseQuery(query), LIMITS));
    expect(page.json.fields!.map((f) => f.field)).to.deep.equal(Array.from({ length: 20 }, (_, i) => `p${i}`));
    expect(page.json.more).to.equal(4_980);
    expect(page.body.length).to.be.below(2_500);
    const names = Array.from({ length: 3_000 }, (_, i) => `p${i}=1`).join('&'); // twice within 64 KiB
    const twice = answerOf(() => parseBody('application/x-www-form-urlencoded', Buffer.from(`${names}&${names}`)));
    expect(twice.json.fields![0]).to.deep.equal({ field: 'p0', message: 'is given more than once' });
    expect(twice.json.more).to.equal(2_980);
    expect(twice.body.length).to.be.below(2_500);
  });

  it('a message of any length is cut, and an error without fields still has none', () => {
    const { json } = answerOf(() => { throw new AppError('CONFLICT', 'c'.repeat(10_000)); });
    expect(json.error).to.have.length(401);
    expect(json).to.not.have.property('fields');
    expect(json).to.not.have.property('more');
  });
});

import { expect } from 'chai';
import { z } from 'zod';
import { JsonNumber } from '../../../core/JsonNumber.js';
import { characterCount, money, text, timestamp, validate, wholeNumber } from '../../../core/validation.js';
import { refusal } from '../../support/refusal.js';


const fieldsOf = (run: () => unknown) => refusal(run).fields;

describe('validation', () => {
  describe('timestamp(): Unix seconds or a real ISO 8601 calendar instant, 1970 to 2999', () => {
    const schema = z.strictObject({ created_at: timestamp() });
    const parse = (value: unknown) => (validate(schema, { created_at: value }) as { created_at: Date }).created_at.toISOString();
    const refused = (value: unknown) => {
      const error = refusal(() => parse(value));
      expect(error.code, JSON.stringify(value)).to.equal('VALIDATION_FAILED');
      expect(error.fields.map((f) => f.field), JSON.stringify(value)).to.deep.equal(['created_at']);
      return error.fields[0]!.message;
    };

    it('accepts digits-only Unix seconds, as a string or a number, and trims white space around them', () => {
      expect(parse('1764000000')).to.equal('2025-11-24T16:00:00.000Z');
      expect(parse(1764000000)).to.equal('2025-11-24T16:00:00.000Z');
      expect(parse(' 1764000000\r\n')).to.equal('2025-11-24T16:00:00.000Z');
      expect(parse(0)).to.equal('1970-01-01T00:00:00.000Z');
      expect(parse('32472144000')).to.equal('2999-01-01T00:00:00.000Z');
    });

    it('accepts ISO 8601 dates and date-times: no offset is UTC, an offset is applied', () => {
      expect(parse('2024-02-29')).to.equal('2024-02-29T00:00:00.000Z');
      expect(parse('2026-11-25T16:46')).to.equal('2026-11-25T16:46:00.000Z');
      expect(parse('2026-11-25T16:46:13Z')).to.equal('2026-11-25T16:46:13.000Z');
      expect(parse('2026-11-25T16:46:13.123456789Z')).to.equal('2026-11-25T16:46:13.123Z');
      expect(parse('2026-02-28T23:30:00-01:00')).to.equal('2026-03-01T00:30:00.000Z');
      expect(parse('2026-01-01T00:30:00+01:00')).to.equal('2025-12-31T23:30:00.000Z');
      expect(parse('\ufeff2026-11-25 ')).to.equal('2026-11-25T00:00:00.000Z');
    });

    it('refuses a sign, a fraction, an exponent and what is neither form (the issue\'s -1 was read as 2001-01-01)', () => {
      for (const value of [-1, '-1', '+1764000000', 1.5, '1.5', 1e21, '1e9', '', 'yesterday', '2026-1-1', '2026-01-01 10:00:00', '2026-0101', 'Thu, 01 Jan 2026 00:00:00 GMT',
        '2026-01-01T10:00:00+0100', '2026-01-01T10', '1234567890123', true, null, {}]) {
        expect(refused(value), JSON.stringify(value)).to.match(/^must be a Unix timestamp in seconds or an ISO 8601 date/);
      }
    });

    it('refuses dates and times that do not exist instead of rolling them over (2026-02-30 was stored as 2026-03-02)', () => {
      for (const value of ['2026-02-30', '2026-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-01-00', '2026-01-01T24:00',
        '2026-01-01T24:61', '2026-01-01T23:60', '2026-01-01T23:59:60Z', '2026-01-01T10:00:00+24:00', '2026-01-01T10:00:00+01:60']) {
        expect(refused(value), value).to.equal('must be a real calendar date and time (e.g. no February 30, no hour 24)');
      }
    });

    it('refuses instants outside 1970-01-01 to 2999-01-01', () => {
      for (const value of ['1969-12-31T23:59:59Z', '1970-01-01T00:30:00+01:00', '2999-01-01T00:00:01Z', '0050-01-01', '9999-12-31', '32472144001']) {
        expect(refused(value), value).to.equal('must be a timestamp from 1970-01-01T00:00:00Z to 2999-01-01T00:00:00Z');
      }
    });
  });

  describe('number fields read a JSON number as written, by the rule of the same digits in a string', () => {
    const schema = z.strictObject({ price: money(100_000_000).optional(), id: wholeNumber(1, 4_294_967_295).optional(), at: timestamp().optional() });
    /** The outcome for `field` given `written`: the value taken, or the field's message. */
    const outcome = (field: 'price' | 'id' | 'at', written: string | JsonNumber): unknown => {
      try {
        const value = (validate(schema, { [field]: written }) as Record<string, unknown>)[field];
        return value instanceof Date ? value.toISOString() : value;
      } catch (err) {
        return (err as { fields: { message: string }[] }).fields.map((f) => f.message).join('; ');
      }
    };

    it('the issue\'s 1.999999999999999999 is refused as a price, as a number and as a string alike (was rounded to 2.00)', () => {
      const message = 'must be a decimal amount with at most 2 decimals, such as "99.99"';
      expect(outcome('price', new JsonNumber('1.999999999999999999'))).to.equal(message);
      expect(outcome('price', '1.999999999999999999')).to.equal(message);
      expect(outcome('price', new JsonNumber('1.005'))).to.equal(message);
    });

    it('an id of 1.0000000000000001 is refused, not read as 1; a sign says the bound it breaks', () => {
      expect(outcome('id', new JsonNumber('1.0000000000000001'))).to.equal('must be a whole number');
      expect(outcome('id', new JsonNumber('-1'))).to.equal('must be at least 1');
      expect(outcome('id', '-1')).to.equal('must be at least 1');
    });

    it('every text gives the same outcome as a JSON number and as a string, for each number field', () => {
      const texts = ['0', '1', '2', '99.99', '99.9', '1.50', '1.0', '1.00', '1.005', '1.999999999999999999', '1.0000000000000001', '1e2', '1E2',
        '-0', '-1', '-1.5', '0.1', '1000000.00', '1000000.01', '4294967295', '4294967296', '12345678901234567890', '1764000000',
        '1764000000.0000001', '32472144000', '32472144001'];
      for (const field of ['price', 'id', 'at'] as const) {
        for (const text of texts) expect(outcome(field, new JsonNumber(text)), `${field} ${text}`).to.deep.equal(outcome(field, text));
      }
      // And what is taken is what the digits say.
      expect([outcome('price', new JsonNumber('1.50')), outcome('id', new JsonNumber('4294967295')), outcome('at', new JsonNumber('1764000000'))])
        .to.deep.equal([150, 4_294_967_295, '2025-11-24T16:00:00.000Z']);
    });

    it('a JSON number where text is expected is still not a string', () => {
      expect(fieldsOf(() => validate(z.strictObject({ name: text(5) }), { name: new JsonNumber('12') }))).to.deep.equal([{ field: 'name', message: 'must be a string' }]);
    });
  });

  describe('text(): trimmed, limited in characters (code points, as MySQL counts)', () => {
    const schema = z.strictObject({ name: text(5) });
    const parse = (name: unknown) => (validate(schema, { name }) as { name: string }).name;

    it('trims exactly String#trim\'s white space and line terminators (U+FEFF and NBSP among them), nothing inside', () => {
      expect(parse(' \t\r\n\v\f\u00a0\ufeff\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000a \r\nb\u3000\ufeff\n')).to.equal('a \r\nb');
      expect(parse('\u200bx\u200b'), 'a zero-width space is not white space').to.equal('\u200bx\u200b');
      expect(parse('\u0085x'), 'nor is NEL').to.equal('\u0085x');
    });

    it('counts an emoji as one character: 5 fit, 6 do not; combining marks count on their own', () => {
      expect(parse('😀😀😀😀😀')).to.equal('😀😀😀😀😀');
      expect(fieldsOf(() => parse('😀😀😀😀😀😀'))).to.deep.equal([{ field: 'name', message: 'must be at most 5 characters' }]);
      expect(parse('e\u0301e\u0301e')).to.have.length(5);
      expect(fieldsOf(() => parse('e\u0301e\u0301e\u0301'))).to.deep.equal([{ field: 'name', message: 'must be at most 5 characters' }]);
      expect(fieldsOf(() => parse(' \ufeff '))).to.deep.equal([{ field: 'name', message: 'must not be empty' }]);
    });

    it('characterCount counts code points', () => {
      expect([characterCount(''), characterCount('abc'), characterCount('😀'), characterCount('a😀b𝄞'), characterCount('👨‍👩‍👧')]).to.deep.equal([0, 3, 1, 4, 5]);
    });
  });

  describe('validate(): text that is not well-formed Unicode is refused wherever it is', () => {
    const schema = z.strictObject({
      name: text(50).optional(),
      items: z.array(z.strictObject({ product_id: wholeNumber(1, 10), note: text(10).optional() })).optional(),
    });

    it('a lone surrogate in a value at any depth, and in a field name, each named', () => {
      const input = JSON.parse('{"name":"x\\ud800y","items":[{"product_id":1,"note":"ok"},{"product_id":"\\udc00","note":"a\\ud83d"}],"extra":{"deep":[["\\udfff"]]},"k\\ud800":1}');
      expect(fieldsOf(() => validate(schema, input))).to.deep.equal([
        { field: 'name', message: 'must be valid Unicode (it holds a lone surrogate)' },
        { field: 'k\ud800', message: 'is a field name that is not valid Unicode (it holds a lone surrogate)' },
        { field: 'items[1].product_id', message: 'must be valid Unicode (it holds a lone surrogate)' },
        { field: 'items[1].note', message: 'must be valid Unicode (it holds a lone surrogate)' },
        { field: 'extra.deep[0][0]', message: 'must be valid Unicode (it holds a lone surrogate)' },
      ]);
    });

    it('a surrogate pair is well-formed; a reversed pair is two lone surrogates', () => {
      expect(validate(schema, { name: '\ud83d\ude00' })).to.deep.equal({ name: '😀' });
      expect(fieldsOf(() => validate(schema, { name: '\ude00\ud83d' }))).to.deep.equal([{ field: 'name', message: 'must be valid Unicode (it holds a lone surrogate)' }]);
    });

    it('a body nested 100,000 deep is walked without exhausting the stack', () => {
      let deep: unknown = '\ud800';
      for (let i = 0; i < 100_000; i++) deep = [deep];
      const fields = fieldsOf(() => validate(schema, { extra: deep }));
      expect(fields).to.have.length(1);
      expect(fields[0]!.field).to.equal(`extra${'[0]'.repeat(100_000)}`);
    });

    it('fields of a form body (an object without a prototype) are all own fields: __proto__ and constructor are unknown', () => {
      const body = Object.create(null) as Record<string, string>;
      for (const [key, value] of [['__proto__', 'x'], ['constructor', 'y'], ['name', 'P']] as const) body[key] = value;
      expect(fieldsOf(() => validate(schema, body))).to.deep.equal([
        { field: '__proto__', message: 'is not a known field' },
        { field: 'constructor', message: 'is not a known field' },
      ]);
    });
  });
});

import { expect } from 'chai';
import { checkQueryEncoding, parseBody, parseQuery } from '../../../../core/http/body.js';
import { Router } from '../../../../core/http/router.js';
import { ROUTES } from '../../../../core/http/routes.js';
import { refusal } from '../../../support/refusal.js';


const FORM = 'application/x-www-form-urlencoded';
const form = (body: string | Buffer) => parseBody(FORM, Buffer.from(body)) as Record<string, string>;
const NOT_UTF8 = 'is not valid UTF-8 once percent-decoded';

describe('request bodies and query strings', () => {
  describe('urlencoded (form bodies and query strings alike)', () => {
    it('every name is an own field of an object without a prototype: __proto__, constructor, prototype are plain names', () => {
      for (const parse of [form, parseQuery]) {
        const fields = parse('__proto__=x&constructor=y&prototype=z&hasOwnProperty=w&name=P');
        expect(Object.getPrototypeOf(fields)).to.equal(null);
        expect(Object.keys(fields)).to.deep.equal(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'name']);
        expect(JSON.stringify(fields)).to.equal('{"__proto__":"x","constructor":"y","prototype":"z","hasOwnProperty":"w","name":"P"}');
        expect(({} as Record<string, unknown>).x, 'Object.prototype untouched').to.equal(undefined);
      }
    });

    it('decodes as the WHATWG parser does: + is a space, %2B a plus, a % without two hex digits stays, empty pairs are skipped', () => {
      expect(form('name=a+b%2Bc&price=100%&x=%4&y=%zz&&flag')).to.deep.equal({ name: 'a b+c', price: '100%', x: '%4', y: '%zz', flag: '' });
      expect(parseQuery('q=%F0%9F%98%80%C3%A9%E2%82%AC')).to.deep.equal({ q: '😀é€' });
      expect(parseQuery('')).to.deep.equal({});
      expect(form('%EF%BB%BFname=x'), 'an escaped BOM is content').to.deep.equal({ '\ufeffname': 'x' });
    });

    it('refuses a name given twice', () => {
      for (const parse of [form, parseQuery]) {
        const error = refusal(() => parse('limit=1&limit=2'));
        expect([error.code, error.fields]).to.deep.equal(['VALIDATION_FAILED', [{ field: 'limit', message: 'is given more than once' }]]);
      }
    });

    it('refuses escapes that are not UTF-8 (URLSearchParams would give U+FFFD), naming the field', () => {
      for (const escaped of ['%FF', '%C3', '%C3%28', '%ED%A0%80', '%ED%BF%BF', '%C0%AF', '%F4%90%80%80', 'ok%E2%82']) {
        for (const parse of [form, parseQuery]) {
          const error = refusal(() => parse(`a=1&name=${escaped}`));
          expect([error.code, error.fields], escaped).to.deep.equal(['VALIDATION_FAILED', [{ field: 'name', message: NOT_UTF8 }]]);
        }
      }
      expect(refusal(() => parseQuery('%FFx=1')).fields).to.deep.equal([{ field: '%FFx', message: 'has a name that is not valid UTF-8 once percent-decoded' }]);
    });

    it('a query string holding a lone surrogate (as an adapter might hand it) is refused, not re-encoded as U+FFFD', () => {
      expect(refusal(() => parseQuery('limit=\ud800')).fields).to.deep.equal([{ field: 'limit', message: NOT_UTF8 }]);
    });
  });

  describe('bodies', () => {
    it('raw bytes that are not UTF-8 are a MALFORMED_BODY naming body, for JSON and forms', () => {
      for (const [type, bytes] of [
        ['application/json', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])],
        ['application/json', Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22])],
        [FORM, Buffer.from([0x6e, 0x3d, 0xc3])],
        [undefined, Buffer.from([0x6e, 0x3d, 0x80])],
      ] as const) {
        const error = refusal(() => parseBody(type, bytes));
        expect([error.code, error.status, error.fields]).to.deep.equal(['MALFORMED_BODY', 400, [{ field: 'body', message: 'is not valid UTF-8' }]]);
      }
    });

    it('UTF-8 text, 4-byte characters included, is read as sent', () => {
      expect(parseBody('application/json', Buffer.from('{"name":"😀 é\\u0000"}'))).to.deep.equal({ name: '😀 é\u0000' });
      expect(form(Buffer.from('name=😀 é'))).to.deep.equal({ name: '😀 é' });
    });

    it('JSON keeps __proto__ as an own field too (JSON.parse defines it)', () => {
      const body = parseBody('application/json', Buffer.from('{"__proto__":{"polluted":1}}')) as Record<string, unknown>;
      expect(Object.keys(body)).to.deep.equal(['__proto__']);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });
  });
});

describe('bodies: a declared charset, and JSON names given twice', () => {
  const body = Buffer.from('{"name":"P","price":"1.00"}');

  it('reads UTF-8 whether declared or not, and refuses any other declared charset with a 415', () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"', 'application/json; CHARSET=utf8']) {
      expect(parseBody(type, body), type).to.deep.equal({ name: 'P', price: '1.00' });
    }
    for (const type of ['application/json; charset=latin1', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded; charset=iso-8859-1']) {
      const error = refusal(() => parseBody(type, body));
      expect(error.code, type).to.equal('UNSUPPORTED_MEDIA_TYPE');
      expect(error.fields, type).to.deep.equal([{ field: 'content-type', message: 'charset must be utf-8 (or absent)' }]);
    }
  });

  it('refuses a JSON name given twice, naming it where it is', () => {
    const error = refusal(() => parseBody('application/json', Buffer.from('{"customer_id":1,"items":[{"product_id":1,"quantity":1,"quantity":2}]}')));
    expect(error.code).to.equal('VALIDATION_FAILED');
    expect(error.fields).to.deep.equal([{ field: 'items[0].quantity', message: 'is given more than once' }]);
  });
});

describe('query strings of routes that read none', () => {
  it('lets any well-formed query through, and refuses escapes that are not UTF-8', () => {
    for (const query of ['x=1', 'x=1&x=2', 'a', '=', 'q=%C3%A9', 'q=%zz', '&&']) expect(() => checkQueryEncoding(query), query).to.not.throw();
    for (const query of ['x=%FF', '%ED%A0%80=1', 'q=%C0%AF', 'a=1&b=%E0%A4']) {
      expect(refusal(() => checkQueryEncoding(query)).fields, query).to.deep.equal([{ field: 'query', message: 'is not valid UTF-8 once percent-decoded' }]);
    }
  });
});

describe('Router: a path no route matches', () => {
  const router = new Router(ROUTES);

  it('is a 404 when well-formed, and a 400 naming the path when malformed in any segment', () => {
    expect(refusal(() => router.match('GET', '/en/nothing/db/1')).code).to.equal('NOT_FOUND');
    expect(refusal(() => router.match('GET', '/en/PRODUCTS/db/1')).code).to.equal('NOT_FOUND');
    for (const path of ['/en/%/db/1', '/en/product%C0%AFs/db', '/en/products/%ZZ/1', '/en/ord%FFers', '/en/pro\x7fducts/db/1', '/en/pro ducts']) {
      const error = refusal(() => router.match('GET', path));
      expect(error.code, path).to.equal('VALIDATION_FAILED');
      expect(error.fields[0]!.field, path).to.equal('path');
    }
  });
});

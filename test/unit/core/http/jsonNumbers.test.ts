import { expect } from 'chai';
import { JsonNumber } from '../../../../core/JsonNumber.js';
import { parseBody } from '../../../../core/http/body.js';
import { withNumberTexts } from '../../../../core/http/jsonNumbers.js';

const read = (text: string) => withNumberTexts(JSON.parse(text), text);
const n = (text: string) => new JsonNumber(text);

describe('withNumberTexts: every number of a JSON body as it was written', () => {
  it('keeps the text JSON.parse rounds or rewrites: 18 decimals, 1.0, an exponent, -0, more digits than a double holds', () => {
    expect(read('{"a":1.999999999999999999,"b":1.0,"c":1e2,"d":-0,"e":12345678901234567890,"f":99.99,"g":-1.5E-3}')).to.deep.equal({
      a: n('1.999999999999999999'), b: n('1.0'), c: n('1e2'), d: n('-0'), e: n('12345678901234567890'), f: n('99.99'), g: n('-1.5E-3'),
    });
  });

  it('at any depth, in arrays and objects, with white space around; strings, booleans and null untouched', () => {
    expect(read(' { "items" : [ { "product_id" : 1.0000000000000001 , "quantity" : 2 } , 3 , [ 4 , { "x" : [ 5 ] } ] ] , "s" : "1.5" , "t" : true , "u" : null , "v" : -7 } ')).to.deep.equal({
      items: [{ product_id: n('1.0000000000000001'), quantity: n('2') }, n('3'), [n('4'), { x: [n('5')] }]], s: '1.5', t: true, u: null, v: n('-7'),
    });
  });

  it('digits inside strings and names, and escaped quotes and commas in them, do not move it', () => {
    expect(read('{"1,2":"3,[4]","a\\"b,":[1,"2,3",{"c}":4}],"d":5}')).to.deep.equal({ '1,2': '3,[4]', 'a"b,': [n('1'), '2,3', { 'c}': n('4') }], d: n('5') });
    expect(read('{"n\\u0061me":1}')).to.deep.equal({ name: n('1') });
  });

  it('a field named __proto__ stays an own field holding the number (no prototype is set)', () => {
    const value = read('{"__proto__":1.5,"constructor":{"__proto__":2}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).to.equal(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).to.deep.equal(n('1.5'));
    expect(Object.getOwnPropertyDescriptor(value.constructor as object, '__proto__')?.value).to.deep.equal(n('2'));
  });

  it('a number at the top is left as it is; a 20,000-deep array is walked without recursion', () => {
    expect(read('1.0')).to.equal(1);
    let deep = read(`${'['.repeat(20_000)}7${']'.repeat(20_000)}`);
    for (let i = 0; i < 20_000; i++) deep = (deep as unknown[])[0];
    expect(deep).to.deep.equal(n('7'));
  });

  it('parseBody gives JSON bodies so, and forms as strings (they have no numbers)', () => {
    expect(parseBody('application/json', Buffer.from('{"price":1.10}'))).to.deep.equal({ price: n('1.10') });
    expect(parseBody('application/x-www-form-urlencoded', Buffer.from('{"price":1.10}')), 'JSON sent as a form').to.deep.equal({ price: n('1.10') });
    expect({ ...(parseBody('application/x-www-form-urlencoded', Buffer.from('price=1.10')) as object) }).to.deep.equal({ price: '1.10' });
  });
});

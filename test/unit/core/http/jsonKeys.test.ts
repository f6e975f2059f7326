import { expect } from 'chai';
import { duplicateKeyPath } from '../../../../core/http/jsonKeys.js';

describe('duplicateKeyPath: a JSON name given twice in one object', () => {
  it('finds it at the top, nested, and inside arrays, with its path', () => {
    expect(duplicateKeyPath('{"name":"a","price":"1","name":"b"}')).to.equal('name');
    expect(duplicateKeyPath('{"a":{"b":1,"c":{"d":1},"b":2}}')).to.equal('a.b');
    expect(duplicateKeyPath('{"items":[{"q":1},{"q":1,"p":2,"q":3}]}')).to.equal('items[1].q');
    expect(duplicateKeyPath('[[1],{"x":1,"x":1}]')).to.equal('[1].x');
  });

  it('compares names as JSON reads them: escapes decoded', () => {
    expect(duplicateKeyPath('{"name":1,"n\\u0061me":2}')).to.equal('name');
    expect(duplicateKeyPath('{"a\\"b":1,"a\\\\b":2}')).to.equal(undefined);
  });

  it('finds none where equal names are in different objects, or where a value only looks like a name', () => {
    expect(duplicateKeyPath('{"a":{"x":1},"b":{"x":1}}')).to.equal(undefined);
    expect(duplicateKeyPath('{"items":[{"q":1},{"q":2}]}')).to.equal(undefined);
    expect(duplicateKeyPath('{"a":"a","b":["a","a"],"c":"{\\"a\\":1,\\"a\\":2}"}')).to.equal(undefined);
    expect(duplicateKeyPath('[]')).to.equal(undefined);
    expect(duplicateKeyPath('"x"')).to.equal(undefined);
    expect(duplicateKeyPath(' { } ')).to.equal(undefined);
  });
});

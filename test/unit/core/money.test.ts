import { expect } from 'chai';
import { formatMoney, parseMoney } from '../../../core/money.js';

describe('money', () => {
  it('parses decimal strings and numbers into cents without float error', () => {
    expect(parseMoney('99.99')).to.equal(9999);
    expect(parseMoney('0.1')).to.equal(10);
    expect(parseMoney('100')).to.equal(10000);
    expect(parseMoney(19.99)).to.equal(1999);
    expect(parseMoney(' 5.05 ')).to.equal(505);
  });
  it('refuses what is not an amount with at most two decimals', () => {
    for (const bad of ['', 'abc', '1.999', '-1', '1e3', '1,50', '.5', 'NaN']) expect(parseMoney(bad), bad).to.equal(null);
    expect(parseMoney(Number.POSITIVE_INFINITY)).to.equal(null);
  });
  it('formats cents as a decimal string with two decimals', () => {
    expect(formatMoney(9999)).to.equal('99.99');
    expect(formatMoney(5)).to.equal('0.05');
    expect(formatMoney(100000)).to.equal('1000.00');
  });
});

import { expect } from 'chai';
import { recoveryOptions } from '../../../cli/bench-recovery.js';

describe('bench-recovery: its flags', () => {
  it('defaults: uws, 8 readers, 200 gets per entity, 900 s, merged into bench/results/full.json and RESULTS.md', () => {
    expect(recoveryOptions([])).to.deep.equal({ runtimes: ['uws'], readers: 8, gets: 200, timeoutSec: 900, into: 'bench/results/full.json', report: 'RESULTS.md' });
    expect(recoveryOptions(['--runtimes', 'uws,express', '--readers', '16', '--gets', '50']).runtimes).to.deep.equal(['uws', 'express']);
  });

  it('a bad value is refused with the flag named', () => {
    expect(() => recoveryOptions(['--readers', '0'])).to.throw(/--readers: not a whole number above 0: 0/);
    expect(() => recoveryOptions(['--timeout', '1.5'])).to.throw(/--timeout/);
    expect(() => recoveryOptions(['--runtimes', 'uws,php'])).to.throw(/--runtimes: unknown runtime php/);
  });
});

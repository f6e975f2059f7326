import { expect } from 'chai';
import { createRandom } from '../../../../core/seed/random.js';

describe('seeded random', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const seqA = Array.from({ length: 20 }, () => a.int(0, 1_000_000));
    expect(Array.from({ length: 20 }, () => b.int(0, 1_000_000))).to.deep.equal(seqA);
    expect(Array.from({ length: 20 }, () => c.int(0, 1_000_000))).to.not.deep.equal(seqA);
  });
  it('stays in range', () => {
    const r = createRandom(1);
    for (let i = 0; i < 1000; i++) {
      const v = r.int(3, 7);
      expect(v).to.be.within(3, 7);
    }
  });
});

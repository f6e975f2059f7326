import { expect } from 'chai';
import { sqlToIso, toSqlDateTime } from '../../../core/time.js';

describe('time', () => {
  it('turns MySQL DATETIME strings into ISO 8601 UTC and back', () => {
    expect(sqlToIso('2026-11-25 16:46:13')).to.equal('2026-11-25T16:46:13Z');
    expect(toSqlDateTime(new Date('2026-11-25T16:46:13.789Z'))).to.equal('2026-11-25 16:46:13');
  });
});

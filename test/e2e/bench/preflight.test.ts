import { expect } from 'chai';
import { preflight } from '../../../bench/preflight.js';
import { loadScenarios } from '../../../bench/scenarios.js';
import type { Application } from '../../../core/app.js';
import type { LaunchedRuntime } from '../../../runtimes/launcher.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';
import { startRuntime } from '../../support/runtimes.js';

// The bench's check before anything is timed, against a real runtime on the small seeded data set.
describe('preflight (bench/preflight.ts)', function () {
  this.timeout(120_000);
  let app: Application;
  let runtime: LaunchedRuntime;

  before(async function () {
    this.timeout(120_000);
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
    runtime = await startRuntime('express');
  });
  after(async () => {
    await runtime?.stop();
    await app?.close();
  });

  it('finds every entity\'s get and list, from MySQL and from Redis, answering 200 with the right shape', async () => {
    const scenarios = loadScenarios();
    const result = await preflight(new Map([['express', runtime.url]]), scenarios);
    expect(result.problems).to.deep.equal([]);
    expect(result.checked).to.equal(scenarios.entities.length * 2 * 2);
  });

  it('names an entity with no rows', async () => {
    await app.knex('customers').update({ deleted_at: app.knex.fn.now() });
    const result = await preflight(new Map([['express', runtime.url]]), { ...loadScenarios(), entities: ['customers'] });
    expect(result.problems).to.deep.equal(['customers: no rows; seed first (make seed)']);
  });
});

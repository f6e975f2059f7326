import { expect } from 'chai';
import { findFreePort, launchRuntime, type LaunchedRuntime } from '../../../runtimes/launcher.js';
import { floorScript } from '../../../bench/run.js';
import { FLOOR_NAMES, FLOOR_RUNTIME } from '../../../bench/plan.js';
import type { Application } from '../../../core/app.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';
import { startRuntime } from '../../support/runtimes.js';

// A floor must do the same work as the runtime it is the floor of: the same request answers the same bytes.
describe('bench floors answer what the runtimes answer', function () {
  this.timeout(180_000);
  let app: Application;
  let runtime: LaunchedRuntime;
  const floors = new Map<string, LaunchedRuntime>();
  const paths = ['/en/products/projection/7', '/en/products/db/7', '/en/products/projection?limit=50', '/en/products/db?limit=50', '/en/orders/projection/3'];

  before(async function () {
    this.timeout(180_000);
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
    runtime = await startRuntime('uws');
    for (const floor of FLOOR_NAMES) {
      const port = await findFreePort();
      floors.set(floor, await launchRuntime({
        name: FLOOR_RUNTIME[floor], port, script: floorScript(floor),
        env: { FLOOR_PORT: String(port), UWS_WORKERS: '2', FORK_WORKERS: '2' }, logFile: process.env.RUNTIME_LOG ?? '/dev/null',
      }));
    }
  });
  after(async () => {
    await Promise.all([runtime?.stop(), ...[...floors.values()].map((f) => f.stop())]);
    await app?.close();
  });

  for (const floor of FLOOR_NAMES) {
    it(`${floor}: the same status, content type and body as the uws runtime, for gets and pages from both sources`, async () => {
      for (const path of paths) {
        const [expected, actual] = await Promise.all([fetch(`${runtime.url}${path}`), fetch(`${floors.get(floor)!.url}${path}`)]);
        const [expectedBody, actualBody] = await Promise.all([expected.text(), actual.text()]);
        expect(expected.status, path).to.equal(200);
        expect(actual.status, `${floor} ${path}`).to.equal(200);
        expect(actual.headers.get('content-type'), `${floor} ${path}`).to.equal(expected.headers.get('content-type'));
        expect(actualBody, `${floor} ${path}`).to.equal(expectedBody);
      }
    });
  }

  it('a floor answers 404 for an id that does not exist, as the runtime does', async () => {
    const answer = await fetch(`${floors.get('uws')!.url}/en/products/projection/999999`);
    expect(answer.status).to.equal(404);
  });
});

import { expect } from 'chai';
import { selectDriver } from '../../../bench/drivers/index.js';
import { latencySummary } from '../../../bench/drivers/autocannon.js';
import { parseWrkOutput, wrkScript } from '../../../bench/drivers/wrk.js';

// What wrk 4.1 prints with the project's script: its own summary, then the script's result line.
const WRK_OUTPUT = `Running 2s test @ http://127.0.0.1:40123
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.90ms    2.01ms  31.20ms   80.12%
    Req/Sec     6.41k   512.33     7.30k    71.00%
  25640 requests in 2.00s, 7.12MB read
Requests/sec:  12806.51
Transfer/sec:      3.56MB
WRK_RESULT {"requests":25640,"durationUs":2002109,"errors":0,"non2xx":3,"timeouts":1,"p50":3561,"p95":7420,"p99":10810,"max":31200,"mean":3902.5}
`;

describe('load drivers', () => {
  it("reads wrk's figures from the result line: req/s from requests and duration, latencies in ms", () => {
    const result = parseWrkOutput(WRK_OUTPUT);
    expect(result.requests).to.equal(25640);
    expect(result.rps).to.be.closeTo(25640 / 2.002109, 1e-6);
    expect(result.latency).to.deep.equal({ p50: 3.561, p95: 7.42, p99: 10.81, max: 31.2, mean: 3.9025 });
    expect(result).to.include({ errors: 0, non2xx: 3, timeouts: 1 });
  });

  it('refuses wrk output without the result line, showing what wrk printed', () => {
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused')).to.throw(/no result line[\s\S]*Connection refused/);
  });

  it('the wrk script cycles through exactly the scenario paths, quoted for Lua', () => {
    const script = wrkScript(['/en/products/projection/7', '/en/products/projection?limit=50', '/odd"path']);
    expect(script).to.include('"/en/products/projection/7",\n  "/en/products/projection?limit=50",\n  "/odd\\"path"');
    expect(script).to.match(/i = i % #paths \+ 1/);
    expect(script).to.include('latency:percentile(95)');
  });

  it('percentiles of autocannon latencies come from every response time', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100 ms
    expect(latencySummary(samples)).to.deep.equal({ p50: 50, p95: 95, p99: 99, max: 100, mean: 50.5 });
    expect(latencySummary([])).to.deep.equal({ p50: 0, p95: 0, p99: 0, max: 0, mean: 0 });
  });

  it('LOAD_DRIVER chooses the driver and refuses an unknown one', () => {
    expect(selectDriver({ LOAD_DRIVER: 'autocannon' }).name).to.equal('autocannon');
    expect(['autocannon', 'wrk']).to.include(selectDriver({}).name);
    expect(() => selectDriver({ LOAD_DRIVER: 'ab' })).to.throw(/use auto, autocannon or wrk/);
  });
});

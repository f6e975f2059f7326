import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessSampler } from '../ProcessSampler.js';
import { runNonce, type LoadRequest } from '../writes.js';
import type { LoadResult, LoadSpec } from './autocannon.js';

// wrk as the load generator (LOAD_DRIVER=wrk, where it is installed): a C client that goes well past the
// ~40k req/s where autocannon saturates on these machines. Same scenarios, same paths (a Lua script cycles
// through them), same figures (p95 from wrk's own histogram, printed by the script's done()).

/** wrk's version line, or undefined when it is not installed. */
export function wrkVersion(): string | undefined {
  const probe = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  if (probe.error) return undefined;
  return /wrk\s+(\S+)/.exec(`${probe.stdout}${probe.stderr}`)?.[1] ?? 'unknown';
}

/** The Lua script: cycle through the paths; at the end, print the figures as one JSON line. */
export function wrkScript(paths: readonly string[]): string {
  const list = paths.map((p) => JSON.stringify(p)).join(',\n  ');
  return `local paths = {
  ${list}
}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
${WRK_DONE}`;
}

/**
 * The requests of the write and mixed cells as lines of tab-separated fields (method, path, body or empty, then
 * header names and values), which the script reads: tens of thousands of rows to delete exceed what LuaJIT takes
 * as constants in one chunk. JSON bodies and header values hold no tab or line break.
 */
export function wrkRequestLines(requests: readonly LoadRequest[]): string {
  return requests.map((r) => {
    const fields = [r.method, r.path, r.body ?? '', ...Object.entries(r.headers ?? {}).flat()];
    if (fields.some((f) => /[\t\r\n]/.test(f))) throw new Error(`a request field holds a tab or a line break: ${r.method} ${r.path}`);
    return fields.join('\t');
  }).join('\n') + '\n';
}

/**
 * The Lua script of the write and mixed cells: thread t of `threads` starts at the t-th share of the requests and
 * goes on in order (so a delete is sent once, and each thread keeps a mixed cell's one command in ten), with
 * `[<id>]` replaced by `<nonce>-<thread>-<n>`, unique in the run.
 */
export function wrkRequestScript(requestsFile: string, threads: number, nonce = runNonce()): string {
  return `local requests = {}
for line in io.lines(${JSON.stringify(requestsFile)}) do
  local f = {}
  for field in string.gmatch(line .. "\t", "([^\t]*)\t") do f[#f + 1] = field end
  local headers = {}
  for h = 4, #f - 1, 2 do headers[f[h]] = f[h + 1] end
  requests[#requests + 1] = { method = f[1], path = f[2], body = f[3] ~= "" and f[3] or nil, headers = headers }
end
local started = 0
setup = function(thread)
  thread:set("tid", started)
  started = started + 1
end
local i, n = nil, 0
local function unique(text, token)
  return (string.gsub(text, "%[<id>%]", token))
end
request = function()
  if i == nil then i = math.floor(tid * #requests / ${threads}) end
  local r = requests[i % #requests + 1]
  i = i + 1
  n = n + 1
  local token = ${JSON.stringify(nonce)} .. "-" .. tid .. "-" .. n
  local headers = {}
  for name, value in pairs(r.headers) do headers[name] = unique(value, token) end
  return wrk.format(r.method, unique(r.path, token), headers, r.body and unique(r.body, token) or nil)
end
${WRK_DONE}`;
}

const WRK_DONE = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_RESULT {"requests":%d,"durationUs":%d,"errors":%d,"non2xx":%d,"timeouts":%d,"p50":%d,"p95":%d,"p99":%d,"max":%d,"mean":%f}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
`;

interface WrkFigures {
  requests: number;
  durationUs: number;
  errors: number;
  non2xx: number;
  timeouts: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** The figures of a wrk run from its output (latencies in microseconds there, milliseconds here). */
export function parseWrkOutput(output: string): LoadResult {
  const line = /^WRK_RESULT (\{.*\})$/m.exec(output);
  if (!line) throw new Error(`wrk printed no result line:\n${output.slice(-2000)}`);
  const f = JSON.parse(line[1]!) as WrkFigures;
  const durationSec = f.durationUs / 1e6;
  const ms = (us: number) => us / 1000;
  return {
    rps: durationSec > 0 ? f.requests / durationSec : 0,
    latency: { p50: ms(f.p50), p95: ms(f.p95), p99: ms(f.p99), max: ms(f.max), mean: ms(f.mean) },
    requests: f.requests,
    errors: f.errors,
    non2xx: f.non2xx,
    timeouts: f.timeouts,
    durationSec,
  };
}

/** One wrk run as a child process; its CPU is sampled like the server's. */
export async function runWrk(spec: LoadSpec): Promise<LoadResult & { driverCpuPct: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'cqrs-bench-wrk-'));
  const script = join(dir, 'paths.lua');
  const threads = Math.max(1, Math.min(availableParallelism(), spec.connections));
  if (spec.requests) {
    const requestsFile = join(dir, 'requests.tsv');
    writeFileSync(requestsFile, wrkRequestLines(spec.requests));
    writeFileSync(script, wrkRequestScript(requestsFile, threads));
  } else writeFileSync(script, wrkScript(spec.paths));
  try {
    const child = spawn('wrk', ['-t', String(threads), '-c', String(spec.connections), '-d', `${spec.durationSec}s`, '--timeout', '30s', '-s', script, spec.baseUrl],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    const sampler = new ProcessSampler(child.pid!, 100);
    sampler.start();
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    const cpu = sampler.stop();
    // wrk gives up at once when its first connection is refused: every connection failed, nothing was answered.
    if (code !== 0 && /unable to connect/.test(output)) {
      return { rps: 0, latency: { p50: 0, p95: 0, p99: 0, max: 0, mean: 0 }, requests: 0, errors: spec.connections, non2xx: 0, timeouts: 0, durationSec: 0, driverCpuPct: cpu.cpuPct };
    }
    if (code !== 0) throw new Error(`wrk exited with ${code}:\n${output.slice(-2000)}`);
    return { ...parseWrkOutput(output), driverCpuPct: cpu.cpuPct };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

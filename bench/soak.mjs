#!/usr/bin/env node
// Soak: the gateway under steady load for a bounded time while one of its two upstream instances
// fails and recovers. Prints, per 5-second slice: requests, GraphQL error rate, p50/p99 latency,
// the gateway's RSS, and the faulty instance's state; then RSS after a calm-down vs the baseline.
//
//   node bench/soak.mjs                       # 60 s, 16 connections
//   SOAK_S=120 CONNECTIONS=32 node bench/soak.mjs
//   HEALTH_CHECKS=0 node bench/soak.mjs      # passive only: timeouts, retries, breaker, ejection
//
// Timeline (fractions of SOAK_S): instance B healthy → answers 503 (25%) → hangs (50%) →
// recovers (70%). The gateway (a child process, `switchyard serve` with a JSON config) must keep
// answering from A, shed B (breaker / ejection), use B again after recovery, and give the memory
// back once the load stops. Loopback only; everything stops when the run ends.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const SOAK_S = Number(process.env.SOAK_S ?? 60);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 16);
const SLICE_MS = 5_000;
const CALM_MS = Number(process.env.CALM_MS ?? 10_000);
const HEALTH_CHECKS = process.env.HEALTH_CHECKS !== '0';

// ---------- two upstream instances (the in-repo fault upstream, in plain JS) ----------
function startInstance(name) {
  const state = { name, mode: 'ok', hits: 0, url: '' };
  const server = createServer((req, res) => {
    req.resume();
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/health') {
      if (state.mode === 'hang') return;
      res.writeHead(state.mode === 'fail' ? 503 : 200, { 'content-type': 'application/json' });
      return res.end('{}');
    }
    state.hits++;
    state.onHit?.();
    if (state.mode === 'hang') return; // the gateway's timeout must free the socket
    const status = state.mode === 'fail' ? 503 : 200;
    const body = JSON.stringify(status === 200 ? { instance: name } : { title: 'Unavailable' });
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 5_000;
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () => {
      state.url = `http://127.0.0.1:${server.address().port}`;
      state.close = () => (server.closeAllConnections(), new Promise((c) => server.close(c)));
      r(state);
    }),
  );
}

const freePort = () =>
  new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => r(port));
    });
  });

const rssMb = (pid) => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
};

const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const a = await startInstance('A');
const b = await startInstance('B');
const port = await freePort();
const dir = mkdtempSync(join(tmpdir(), 'switchyard-soak-'));
const configFile = join(dir, 'switchyard.soak.json');
writeFileSync(
  configFile,
  JSON.stringify({
    logLevel: 'error',
    schemasDir: join(repo, 'test/fixtures/none'),
    resolversDir: join(repo, 'test/fixtures/none'),
    sources: [
      {
        kind: 'rest',
        name: 'echo',
        spec: join(repo, 'test/fixtures/resilience/echo.yaml'),
        urls: [a.url, b.url],
        timeoutMs: 250,
        resilience: {
          circuitBreaker: { openMs: 3_000 },
          outlierDetection: { baseEjectionMs: 3_000, maxEjectionMs: 10_000 },
          healthCheck: { enabled: HEALTH_CHECKS, path: '/health', intervalMs: 1_000, timeoutMs: 300 },
        },
      },
    ],
  }),
);

// A preload in the gateway process: on SIGUSR2 run a full GC and report memory on stderr, so
// "memory returns to its baseline" is measured on the live heap, not only on RSS (V8 keeps
// freed pages for a while). The heap flags are the ones the launcher gives its worker thread;
// passed here, they keep the gateway on the main thread, where the signal and the probe are
// (in the worker, process.memoryUsage() of the main thread would not be the gateway's heap).
const MEM_PROBE = `process.on('SIGUSR2', () => { globalThis.gc?.(); globalThis.gc?.(); process.stderr.write('SOAK_MEM ' + JSON.stringify(process.memoryUsage()) + '\\n'); });`;
const gateway = spawn(
  process.execPath,
  ['--max-old-space-size=1024', '--max-semi-space-size=32', '--expose-gc', '--import', `data:text/javascript,${encodeURIComponent(MEM_PROBE)}`, join(repo, 'bin/switchyard.mjs'), 'serve', '--config', configFile, '--port', String(port)],
  { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } },
);
let memWaiter;
let stderrBuf = '';
gateway.stderr.on('data', (chunk) => {
  stderrBuf += chunk;
  let nl;
  while ((nl = stderrBuf.indexOf('\n')) >= 0) {
    const lineText = stderrBuf.slice(0, nl);
    stderrBuf = stderrBuf.slice(nl + 1);
    if (lineText.startsWith('SOAK_MEM ')) memWaiter?.(JSON.parse(lineText.slice(9)));
    else process.stderr.write(lineText + '\n');
  }
});
/** Full GC in the gateway, then its memory (MB). */
const gcMemory = () =>
  new Promise((resolve) => {
    memWaiter = (m) => resolve({ rss: m.rss / 2 ** 20, heapUsed: m.heapUsed / 2 ** 20 });
    gateway.kill('SIGUSR2');
  });
const stopGateway = () => {
  if (gateway.exitCode === null) gateway.kill('SIGTERM');
};
process.on('exit', () => {
  stopGateway();
  rmSync(dir, { recursive: true, force: true });
});
process.on('SIGINT', () => process.exit(130));

const origin = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${origin}/readyz`)).ok) break;
  } catch {}
  if (i > 150 || gateway.exitCode !== null) {
    console.error('soak: the gateway did not start');
    process.exit(1);
  }
  await sleep(100);
}

// Baseline (Hive memtest style): a warm-up at the same concurrency sizes the heap and JIT for the
// workload, a calm-down, then RSS at rest. A leak shows as growth over this baseline after the run.
const QUERY = JSON.stringify({ query: '{ a: who(n: 1) { instance } b: who(n: 2) { instance } c: who(n: 3) { instance } d: who(n: 4) { instance } }' });
await autocannon({ url: `${origin}/graphql`, method: 'POST', headers: { 'content-type': 'application/json' }, body: QUERY, connections: CONNECTIONS, duration: 5 });
await sleep(CALM_MS);
const baselineRss = rssMb(gateway.pid);
const baselineGc = await gcMemory();

// ---------- the run ----------
const slices = [];
const sliceOf = (t) => (slices[Math.floor(Math.max(0, t) / SLICE_MS)] ??= { lat: [], requests: 0, errors: 0, fieldErrors: 0, bModes: new Set(), rss: NaN, bHits: 0 });
const t0 = Date.now();
const schedule = [
  [0.25, 'fail'],
  [0.5, 'hang'],
  [0.7, 'ok'],
];
const faultTimers = schedule.map(([at, mode]) => setTimeout(() => (b.mode = mode), at * SOAK_S * 1000));
b.onHit = () => sliceOf(Date.now() - t0).bHits++;
const sample = () => {
  const s = sliceOf(Date.now() - t0);
  s.rss = Math.max(Number.isNaN(s.rss) ? 0 : s.rss, rssMb(gateway.pid));
  s.bModes.add(b.mode);
};
const sampler = setInterval(sample, 500);

const run = autocannon({
  url: `${origin}/graphql`,
  connections: CONNECTIONS,
  duration: SOAK_S,
  requests: [
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: QUERY,
      onResponse: (status, body) => {
        const s = sliceOf(Date.now() - t0);
        let errs = 0;
        try {
          errs = status === 200 ? (JSON.parse(body).errors?.length ?? 0) : 1;
        } catch {
          errs = 1;
        }
        if (errs) s.errors++;
        s.fieldErrors += errs;
      },
    },
  ],
});
run.on('response', (_client, _status, _bytes, responseTime) => {
  const s = sliceOf(Date.now() - t0);
  s.requests++;
  s.lat.push(responseTime);
});
const total = await run;
clearInterval(sampler);
faultTimers.forEach(clearTimeout);
b.onHit = undefined;

// ---------- report ----------
const rows = [['slice', 'B mode', 'requests', 'error rate', 'p50 ms', 'p99 ms', 'B hits', 'RSS MB']];
slices.forEach((s, i) => {
  if (!s || i * SLICE_MS >= SOAK_S * 1000) return; // the last few responses after the end
  const lat = s.lat.sort((x, y) => x - y);
  rows.push([
    `${(i * SLICE_MS) / 1000}-${((i + 1) * SLICE_MS) / 1000}s`,
    [...s.bModes].join('→'),
    String(s.requests),
    `${((100 * s.errors) / Math.max(1, s.requests)).toFixed(2)}%`,
    pct(lat, 50).toFixed(1),
    pct(lat, 99).toFixed(1),
    String(s.bHits),
    s.rss.toFixed(1),
  ]);
});
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
const line = (r) => `| ${r.map((v, c) => v.padEnd(widths[c])).join(' | ')} |`;
console.log(`\nsoak: ${SOAK_S} s, ${CONNECTIONS} connections, 4 upstream calls per request, instances A (always ok) and B (ok → 503 → hang → ok), active health checks ${HEALTH_CHECKS ? 'on' : 'off'}\n`);
console.log(line(rows[0]));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows.slice(1)) console.log(line(r));
const errored = slices.reduce((n, s) => n + (s?.errors ?? 0), 0);
console.log(`\ntotal: ${total.requests.total} requests, ${errored} with errors (${((100 * errored) / Math.max(1, total.requests.total)).toFixed(3)}%), ${total.non2xx} non-2xx, p99 ${total.latency.p99} ms`);
console.log(`upstream hits: A ${a.hits}, B ${b.hits}`);

// Memory after the load: calm down, then compare with the baseline.
const peakRss = Math.max(...slices.filter(Boolean).map((s) => s.rss).filter((x) => !Number.isNaN(x)));
await sleep(CALM_MS);
const afterRss = rssMb(gateway.pid);
const afterGc = await gcMemory();
const vs = (x, base) => `${x >= base ? '+' : ''}${(((x - base) / base) * 100).toFixed(1)}%`;
console.log(`RSS (baseline after a ${5 + CALM_MS / 1000} s warm-up + calm): baseline ${baselineRss.toFixed(1)} MB, peak ${peakRss.toFixed(1)} MB, after ${CALM_MS / 1000} s calm ${afterRss.toFixed(1)} MB (${vs(afterRss, baselineRss)})`);
console.log(`after a full GC: heap used ${baselineGc.heapUsed.toFixed(1)} → ${afterGc.heapUsed.toFixed(1)} MB (${vs(afterGc.heapUsed, baselineGc.heapUsed)}), RSS ${baselineGc.rss.toFixed(1)} → ${afterGc.rss.toFixed(1)} MB (${vs(afterGc.rss, baselineGc.rss)})`);

stopGateway();
await Promise.all([a.close(), b.close()]);
process.exit(0);

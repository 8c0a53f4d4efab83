#!/usr/bin/env node
// Overhead of the policy layer (JWT auth + field rules + operation limits + cost estimate and
// actual-cost accounting + in-memory rate limit) against the same gateway with policy off, in
// the same run: requests/s of each, alternating rounds, and the ratio on/off.
//
//   node bench/policy.mjs                     # 3 rounds x 10 s per variant, 32 connections
//   ROUNDS=5 DURATION_S=15 CONNECTIONS=64 node bench/policy.mjs
//
// Upstream: the in-repo demo users REST backend. Query: a list of 20 users, each with a batched
// link back to the same source (2 upstream calls per request) — the REST part of the reference
// query. "on" marks both fields @authenticated, sends a bearer token (RS256, verified once, then
// cached until exp), and runs limits, cost and a rate limit with a budget that never runs out
// (RateLimit-* headers and extensions.cost in every answer). "off" is the same client layer
// without the auth directives, and no policy plugins. "on-quiet" is "on" with
// cost.exposeInResponse: false (no extensions.cost in the body). All three answer through the
// fast path (src/server/fast-path.ts); the check below fails the run if one does not.
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const QUERY = '{ people(first: 20) { id name email again { id name } } }';

if (process.argv[2] === 'child') await child(process.argv[3]);
else
  await parent().catch((e) => {
    console.error(e);
    process.exit(1);
  });

async function bundle() {
  const { build } = await import('esbuild');
  // bench/results/ is git-ignored and inside the repo, so the bundle resolves node_modules.
  const outfile = join(repo, 'bench/results/policy-bundle.mjs');
  await build({
    stdin: {
      contents: `
        export { startUsersService } from './demo/backends/users-rest';
        export { validateConfig } from './src/config/load';
        export { buildGateway } from './src/app';
        export { silentLogger } from './src/observability/logger';`,
      resolveDir: repo,
      loader: 'ts',
    },
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  return outfile;
}

function layer(withAuth) {
  const auth = withAuth ? ' @authenticated' : '';
  const dir = mkdtempSync(join(tmpdir(), `switchyard-policy-bench-${withAuth ? 'on' : 'off'}-`));
  mkdirSync(join(dir, 'schemas'));
  mkdirSync(join(dir, 'resolvers'));
  writeFileSync(
    join(dir, 'schemas/bench.graphql'),
    `extend type Query {
  people(first: Int = 3): [User!]!${auth} @resolveTo(source: "users", field: "listUsers", args: { limit: "{args.first}" }, path: "items") @listSize(slicingArguments: ["first"])
}
extend type User {
  again: User${auth} @link(source: "users", field: "listUsers", key: "id", keysArg: "ids", resultPath: "items", matchBy: "id")
}
`,
  );
  return dir;
}

/** A child: `users` (the upstream) or a gateway variant (`on` / `off`); prints its port. */
async function child(role) {
  process.on('disconnect', () => process.exit(0)); // never outlive the parent
  const lib = await import(pathToFileURL(process.env.BENCH_BUNDLE).href);
  if (role === 'users') {
    const users = await lib.startUsersService(0);
    process.send({ port: users.port });
    return;
  }
  const on = role !== 'off';
  const raw = {
    logLevel: 'silent',
    server: { port: 0, graphiql: { enabled: false } },
    schemasDir: 'schemas',
    resolversDir: 'resolvers',
    internalSources: ['users'],
    sources: [{ kind: 'rest', name: 'users', spec: resolve(repo, 'schemas/users/upstream/openapi.yaml'), url: process.env.USERS_URL }],
    ...(on
      ? {
          auth: { jwt: { publicKey: process.env.BENCH_PUBLIC_KEY, issuer: 'https://issuer.bench', audience: 'switchyard' } },
          rateLimit: { budget: 1_000_000_000, windowMs: 60_000 },
          ...(role === 'on-quiet' ? { cost: { exposeInResponse: false } } : {}),
        }
      : { limits: { enabled: false }, cost: { enabled: false } }),
  };
  const config = lib.validateConfig(raw, { baseDir: layer(on) });
  const gateway = await lib.buildGateway(config, { logger: lib.silentLogger });
  await new Promise((r) => gateway.server.listen(0, '127.0.0.1', r));
  // CPU time on request: robust to a busy machine, where requests/s swing with the neighbours.
  process.on('message', () => {
    const c = process.cpuUsage();
    process.send({ cpuUs: c.user + c.system });
  });
  process.send({ port: gateway.server.address().port, fastPath: gateway.fastPath });
}

function start(role, env) {
  return new Promise((resolvePort, reject) => {
    const p = fork(fileURLToPath(import.meta.url), ['child', role], { env: { ...process.env, ...env, NODE_ENV: 'production' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    p.once('message', (m) => resolvePort({ proc: p, port: m.port, fastPath: m.fastPath, cpu: () => new Promise((r) => (p.once('message', (x) => r(x.cpuUs)), p.send('cpu'))) }));
    p.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}

async function parent() {
  const { default: autocannon } = await import('autocannon');
  const { SignJWT, exportSPKI, generateKeyPair } = await import('jose');
  const rounds = Number(process.env.ROUNDS ?? 3);
  const duration = Number(process.env.DURATION_S ?? 10);
  const connections = Number(process.env.CONNECTIONS ?? 32);

  const keys = await generateKeyPair('RS256', { extractable: true });
  const token = await new SignJWT({ sub: 'bench-user', scope: 'users:read' })
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer('https://issuer.bench')
    .setAudience('switchyard')
    .setExpirationTime('2h')
    .sign(keys.privateKey);
  const BENCH_BUNDLE = await bundle();
  const env = { BENCH_BUNDLE, BENCH_PUBLIC_KEY: await exportSPKI(keys.publicKey) };
  const users = await start('users', env);
  const USERS_URL = `http://127.0.0.1:${users.port}`;
  const NAMES = ['off', 'on', 'on-quiet'];
  const variants = {};
  const headers = {};
  for (const name of NAMES) {
    variants[name] = await start(name, { ...env, USERS_URL });
    if (!variants[name].fastPath) throw new Error(`${name}: the fast path is off, the comparison would measure yoga's HTTP layer`);
    headers[name] = name === 'off' ? { 'content-type': 'application/json' } : { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  }
  const body = JSON.stringify({ query: QUERY });

  // Both answer the same data before anything is measured.
  for (const name of NAMES) {
    const r = await fetch(`http://127.0.0.1:${variants[name].port}/graphql`, { method: 'POST', headers: headers[name], body });
    const json = await r.json();
    if (r.status !== 200 || json.errors || json.data.people.length !== 20) throw new Error(`${name}: unexpected answer ${JSON.stringify(json).slice(0, 300)}`);
  }
  const run = async (name, seconds) => {
    const before = await variants[name].cpu();
    const r = await autocannon({ url: `http://127.0.0.1:${variants[name].port}/graphql`, method: 'POST', headers: headers[name], body, connections, duration: seconds, pipelining: 1 });
    r.cpuUsPerRequest = ((await variants[name].cpu()) - before) / r.requests.total;
    return r;
  };

  for (const name of NAMES) await run(name, 3); // warm-up (jit compilation, pools)
  const results = Object.fromEntries(NAMES.map((n) => [n, []]));
  for (let i = 0; i < rounds; i++) {
    for (const name of i % 2 ? [...NAMES].reverse() : NAMES) {
      const r = await run(name, duration);
      if (r.non2xx || r.errors) throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      results[name].push({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, cpu: r.cpuUsPerRequest });
      console.error(`round ${i + 1} ${name}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, gateway CPU ${r.cpuUsPerRequest.toFixed(0)} µs/request`);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const summary = Object.fromEntries(
    Object.entries(results).map(([k, v]) => [k, { rps: median(v.map((x) => x.rps)), p50Ms: median(v.map((x) => x.p50)), p99Ms: median(v.map((x) => x.p99)), cpuUsPerRequest: Math.round(median(v.map((x) => x.cpu))) }]),
  );
  const ratios = Object.fromEntries(
    NAMES.filter((n) => n !== 'off').map((n) => [n, { rps: Number((summary[n].rps / summary.off.rps).toFixed(3)), cpuPerRequest: Number((summary[n].cpuUsPerRequest / summary.off.cpuUsPerRequest).toFixed(3)) }]),
  );
  // On a shared machine the load changes between rounds: a round's variants run back to back, so
  // the ratio within each round, then the median over rounds, is the steadier figure.
  const paired = Object.fromEntries(
    NAMES.filter((n) => n !== 'off').map((n) => [
      n,
      {
        rps: Number(median(results[n].map((r, i) => r.rps / results.off[i].rps)).toFixed(3)),
        cpuPerRequest: Number(median(results[n].map((r, i) => r.cpu / results.off[i].cpu)).toFixed(3)),
      },
    ]),
  );
  console.log(JSON.stringify({ query: QUERY, rounds, durationS: duration, connections, ...summary, ratiosVsOff: ratios, medianOfRoundRatiosVsOff: paired }, null, 2));
  for (const [n, r] of Object.entries(ratios)) {
    const p = paired[n];
    console.log(
      `${n} / off: ${(r.rps * 100).toFixed(1)}% of the requests/s, ${(r.cpuPerRequest * 100).toFixed(1)}% of the gateway CPU per request ` +
        `(median of the rounds' own ratios: ${(p.rps * 100).toFixed(1)}%, ${(p.cpuPerRequest * 100).toFixed(1)}%; target: at most 10% fewer requests/s)`,
    );
  }
  for (const p of [users.proc, ...Object.values(variants).map((v) => v.proc)]) p.kill('SIGTERM');
  process.exit(0);
}

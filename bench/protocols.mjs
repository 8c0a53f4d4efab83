#!/usr/bin/env node
// Per-protocol overhead: the gateway against calling each upstream directly, same run, same
// machine, same concurrency. Prints a table of requests/s, p50/p99 and the ratio to direct.
//
//   node bench/protocols.mjs            # DURATION_S=8 CONNECTIONS=32 ROUNDS=2
//
// Scenarios: REST single user (GET /users/1), gRPC unary GetOrder(727) (direct: a grpc-js client),
// SOAP GetStock(48) (direct: a raw POST of the envelope). Backends: the demo's, in their own process.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import autocannon from 'autocannon';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const DURATION_S = Number(process.env.DURATION_S ?? 8);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const P = { users: 4611, orders: 4612, inventory: 4613, gateway: 4610 };

const children = [];
const stopAll = () => children.forEach((c) => c.exitCode === null && c.kill('SIGTERM'));
process.on('exit', stopAll);
process.on('SIGINT', () => process.exit(130));

async function startProcess(args, env, readyPattern) {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  await new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`did not start: ${out}`)), 30_000);
    const on = (d) => {
      out += d;
      if (readyPattern.test(out)) {
        clearTimeout(t);
        ok();
      }
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
  });
  return child;
}

await build({ entryPoints: [resolve(here, 'backends.ts')], outfile: resolve(here, '.build/backends.mjs'), bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'error', define: { __SWITCHYARD_ROOT__: JSON.stringify(root) } });
await startProcess([resolve(here, '.build/backends.mjs'), String(P.users), String(P.orders), String(P.inventory)], {}, /ready/);
await startProcess(
  [resolve(root, 'bin/switchyard.mjs'), 'serve', '--config', resolve(here, 'switchyard.protocols.config.ts'), '--port', String(P.gateway)],
  { NODE_ENV: 'production', USERS_URL: `http://127.0.0.1:${P.users}`, ORDERS_ADDR: `127.0.0.1:${P.orders}`, INVENTORY_URL: `http://127.0.0.1:${P.inventory}/inventory` },
  /switchyard listening/,
);

const gql = (query) => ({ url: `http://127.0.0.1:${P.gateway}/graphql`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
const ENVELOPE = '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:i="http://example.com/shop/inventory/v1"><soap:Body><i:GetStock><i:productId>48</i:productId></i:GetStock></soap:Body></soap:Envelope>';

function http(opts) {
  return new Promise((ok, fail) => {
    const inst = autocannon({ ...opts, connections: CONNECTIONS, duration: DURATION_S }, (err, r) => (err ? fail(err) : ok({ rps: r['2xx'] / DURATION_S, p50: r.latency.p50, p99: r.latency.p99, errors: r.non2xx + r.errors })));
    autocannon.track(inst, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

/** A closed-loop driver for the direct gRPC client: CONNECTIONS callers in a loop for DURATION_S. */
async function grpcDirect() {
  const def = protoLoader.loadSync(resolve(root, 'schemas/orders/upstream/orders.proto'), { keepCase: true, longs: String, enums: String, defaults: true });
  const Svc = grpc.loadPackageDefinition(def).shop.orders.v1.OrdersService;
  const client = new Svc(`127.0.0.1:${P.orders}`, grpc.credentials.createInsecure());
  const lat = [];
  let ok = 0;
  let errors = 0;
  const end = Date.now() + DURATION_S * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        await new Promise((r) => client.GetOrder({ id: 727 }, (e) => (e ? errors++ : ok++, r())));
        lat.push(performance.now() - t0);
      }
    }),
  );
  client.close();
  lat.sort((a, b) => a - b);
  return { rps: ok / DURATION_S, p50: Math.round(lat[Math.floor(lat.length * 0.5)]), p99: Math.round(lat[Math.floor(lat.length * 0.99)]), errors };
}

const SCENARIOS = [
  { name: 'REST getUser', direct: () => http({ url: `http://127.0.0.1:${P.users}/users/1` }), gateway: () => http(gql('{ user(id: 1) { id name email } }')) },
  { name: 'gRPC GetOrder (unary)', direct: grpcDirect, gateway: () => http(gql('{ order(id: 727) { id total status items { productId quantity } } }')) },
  {
    name: 'SOAP GetStock',
    direct: () => http({ url: `http://127.0.0.1:${P.inventory}/inventory`, method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"http://example.com/shop/inventory/v1/GetStock"' }, body: ENVELOPE }),
    gateway: () => http(gql('{ stock(productId: 48) { productId available warehouse } }')),
  },
];

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const s of SCENARIOS) {
  const d = [];
  const g = [];
  for (let r = 0; r < ROUNDS; r++) {
    // alternate the order so neither side always runs first
    if (r % 2 === 0) {
      d.push(await s.direct());
      g.push(await s.gateway());
    } else {
      g.push(await s.gateway());
      d.push(await s.direct());
    }
  }
  const dr = median(d.map((x) => x.rps));
  const gr = median(g.map((x) => x.rps));
  rows.push([s.name, dr.toFixed(0), gr.toFixed(0), (gr / dr).toFixed(2), `${median(d.map((x) => x.p50))}/${median(d.map((x) => x.p99))}`, `${median(g.map((x) => x.p50))}/${median(g.map((x) => x.p99))}`, String(g.reduce((n, x) => n + x.errors, 0) + d.reduce((n, x) => n + x.errors, 0))]);
}
console.log(`\n${ROUNDS} rounds x ${DURATION_S}s, ${CONNECTIONS} concurrent; medians. Everything on this machine's cores.\n`);
console.log('| scenario | direct req/s | gateway req/s | gateway / direct | direct p50/p99 ms | gateway p50/p99 ms | errors |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
stopAll();
process.exit(0);

#!/usr/bin/env node
// Benchmark: Switchyard against the peer rig in ../shared/bench (hand-written baseline server,
// GraphQL Mesh/Hive Gateway), all in one run of the rig's own driver, so the ratios compare
// like with like. Prints the rig's table (requests/s, p50/p99, peak RSS, ratios vs baseline).
//
//   npm run bench                                   # reference + single-entity query, baseline + mesh + ours
//   SCENARIOS=reference,single SERVERS=baseline npm run bench
//   ROUNDS=3 DURATION_S=10 npm run bench           # the rig's knobs pass through
//   SWITCHYARD_PORT=4500                            # where our gateway listens (default 4500)
//
// The rig is copied to bench/.rig (git-ignored) and installed there with its own lockfile
// (npm ci), because ../shared is read-only. Nothing of it is committed.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const shared = resolve(repo, '../shared/bench');
const rig = resolve(here, '.rig');
if (!existsSync(shared)) {
  console.error(`bench: ${shared} not found; the benchmark needs the peer rig beside the repo.`);
  process.exit(2);
}
if (!existsSync(resolve(rig, 'node_modules'))) {
  mkdirSync(rig, { recursive: true });
  cpSync(shared, rig, { recursive: true, filter: (src) => !/\/(node_modules|results|\.run)(\/|$)/.test(src) });
  spawnSync('chmod', ['-R', 'u+w', rig]);
  console.error('bench: installing the rig (npm ci in bench/.rig) ...');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: rig, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const PORT = process.env.SWITCHYARD_PORT ?? '4500';
// The rig reads PORT for its own baseline server: never pass ours to it.
const { PORT: _ignored, ...baseEnv } = process.env;
const env = { ...baseEnv, NODE_ENV: 'production', RIG_DIR: rig };
const gateway = spawn(process.execPath, [resolve(repo, 'bin/switchyard.mjs'), 'serve', '--config', resolve(here, 'switchyard.bench.config.ts'), '--port', PORT], {
  env,
  stdio: ['ignore', 'inherit', 'inherit'],
});
const stop = () => {
  if (gateway.exitCode === null) gateway.kill('SIGTERM');
};
process.on('exit', stop);
process.on('SIGINT', () => process.exit(130));

// Wait for /healthz.
for (let i = 0; ; i++) {
  try {
    const r = await fetch(`http://127.0.0.1:${PORT}/healthz`);
    if (r.ok) break;
  } catch {}
  if (i > 100 || gateway.exitCode !== null) {
    console.error('bench: the gateway did not start');
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 100));
}

const result = spawnSync('bash', [resolve(rig, 'run.sh')], {
  cwd: rig,
  stdio: 'inherit',
  env: {
    ...env,
    SERVERS: process.env.SERVERS ?? 'baseline,mesh',
    SCENARIOS: process.env.SCENARIOS ?? 'reference,single',
    EXTRA_NAME: 'switchyard',
    EXTRA_URL: `http://127.0.0.1:${PORT}/graphql`,
    EXTRA_PID: String(gateway.pid),
  },
});
stop();
if (!process.env.KEEP_RIG_RESULTS) rmSync(resolve(rig, '.run'), { recursive: true, force: true });
process.exit(result.status ?? 1);

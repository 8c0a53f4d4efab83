import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/gateway';
import { startUsersService, type DemoBackend } from '../../demo/backends/users-rest';

const BIN = resolve(REPO_ROOT, 'bin/switchyard.mjs');
// What a user's config imports (switchyard/config): only the typed helpers, no gateway code.
const SRC_INDEX = resolve(REPO_ROOT, 'src/config/define-config.ts');

function cli(args: string[], cwd = REPO_ROOT, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempProject(config: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
  cpSync(resolve(REPO_ROOT, 'schemas/users/upstream/openapi.yaml'), join(dir, 'users.yaml'));
  writeFileSync(join(dir, 'switchyard.config.ts'), config.replaceAll('SRC_INDEX', SRC_INDEX));
  return dir;
}

/** A project `serve` can start: one REST source at USERS_URL, info logs (the listening line). */
function servableProject(): string {
  return tempProject(`import { defineConfig, rest } from 'SRC_INDEX';
export default defineConfig({ logLevel: 'info', server: { port: 0 }, sources: [rest({ name: 'users', spec: './users.yaml', url: '\${USERS_URL}' })] });`);
}

/** Node's default heap limit here, in bytes (what a gateway on the main thread gets). */
function nodeDefaultHeapBytes(): number {
  return Number(spawnSync(process.execPath, ['-p', "require('v8').getHeapStatistics().heap_size_limit"], { encoding: 'utf8' }).stdout);
}

/** The heapLimitMb of a gateway's "switchyard listening" log line. */
function heapLimitOf(stderr: string): number {
  return JSON.parse(stderr.split('\n').find((l) => l.includes('switchyard listening'))!).heapLimitMb as number;
}

let users: DemoBackend;
beforeAll(async () => {
  users = await startUsersService(0);
});
afterAll(async () => {
  await users?.close();
});

describe('switchyard CLI', () => {
  it('check passes on the repository (committed SDL is current)', () => {
    const r = cli(['check']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('committed SDL is current');
  });

  it('check lists every config problem with key and fix, exit 1', () => {
    const dir = tempProject(`import { defineConfig } from 'SRC_INDEX';
export default defineConfig({ server: { port: 'x', colour: 1 } as never, sources: [{ kind: 'rest', name: 'users', spec: './users.yaml', timeoutMs: -1, url: '\${NOT_SET_ANYWHERE}' }] });`);
    const r = cli(['check'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('server.port');
    expect(r.stderr).toContain('"colour"');
    expect(r.stderr).toContain('sources[0].timeoutMs');
    expect(r.stderr).toContain('CONFIG_ENV_MISSING at');
    expect(r.stderr).toContain('NOT_SET_ANYWHERE');
    expect(r.stderr).toMatch(/fix: /);
  });

  it('serve refuses a missing spec without opening a port', () => {
    const dir = tempProject(`import { defineConfig, rest } from 'SRC_INDEX';
export default defineConfig({ server: { port: 0 }, sources: [rest({ name: 'users', spec: './nope.yaml', url: 'http://127.0.0.1:9' })] });`);
    const r = cli(['serve'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SPEC_INVALID');
    expect(r.stderr).toContain('nope.yaml');
  });

  it('import openapi writes reviewable SDL; check then detects drift', () => {
    const dir = tempProject(`import { defineConfig, rest } from 'SRC_INDEX';
export default defineConfig({ sources: [rest({ name: 'users', spec: './users.yaml', url: 'http://127.0.0.1:9', rename: { getUser: 'user' } })] });`);
    const r = cli(['import', 'openapi', 'users.yaml', '--name', 'users'], dir);
    expect(r.code).toBe(0);
    const file = join(dir, 'schemas/users/generated.graphql');
    expect(existsSync(file)).toBe(true);
    const sdl = readFileSync(file, 'utf8');
    expect(sdl).toContain('user(id: Int!): User');
    expect(existsSync(join(dir, 'schemas/users/upstream/users.yaml'))).toBe(true);
    expect(cli(['check'], dir).code).toBe(0);
    writeFileSync(file, sdl.replace('user(id: Int!): User', 'user(id: Int!): User!'));
    const drift = cli(['check'], dir);
    expect(drift.code).toBe(1);
    expect(drift.stderr).toContain('SCHEMA_DRIFT');
  });

  it('print-schema prints the client-facing SDL', () => {
    const r = cli(['print-schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('user(id: Int!): User');
    expect(r.stdout).toContain('type UserPage');
  });

  it('serve answers queries and stops gracefully on SIGTERM', { timeout: 120_000 }, async () => {
    const dir = servableProject();
    const { child, port, exit } = await startServe(dir, { USERS_URL: users.url, LOG_LEVEL: 'info' });
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ getUser(id: 3) { id } }' }) });
    expect(await res.json()).toEqual({ data: { getUser: { id: 3 } } });
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('serve runs the gateway in a worker thread with a heap limit, in one process; Ctrl-C twice at once stops it gracefully', { timeout: 120_000 }, async () => {
    const dir = servableProject();
    // The launcher lowers Node's default heap limit only where that default is above 2 GiB
    // (machines with more than ~8 GB); elsewhere an explicit SWITCHYARD_MAX_HEAP_MB does it.
    const explicit = nodeDefaultHeapBytes() < 2112 * 2 ** 20;
    const s = await startServe(dir, { USERS_URL: users.url, ...(explicit ? { SWITCHYARD_MAX_HEAP_MB: '1024' } : {}) });
    try {
      // The gateway's heap: 1024 MB of old generation and three 32 MB semi-spaces of young.
      expect(heapLimitOf(s.stderr())).toBe(1024 + 3 * 32);
      // One process: no child (esbuild's service process, used for the config, is gone once start-up is over).
      await new Promise((r) => setTimeout(r, 600));
      expect(childrenOf(s.child.pid!)).toEqual([]);
      const res = await fetch(`http://127.0.0.1:${s.port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ getUser(id: 3) { id } }' }) });
      expect(await res.json()).toEqual({ data: { getUser: { id: 3 } } });
      // Under `npm start` a terminal's Ctrl-C arrives twice at once (the terminal's and npm's copy).
      s.child.kill('SIGINT');
      s.child.kill('SIGINT');
      expect(await s.exit).toBe(0);
      expect(s.stderr()).toContain('"msg":"stopped"');
      expect(s.stderr()).not.toContain('second signal');
    } finally {
      s.child.kill('SIGKILL');
    }
  });

  it('a gateway that outgrows its heap limit stops with a message that says which limit to raise', { timeout: 120_000 }, () => {
    const dir = tempProject(`import { defineConfig, rest } from 'SRC_INDEX';
export default defineConfig({ server: { port: 0 }, sources: [rest({ name: 'users', spec: './users.yaml', url: '\${USERS_URL}' })] });`);
    // Start-up alone holds ~25 MB: 12 MB of old generation cannot hold it.
    const r = cli(['serve', '--port', '0'], dir, { USERS_URL: users.url, SWITCHYARD_MAX_HEAP_MB: '12' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the gateway ran out of memory: its heap limit is 12 MB (SWITCHYARD_MAX_HEAP_MB)');
    expect(r.stderr).not.toContain('    at ');
  });

  it('a signal during start-up ends the process, as by default', { timeout: 120_000 }, async () => {
    const dir = servableProject();
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { cwd: dir, env: { ...process.env, USERS_URL: users.url, SWITCHYARD_MAX_HEAP_MB: '1024' } });
    try {
      const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      // The worker runs esbuild (for the bundle or the config) during start-up only: once its
      // service process shows, the gateway is starting and the launcher thread has its handlers.
      for (let i = 0; i < 600 && childrenOf(child.pid!).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(childrenOf(child.pid!).length).toBeGreaterThan(0);
      child.kill('SIGTERM');
      // The shell's code for SIGTERM, without waiting for start-up to finish.
      expect(await exit).toBe(128 + 15);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('SWITCHYARD_MAX_HEAP_MB=0 keeps Node\'s default heap; your own --max-semi-space-size wins; a bad value is refused', { timeout: 120_000 }, async () => {
    const bad = cli(['serve'], REPO_ROOT, { SWITCHYARD_MAX_HEAP_MB: 'lots' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('SWITCHYARD_MAX_HEAP_MB must be a whole number of megabytes');
    const dir = servableProject();
    const nodeDefault = Math.round(nodeDefaultHeapBytes() / 2 ** 20);
    const s = await startServe(dir, { USERS_URL: users.url, SWITCHYARD_MAX_HEAP_MB: '0' });
    try {
      expect(heapLimitOf(s.stderr())).toBe(nodeDefault);
      await new Promise((r) => setTimeout(r, 600));
      expect(childrenOf(s.child.pid!)).toEqual([]);
      s.child.kill('SIGTERM');
      expect(await s.exit).toBe(0);
    } finally {
      s.child.kill('SIGKILL');
    }
    // V8 flags are the process's: a semi-space given to node applies to the gateway's worker too (3 x 16 MB of young).
    const own = await startServe(dir, { USERS_URL: users.url, SWITCHYARD_MAX_HEAP_MB: '1024' }, ['--max-semi-space-size=16']);
    try {
      expect(heapLimitOf(own.stderr())).toBe(1024 + 3 * 16);
      own.child.kill('SIGTERM');
      expect(await own.exit).toBe(0);
    } finally {
      own.child.kill('SIGKILL');
    }
  });
});

/** Child process ids of `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const list = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    if (list) kids.push(...list.split(/\s+/).map(Number));
  }
  return kids;
}

/** Starts `switchyard serve --port 0` in `dir` and waits for its listen line. */
async function startServe(dir: string, env: NodeJS.ProcessEnv, nodeFlags: string[] = []) {
  const child = spawn(process.execPath, [...nodeFlags, BIN, 'serve', '--port', '0'], { cwd: dir, env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const port = await new Promise<number>((resolvePort, reject) => {
    const t = setTimeout(() => reject(new Error(`no listen line: ${stderr}`)), 90_000);
    const probe = setInterval(() => {
      const m = /"url":"http:\/\/localhost:(\d+)\/graphql"/.exec(stderr);
      if (m) {
        clearInterval(probe);
        clearTimeout(t);
        resolvePort(Number(m[1]));
      }
    }, 50);
  }).catch((e) => {
    child.kill('SIGKILL');
    throw e;
  });
  return { child, port, exit, stderr: () => stderr };
}

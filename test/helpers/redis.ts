import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from './ports';
import { Socket } from 'node:net';

/**
 * A private redis-server for tests that need to stop it. When no redis-server binary is on the
 * machine: in CI (CI=true) that is a failure; elsewhere the caller skips with the printed reason.
 */
export interface TestRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
}

export function requireRedisOrSkip(): string | undefined {
  if (redisServerAvailable()) return undefined;
  const reason = 'redis-server is not installed (apt-get install redis-server)';
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`Redis tests cannot run in CI: ${reason}`);
  console.log(`[skip] Redis-backed tests skipped: ${reason}`);
  return reason;
}

async function waitForPort(port: number, up: boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const open = await new Promise<boolean>((r) => {
      const sock = new Socket();
      sock.once('connect', () => (sock.destroy(), r(true)));
      sock.once('error', () => r(false));
      sock.connect(port, '127.0.0.1');
    });
    if (open === up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis on ${port} did not ${up ? 'start' : 'stop'}`);
}

export async function startTestRedis(port?: number): Promise<TestRedis> {
  const p = port ?? (await freePort());
  const child: ChildProcess = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitForPort(p, true);
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    async stop() {
      child.kill('SIGKILL');
      await waitForPort(p, false);
    },
  };
}

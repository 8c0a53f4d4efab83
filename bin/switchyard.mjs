#!/usr/bin/env node
// The switchyard CLI. Bundles the TypeScript sources with esbuild into dist/ when they changed
// (about 0.2 s; no loader hook stays resident, which saves ~70 MB of RSS compared with a runtime
// TS loader), then hands over to src/cli/main.ts. The bundle is built in a private folder and
// renamed into place, so CLIs started side by side never read a half-written file. When the
// package folder is read-only, it builds to a temporary folder instead.
//
// The long-running commands (serve, demo) run the gateway in a worker thread of this process, whose
// V8 heap gets a limit (see heapLimitMb below), unless the user set one: V8 lets the old generation
// grow to about 4x the live heap between full collections when the limit is Node's default (about
// 4 GB here), but to 1.3-2x when the limit is under 2 GiB. For the gateway (~40 MB live under load)
// that is ~170 MB of RSS instead of ~260 MB, at the same throughput (README.md, "Memory"). A worker
// rather than a child process because Node itself (its binary's pages and start-up heap, ~40 MB)
// would be paid twice. `node --max-old-space-size=N`, the same in NODE_OPTIONS, or
// SWITCHYARD_MAX_HEAP_MB=N choose the limit; SWITCHYARD_MAX_HEAP_MB=0 keeps Node's default and runs
// the gateway on the main thread.
import { isMainThread, parentPort, SHARE_ENV, Worker } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { accessSync, constants as fsConstants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let home = root;
try {
  accessSync(root, fsConstants.W_OK);
} catch {
  home = join(tmpdir(), `switchyard-${process.getuid?.() ?? 'user'}`);
  mkdirSync(home, { recursive: true });
}
const outdir = join(home, 'dist');

/** Default heap limit of serve/demo, in MB: under 2 GiB, where V8 switches to its large growing factor. */
const DEFAULT_HEAP_MB = 1024;
/**
 * Semi-space of the gateway's young generation, in MB; V8's default is 16. A reference answer lives
 * ~60 ms, longer than two scavenges of the default young generation, so its objects were promoted
 * and the old generation was marked and compacted every ~0.5 s under load. 32 MB keeps most of
 * them young: ~10% less CPU per reference request, and small queries no longer slow down after
 * big ones. (V8 rounds a semi-space up to a power of two: 20, measured first, is 32 too.)
 */
const SEMI_SPACE_MB = 32;

/** The heap limit to run the gateway's worker with, or null to run on this thread (short commands, a limit already set, opted out). */
function heapLimitMb() {
  const command = process.argv[2];
  if (command !== 'serve' && command !== 'demo') return null;
  const flag = /--max-old-space-size(=|\s|$)/;
  if (process.execArgv.some((a) => flag.test(a)) || flag.test(process.env.NODE_OPTIONS ?? '')) return null;
  const raw = process.env.SWITCHYARD_MAX_HEAP_MB;
  if (raw === undefined || raw === '') {
    // Node sizes its default from the machine's (or the container's) memory: when that default is
    // already under 2 GiB, V8 already grows the heap by the small factor, and a fixed limit could
    // only raise it above what the container holds.
    return getHeapStatistics().heap_size_limit < 2112 * 2 ** 20 ? null : DEFAULT_HEAP_MB;
  }
  const mb = Number(raw);
  if (!Number.isInteger(mb) || mb < 0) {
    process.stderr.write(`switchyard: SWITCHYARD_MAX_HEAP_MB must be a whole number of megabytes (0 = Node's default), not "${raw}"\n`);
    process.exit(2);
  }
  return mb === 0 ? null : mb;
}

const limit = isMainThread ? heapLimitMb() : null;
if (limit !== null) {
  // The gateway runs in a worker thread of this process, in its own V8 heap with these limits: one
  // process, so Node's own ~35 MB (its binary's pages, its start-up heap) is not paid twice as it
  // was with a child process. The worker builds the bundle; this thread only forwards signals.
  const semiSet = /--max-semi-space-size(=|\s|$)/;
  const semiGiven = process.execArgv.some((a) => semiSet.test(a)) || semiSet.test(process.env.NODE_OPTIONS ?? '');
  const worker = new Worker(new URL(import.meta.url), {
    argv: process.argv.slice(2),
    env: SHARE_ENV,
    // V8 sizes the young generation as three semi-spaces (two, plus as much for large objects).
    resourceLimits: { maxOldGenerationSizeMb: limit, ...(semiGiven ? {} : { maxYoungGenerationSizeMb: 3 * SEMI_SPACE_MB }) },
  });
  // Signals reach this thread only: the gateway gets them as messages and handles them as its own
  // (SIGHUP keeps its default action: the process ends).
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => worker.postMessage({ signal }));
  worker.on('error', (e) => {
    if (e?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      process.stderr.write(
        `switchyard: the gateway ran out of memory: its heap limit is ${limit} MB (SWITCHYARD_MAX_HEAP_MB). ` +
          'Raise it, or lower cache.maxEntries if the in-memory cache holds many large answers.\n',
      );
    } else process.stderr.write(`switchyard: unexpected error: ${e?.stack ?? String(e)}\n`);
  });
  worker.on('exit', (code) => {
    process.exitCode = code;
  });
} else {
  if (!isMainThread) {
    // In the worker: signals forwarded by the launcher thread arrive as messages.
    parentPort.on('message', (m) => {
      if (m?.signal !== 'SIGTERM' && m?.signal !== 'SIGINT') return;
      // Before the gateway handles it (during start-up), a signal ends the process, as it would by default.
      if (process.listenerCount(m.signal) === 0) process.exit(128 + osConstants.signals[m.signal]);
      process.emit(m.signal, m.signal);
    });
    parentPort.unref();
  }
  await run();
}

async function run() {
  function newestSource(dir) {
    let newest = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
    return newest;
  }
  const stampFile = join(outdir, '.stamp');
  const stamp = String(Math.max(newestSource(join(root, 'src')), newestSource(join(root, 'demo'))));
  if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    const tmp = `${outdir}.tmp-${process.pid}`;
    const { build, stop } = await import('esbuild');
    await build({
      entryPoints: { main: join(root, 'src/cli/main.ts') },
      outdir: tmp,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      sourcemap: 'linked',
      logLevel: 'error',
      define: { __SWITCHYARD_ROOT__: JSON.stringify(root) },
    });
    // esbuild's service process would otherwise stay for the life of the CLI (~12 MB of RSS).
    await stop();
    writeFileSync(join(tmp, '.stamp'), stamp);
    const old = `${outdir}.old-${process.pid}`;
    if (existsSync(outdir)) renameSync(outdir, old);
    try {
      renameSync(tmp, outdir);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another CLI put an identical build in place first
    }
    rmSync(old, { recursive: true, force: true });
  }
  const { main } = await import(pathToFileURL(join(outdir, 'main.js')).href);
  process.exitCode = await main(process.argv.slice(2));
}

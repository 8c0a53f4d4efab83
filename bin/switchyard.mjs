#!/usr/bin/env node
// The switchyard CLI. Bundles the TypeScript sources with esbuild into dist/ (about 0.2 s; no
// loader hook stays resident, which saves ~70 MB of RSS compared with a runtime TS loader),
// then hands over to src/cli/main.ts. When the package folder is read-only, it builds to a
// temporary folder instead.
import { build } from 'esbuild';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let outdir = join(root, 'dist');
try {
  mkdirSync(outdir, { recursive: true });
  accessSync(outdir, constants.W_OK);
} catch {
  outdir = join(tmpdir(), `switchyard-dist-${process.getuid?.() ?? 'user'}`, 'dist');
}
await build({
  entryPoints: { main: join(root, 'src/cli/main.ts') },
  outdir,
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
const { main } = await import(pathToFileURL(join(outdir, 'main.js')).href);
process.exitCode = await main(process.argv.slice(2));

import { build, stop } from 'esbuild';
import { unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';

/**
 * Imports a TypeScript (or JavaScript) file the user wrote — switchyard.config.ts, resolvers/*.ts —
 * without a module loader hook (tsx's costs a worker thread and ~70 MB of RSS for the life of
 * the process). esbuild bundles the file with its relative imports (packages stay external) into a
 * temporary .mjs beside it, so bare imports resolve from the user's project as they would in the
 * source; the temporary file is removed right after it is loaded.
 */
export async function importTs(file: string): Promise<Record<string, unknown>> {
  active++;
  if (idleTimer) clearTimeout(idleTimer);
  const outfile = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.mjs`);
  try {
    await build({
      entryPoints: [file],
      outfile,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
      // The bundle lives beside the source: import.meta.* of the entry keep their meaning.
      define: {
        'import.meta.dirname': JSON.stringify(dirname(file)),
        'import.meta.filename': JSON.stringify(file),
        'import.meta.url': JSON.stringify(pathToFileURL(file).href),
      },
    });
    return (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
  } catch (e) {
    const err = e as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] };
    if (err.errors?.length) {
      const first = err.errors[0]!;
      const at = first.location ? ` (${first.location.file}:${first.location.line}:${first.location.column})` : '';
      throw new Error(`${first.text}${at}`);
    }
    throw e;
  } finally {
    try {
      unlinkSync(outfile);
    } catch {
      // never written: the build failed
    }
    if (--active === 0) idleTimer = setTimeout(() => void stop(), SERVICE_IDLE_MS).unref();
  }
}

/**
 * esbuild runs as a service process that would otherwise stay for the life of the gateway
 * (~12 MB of RSS): stopped once no import has run for a moment (start-up imports several files
 * in a row). A later import starts it again.
 */
const SERVICE_IDLE_MS = 250;
let active = 0;
let idleTimer: NodeJS.Timeout | undefined;

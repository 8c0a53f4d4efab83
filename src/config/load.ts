import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { importTs } from '../util/import-ts';
import { StartupError, type Problem } from '../errors/gateway-error';
import { formatPath, interpolateEnv } from './env';
import { configSchema, type SwitchyardConfig, type SwitchyardConfigInput } from './schema';

export const DEFAULT_CONFIG_FILE = 'switchyard.config.ts';

/**
 * Validates a raw config object: env interpolation, then the zod schema. Every problem is
 * collected (not just the first) and thrown together as a StartupError. The result is frozen.
 */
export function validateConfig(
  raw: unknown,
  opts: { baseDir: string; configFile?: string; env?: NodeJS.ProcessEnv },
): SwitchyardConfig {
  const { value, problems } = interpolateEnv(raw, opts.env ?? process.env);
  const parsed = configSchema.safeParse(value);
  const all: Problem[] = [...problems];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      all.push({
        code: 'CONFIG_INVALID',
        file: opts.configFile,
        key: formatPath(issue.path) || '(root)',
        message: describeIssue(issue),
        fix: fixFor(issue),
      });
    }
  }
  if (all.length || !parsed.success) {
    throw new StartupError(all.map((p) => ({ ...p, file: p.file ?? opts.configFile })));
  }
  return deepFreeze({ ...parsed.data, baseDir: opts.baseDir, configFile: opts.configFile });
}

type Issue = { code: string; message: string; path: PropertyKey[]; keys?: string[]; expected?: unknown; options?: unknown[] };

function describeIssue(issue: Issue): string {
  if (issue.code === 'unrecognized_keys' && issue.keys) return `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}

function fixFor(issue: Issue): string {
  if (issue.code === 'unrecognized_keys') return 'remove the key or check its spelling against the README\'s configuration reference';
  if (issue.code === 'invalid_union' || issue.code === 'invalid_discriminator' || issue.code === 'invalid_value') {
    return 'use rest({...}), grpc({...}) or soap({...}) from "switchyard" to declare a source, or one of the listed values';
  }
  if (issue.code === 'invalid_type') return `give ${formatPath(issue.path)} a value of the expected type`;
  return 'see the configuration reference in the README';
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** Loads switchyard.config.ts (or .js/.mjs/.json) and validates it. */
export async function loadConfig(file = DEFAULT_CONFIG_FILE, env: NodeJS.ProcessEnv = process.env): Promise<SwitchyardConfig> {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new StartupError([
      { code: 'CONFIG_INVALID', file: path, message: 'config file not found', fix: `create ${DEFAULT_CONFIG_FILE} (see README) or pass --config <file>` },
    ]);
  }
  let raw: unknown;
  try {
    const mod = (await importTs(path)) as { default?: SwitchyardConfigInput };
    raw = mod.default;
  } catch (e) {
    throw new StartupError([
      { code: 'CONFIG_INVALID', file: path, message: `could not load the file: ${(e as Error).message}`, fix: 'fix the error named above (syntax, or an import that does not resolve)' },
    ]);
  }
  if (raw === undefined) {
    throw new StartupError([
      { code: 'CONFIG_INVALID', file: path, message: 'the file has no default export', fix: 'end it with `export default defineConfig({...})`' },
    ]);
  }
  return validateConfig(raw, { baseDir: dirname(path), configFile: path, env });
}

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors/codes';

const ROOT = resolve(import.meta.dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('error code registry', () => {
  const used = new Set<string>();
  for (const f of files(join(ROOT, 'src'))) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:GatewayError\(\s*|code: |sendError\(res, |codeFor\w*\([^)]*\): ErrorCode[^']*|return )'([A-Z][A-Z_]+)'/g)) used.add(m[1]!);
  }

  it('every code used in src/ is registered', () => {
    expect(used.size).toBeGreaterThan(5);
    const unknown = [...used].filter((c) => !(c in ERROR_CODES) && /^(UPSTREAM|CONFIG|SPEC|SCHEMA|REQUEST|BAD|NOT|INTERNAL|SHUTTING|COST|RATE|AUTH|UNAUTH|FORBIDDEN)/.test(c));
    expect(unknown).toEqual([]);
  });

  it('every registered code is documented in the README with its fix', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const missing = Object.keys(ERROR_CODES).filter((c) => !readme.includes(`\`${c}\``));
    expect(missing).toEqual([]);
  });

  it('every code has a message, a description and a fix', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(info.message, code).not.toBe('');
      expect(info.description, code).not.toBe('');
      expect(info.fix, code).not.toBe('');
      expect(info.httpStatus, code).toBeGreaterThanOrEqual(400);
    }
  });
});

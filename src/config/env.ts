import type { Problem } from '../errors/gateway-error';

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of the raw config. Returns the new value
 * and the problems (one per missing variable, naming the key that uses it). `$${` escapes a literal.
 */
export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: (string | number)[] = [],
  problems: Problem[] = [],
): { value: unknown; problems: Problem[] } {
  const walk = (v: unknown, p: (string | number)[]): unknown => {
    if (typeof v === 'string') {
      if (!v.includes('${')) return v;
      return v
        .split('$${')
        .map((part) =>
          part.replace(REF, (_m, name: string, dflt: string | undefined) => {
            const got = env[name];
            if (got !== undefined && got !== '') return got;
            if (dflt !== undefined) return dflt;
            problems.push({
              code: 'CONFIG_ENV_MISSING',
              key: formatPath(p),
              message: `environment variable ${name} is not set`,
              fix: `export ${name}=..., or write \${${name}:-default} in the config`,
            });
            return '';
          }),
        )
        .join('${');
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...p, i]));
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, [...p, k]);
      return out;
    }
    return v;
  };
  return { value: walk(value, path), problems };
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

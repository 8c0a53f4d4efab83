import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load';
import { interpolateEnv } from '../../src/config/env';
import { StartupError, formatProblem } from '../../src/errors/gateway-error';

const base = { baseDir: '/tmp', configFile: '/tmp/switchyard.config.ts' };
const rest = (extra: Record<string, unknown> = {}) => ({ kind: 'rest', name: 'users', spec: './users.yaml', ...extra });

function problemsOf(raw: unknown, env: NodeJS.ProcessEnv = {}) {
  try {
    validateConfig(raw, { ...base, env });
  } catch (e) {
    expect(e).toBeInstanceOf(StartupError);
    return (e as StartupError).problems;
  }
  throw new Error('expected the config to be refused');
}

describe('config validation', () => {
  it('fills defaults and freezes the result', () => {
    const cfg = validateConfig({ sources: [rest()] }, { ...base, env: {} });
    expect(cfg.server).toMatchObject({ port: 4000, host: '127.0.0.1', graphqlPath: '/graphql', bodyLimitBytes: 2_000_000, shutdownTimeoutMs: 30_000 });
    expect(cfg.sources[0]).toMatchObject({ timeoutMs: 10_000, basePath: '', fieldNames: 'camelCase' });
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(Object.isFrozen(cfg.sources[0])).toBe(true);
    expect(cfg.baseDir).toBe('/tmp');
  });

  it('lists every problem with its key, not just the first', () => {
    const problems = problemsOf({ server: { port: 'x', colour: 1 }, sources: [rest({ timeoutMs: -5, url: 'not a url' })] });
    const keys = problems.map((p) => p.key);
    expect(keys).toEqual(expect.arrayContaining(['server.port', 'server', 'sources[0].timeoutMs', 'sources[0].url']));
    const unknown = problems.find((p) => p.key === 'server')!;
    expect(unknown.message).toContain('"colour"');
    expect(unknown.fix).toContain('spelling');
    expect(problems.every((p) => p.code === 'CONFIG_INVALID' && p.file === base.configFile)).toBe(true);
    expect(formatProblem(problems[0]!)).toMatch(/CONFIG_INVALID at \/tmp\/switchyard.config.ts .*\n  fix: /);
  });

  it('refuses an unknown source kind and names the fix', () => {
    const problems = problemsOf({ sources: [{ kind: 'ftp', name: 'x' }] });
    expect(problems[0]!.key).toBe('sources[0].kind');
    expect(problems[0]!.fix).toContain('rest({...})');
  });

  it('refuses duplicate source names and bad header values', () => {
    const problems = problemsOf({ sources: [rest(), rest({ headers: { 'x-a': 'a\r\nInjected: 1' } })] });
    expect(problems.map((p) => p.key)).toEqual(expect.arrayContaining(['sources[1].name', 'sources[1].headers.x-a']));
  });

  it('requires at least one source', () => {
    expect(problemsOf({ sources: [] })[0]!.message).toContain('at least one source');
  });
});

describe('environment interpolation', () => {
  it('replaces ${VAR} and ${VAR:-default}, keeps $${ literal', () => {
    const { value, problems } = interpolateEnv({ a: '${HOST}:${PORT:-80}', b: ['x${HOST}'], c: 'cost $${HOST}' }, { HOST: 'h' });
    expect(problems).toEqual([]);
    expect(value).toEqual({ a: 'h:80', b: ['xh'], c: 'cost ${HOST}' });
  });

  it('a missing variable without default names the key and the fix', () => {
    const problems = problemsOf({ sources: [rest({ url: '${USERS_URL}', headers: { authorization: 'Bearer ${TOKEN}' } })] }, {});
    const env = problems.filter((p) => p.code === 'CONFIG_ENV_MISSING');
    expect(env.map((p) => p.key)).toEqual(['sources[0].url', 'sources[0].headers.authorization']);
    expect(env[0]!.message).toContain('USERS_URL');
    expect(env[0]!.fix).toContain('export USERS_URL=');
  });

  it('uses the environment for URLs and secrets', () => {
    const cfg = validateConfig({ sources: [rest({ url: '${USERS_URL}', headers: { 'x-key': '${KEY}' } })] }, { ...base, env: { USERS_URL: 'http://u:1', KEY: 's3cret' } });
    expect(cfg.sources[0]).toMatchObject({ url: 'http://u:1', headers: { 'x-key': 's3cret' } });
  });
});

import { LiteAbort } from '../../src/util/lite-abort';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { buildSchema } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { FALL_BACK, FAST_PATH_PARAMS, FAST_PATH_RESULT, createFastPath, fastPathAllowed, type FastPathInit } from '../../src/server/fast-path';
import { requestError } from '../../src/plugins/request-error';
import { silentLogger } from '../../src/observability/logger';

/** The plugin protocol of the fast path: which plugins keep it on, and what FAST_PATH_PARAMS hooks may return. */
const schema = buildSchema('type Query { hello: String }');
schema.getQueryType()!.getFields().hello!.resolve = () => 'world';

function fastPathWith(...plugins: Plugin[]) {
  const yoga = createYoga<Record<string, unknown>>({ schema, plugins, maskedErrors: true, logging: false });
  return createFastPath(yoga, silentLogger, plugins);
}

function post(headers: Record<string, string>): IncomingMessage {
  return { headers: { 'content-type': 'application/json', ...headers }, url: '/graphql', socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
}
const run = (fp: ReturnType<typeof fastPathWith>, headers: Record<string, string> = {}) =>
  fp(post(headers), Buffer.from(JSON.stringify({ query: '{ hello }' })), new LiteAbort());

describe('fastPathAllowed', () => {
  it('a yoga HTTP hook turns the fast path off unless the plugin offers its fast-path form', () => {
    expect(fastPathAllowed([{ onExecute() {} }])).toBe(true);
    expect(fastPathAllowed([{ onParams() {} }])).toBe(false);
    expect(fastPathAllowed([{ onParams() {}, [FAST_PATH_PARAMS]: () => undefined }])).toBe(true);
    expect(fastPathAllowed([{ onExecutionResult() {} }])).toBe(false);
    expect(fastPathAllowed([{ onExecutionResult() {}, [FAST_PATH_RESULT]: (r: unknown) => r }])).toBe(true);
    expect(fastPathAllowed([{ onParams() {}, onExecutionResult() {}, [FAST_PATH_PARAMS]: () => undefined }])).toBe(false);
    // Hooks with no fast-path form at all.
    expect(fastPathAllowed([{ onRequest() {}, [FAST_PATH_PARAMS]: () => undefined }])).toBe(false);
    expect(fastPathAllowed([{ onResponse() {} }])).toBe(false);
  });
});

describe('FAST_PATH_PARAMS hooks', () => {
  it('see the request (headers view, address) before parse; nothing returned: the query runs', async () => {
    const seen: string[] = [];
    const fp = fastPathWith({
      onParams() {},
      [FAST_PATH_PARAMS]: (init: FastPathInit) => void seen.push(`${init.request.headers.get('Authorization')} ${init.remoteAddress} ${init.params.query}`),
    } as Plugin);
    const answer = await run(fp, { authorization: 'Bearer x' });
    expect(answer).toEqual({ status: 200, contentType: 'application/json; charset=utf-8', body: '{"data":{"hello":"world"}}' });
    expect(seen).toEqual(['Bearer x 127.0.0.1 { hello }']);
  });

  it('a returned result is the answer, with its extensions.http status and headers; the last one wins', async () => {
    const refusal = (code: 'UNAUTHENTICATED' | 'PERSISTED_QUERY_NOT_IN_LIST', headers?: Record<string, string>) => ({ errors: [requestError(code, {}, headers)] });
    const fp = fastPathWith(
      { onParams() {}, [FAST_PATH_PARAMS]: () => refusal('PERSISTED_QUERY_NOT_IN_LIST') } as Plugin,
      { onParams() {}, [FAST_PATH_PARAMS]: async () => refusal('UNAUTHENTICATED', { 'WWW-Authenticate': 'Bearer' }) } as Plugin,
      { onParams() {}, [FAST_PATH_PARAMS]: () => undefined } as Plugin,
    );
    const answer = await run(fp);
    expect(answer?.status).toBe(401);
    expect(answer?.headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
    expect(JSON.parse(answer!.body)).toEqual({ errors: [{ message: 'Authentication is required or the credentials are invalid.', extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('FALL_BACK (sync or async) hands the request to yoga, and later hooks do not run', async () => {
    let later = 0;
    const tail = { onParams() {}, [FAST_PATH_PARAMS]: () => void later++ } as Plugin;
    expect(await run(fastPathWith({ onParams() {}, [FAST_PATH_PARAMS]: () => FALL_BACK } as Plugin, tail))).toBeUndefined();
    expect(await run(fastPathWith({ onParams() {}, [FAST_PATH_PARAMS]: async () => FALL_BACK } as Plugin, tail))).toBeUndefined();
    expect(later).toBe(0);
  });

  it('a plugin that throws in execute gets the answer yoga gives (its extensions.http status), not a second run', async () => {
    let executed = 0;
    const fp = fastPathWith({
      onExecute() {
        executed++;
        throw requestError('FORBIDDEN', {}, undefined, 'not for you');
      },
    } as Plugin);
    const answer = await run(fp);
    expect(executed).toBe(1);
    expect(answer?.status).toBe(403);
    expect(JSON.parse(answer!.body)).toEqual({ errors: [{ message: 'not for you', extensions: { code: 'FORBIDDEN' } }] });
  });
});

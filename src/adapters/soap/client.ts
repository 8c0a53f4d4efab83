import { Pool, request } from 'undici';
import { GatewayError } from '../../errors/gateway-error';
import { parseXml, XmlError, type XmlElement } from './xml';
import type { Decoded } from './decode';
import { badResponse, httpError, timeoutError, unreachableError, type CallSite } from './errors';
import { readAll, TooLarge } from '../../util/read-stream';
import { exchange, type Exchanged } from '../../util/http-exchange';

/**
 * The only code of the SOAP adapter that touches the network: one keep-alive undici Pool per
 * endpoint origin (created lazily, closed on dispose), the attempt's AbortSignal (per-attempt timeout
 * and client cancellation, owned by the source's upstream policy) passed through, redirects never
 * followed, and the answer size capped while reading.
 */

export interface SoapClientOptions {
  source: string;
  timeoutMs: number;
  maxResponseBytes: number;
  connections: number;
  headers: Record<string, string>;
}

export interface SoapCall {
  endpoint: URL;
  soapVersion: '1.1' | '1.2';
  soapAction: string;
  envelope: string;
  operation: string;
  signal: AbortSignal;
  /**
   * Reads a 2xx UTF-8 answer straight into its value (src/adapters/soap/fast-decode.ts); when it
   * returns undefined the answer is parsed into an element tree as usual.
   */
  fastDecode?: (text: string) => Decoded | undefined;
}

export type SoapAnswer = { status: number; decoded: Decoded; root?: undefined } | { status: number; root: XmlElement; decoded?: undefined };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1Decoder = new TextDecoder('windows-1252');
const LATIN1 = /^(iso-8859-1|latin1|windows-1252|cp1252)$/;

export class SoapClient {
  private readonly pools = new Map<string, Pool>();
  private closed = false;

  constructor(private readonly options: SoapClientOptions) {}

  private pool(origin: string): Pool {
    let p = this.pools.get(origin);
    if (!p) {
      p = new Pool(origin, { connections: this.options.connections, keepAliveTimeout: 30_000, pipelining: 1 });
      this.pools.set(origin, p);
    }
    return p;
  }

  /** Sends the envelope; returns the parsed answer root and HTTP status, or throws a GatewayError. */
  async call(c: SoapCall): Promise<SoapAnswer> {
    const site: CallSite = { source: this.options.source, operation: c.operation };
    if (this.closed) throw unreachableError(site, new Error('source disposed'));
    const headers: Record<string, string> = { ...this.options.headers };
    if (c.soapVersion === '1.2') {
      headers['content-type'] = `application/soap+xml; charset=utf-8${c.soapAction ? `; action="${c.soapAction.replace(/["\\\r\n]/g, '')}"` : ''}`;
    } else {
      headers['content-type'] = 'text/xml; charset=utf-8';
      headers['soapaction'] = `"${c.soapAction.replace(/["\r\n]/g, '')}"`;
    }
    headers['accept'] = c.soapVersion === '1.2' ? 'application/soap+xml, text/xml' : 'text/xml, application/soap+xml';

    // The upstream policy (src/resilience) owns the per-attempt timeout and the caller's cancellation:
    // `c.signal` aborts when either fires, and the policy reports UPSTREAM_TIMEOUT for a timed-out attempt.
    let res: Exchanged;
    const max = this.options.maxResponseBytes;
    try {
      res = await exchange(this.pool(c.endpoint.origin), {
        method: 'POST',
        path: c.endpoint.pathname + c.endpoint.search,
        headers,
        body: c.envelope,
        signal: c.signal,
        maxBytes: max,
      });
    } catch (e) {
      if (e instanceof TooLarge) {
        if (e.status !== undefined && e.status >= 300 && e.status < 400) throw httpError(site, e.status);
        throw badResponse(site, e.declared !== undefined ? `answer of ${e.declared} bytes is larger than maxResponseBytes (${max})` : `answer larger than maxResponseBytes (${max})`, e.status ?? 0);
      }
      if (c.signal.aborted) throw abortError(c.signal, site, this.options.timeoutMs);
      throw unreachableError(site, e);
    }
    const status = res.status;
    if (status >= 300 && status < 400) throw httpError(site, status);
    const body = res.body;
    const charset = /;\s*charset="?([^";\s]+)/i.exec(res.contentType)?.[1]?.toLowerCase();
    const latin1 = charset !== undefined && LATIN1.test(charset);
    let text: string;
    try {
      if (charset !== undefined && !latin1 && !/^(utf-?8|us-ascii)$/.test(charset)) throw new Error(`charset ${charset}`);
      text = latin1 ? latin1Decoder.decode(body) : utf8.decode(body);
    } catch (e) {
      if (status < 200 || status >= 300) throw httpError(site, status);
      throw badResponse(site, `the answer is not valid UTF-8 (${(e as Error).message})`, status);
    }
    if (c.fastDecode && !latin1 && status >= 200 && status < 300) {
      const decoded = c.fastDecode(text);
      if (decoded !== undefined) return { status, decoded };
    }
    let root;
    try {
      // A Latin-1 answer was decoded by its HTTP charset; its XML declaration then names that charset.
      root = parseXml(text, latin1 ? { ignoreEncoding: true } : {});
    } catch (e) {
      if (status < 200 || status >= 300) throw httpError(site, status);
      if (e instanceof XmlError) throw badResponse(site, e.message, status, e);
      throw e;
    }
    return { status, root };
  }

  async dispose(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => p.destroy())));
  }
}

/** The attempt was aborted: the policy's own UPSTREAM_TIMEOUT (which names the timeout that fired) when it gave one. */
function abortError(signal: AbortSignal, site: CallSite, timeoutMs: number): GatewayError {
  return signal.reason instanceof GatewayError ? signal.reason : timeoutError(site, timeoutMs);
}

/** Drops an answer body we will not read; its late 'error' (aborted) must not become an unhandled error. */
function discard(body: { on(event: 'error', fn: () => void): unknown; destroy(): unknown }): void {
  body.on('error', () => {});
  body.destroy();
}

/** Fetches the configured WSDL URL (import time only): no redirects, 20 MiB cap, deadline. */
export async function fetchWsdl(url: string, timeoutMs: number): Promise<Buffer> {
  // undici's request() never follows redirects (no redirect interceptor is installed).
  const res = await request(url, { method: 'GET', signal: AbortSignal.timeout(Math.max(timeoutMs, 10_000)) });
  if (res.statusCode !== 200) {
    discard(res.body);
    throw new Error(`HTTP ${res.statusCode}${res.statusCode >= 300 && res.statusCode < 400 ? ' (redirects are not followed; use the final URL)' : ''}`);
  }
  try {
    return await readAll(res.body, 20 * 1024 * 1024);
  } catch (e) {
    throw e instanceof TooLarge ? new Error('WSDL larger than 20 MiB') : e;
  }
}

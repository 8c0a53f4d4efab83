import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { grpcInstances, type GrpcSourceOptions } from './options';
import type { Logger } from '../types';
import type { Identity } from '../../policy/identity';
import { silentLogger } from '../../observability/logger';
import { requestSignal, type GatewayContext } from '../../context';
import { createUpstreamPolicy, RESILIENCE_DEFAULTS, stickyKeyFor, type Instance, type UpstreamPolicy } from '../../resilience';
import { badResponse, toGatewayError } from './errors';
import { REFLECTION_PATHS, ReflectionRequest, ReflectionResponse, fileInfo, type ReflectionRequestMsg, type ReflectionResponseMsg } from './reflection';

/**
 * The only file that touches @grpc/grpc-js. One `grpc.Client` (= one channel) per upstream instance
 * (`address` or each of `addresses`), created at start-up; grpc-js connects lazily on the first
 * call and reconnects on its own. Unary calls go through the source's upstream policy
 * (src/resilience): instance choice, deadline, retries of idempotent calls, breaker, limits.
 */

export interface CallSpec<Req, Res> {
  /** `/pkg.Service/Method` */
  path: string;
  /** `pkg.Service/Method`, for errors. */
  operation: string;
  /** Safe to retry on UNAVAILABLE / connection errors (queries, or marked in `resilience.operations`). @default false */
  idempotent?: boolean;
  /** Per-call deadline override from `resilience.operations`, in ms. */
  timeoutMs?: number;
  serialize(req: Req): Buffer;
  /**
   * Decodes one message (for simple types straight into its GraphQL value, see wire-decode.ts);
   * must not return null (grpc-js reads null as "no message"). grpc-js calls it and reports what
   * it throws as INTERNAL "Response message parsing error" (UPSTREAM_BAD_RESPONSE, errors.ts).
   */
  deserialize(buf: Buffer): object;
  /** Result of `deserialize` -> GraphQL value (a pass-through when it already is one); what it throws is UPSTREAM_BAD_RESPONSE via badResponse. */
  convert(msg: object): Res;
}

export interface CallContext {
  signal?: AbortSignal;
  requestHeaders?: Headers;
  /** For sticky routing by caller identity. */
  identity?: Identity;
  /** The request's end-to-end deadline (ms since epoch): the call's gRPC deadline never exceeds it. */
  deadline?: number;
  /** Identity headers per source, set by the auth plugin (`auth.forward`). */
  upstreamHeaders?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface GrpcClient {
  unary<Req, Res>(spec: CallSpec<Req, Res>, req: Req, ctx: CallContext): Promise<Res>;
  /** Server streaming as an AsyncIterator: `return()` or an aborted signal cancels the call. */
  serverStream<Req, Res>(spec: CallSpec<Req, Res>, req: Req, ctx: CallContext): AsyncIterableIterator<Res>;
  /** Readiness of the source (one healthy instance, or `resilience.readiness: 'always'`). */
  healthy(): boolean;
  readonly policy: UpstreamPolicy;
  close(): void;
}

function pem(value: string | undefined, baseDir: string): Buffer | null {
  if (value === undefined) return null;
  if (value.includes('-----BEGIN')) return Buffer.from(value);
  return readFileSync(path.resolve(baseDir, value));
}

function credentialsFor(options: GrpcSourceOptions, baseDir: string): grpc.ChannelCredentials {
  return options.tls === false
    ? grpc.credentials.createInsecure()
    : grpc.credentials.createSsl(pem(options.tls.ca, baseDir), pem(options.tls.key, baseDir), pem(options.tls.cert, baseDir));
}

function staticMetadata(options: GrpcSourceOptions): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(options.metadata)) {
    if (k.endsWith('-bin')) md.add(k, Buffer.from(v, 'base64'));
    else md.add(k, v);
  }
  return md;
}

export interface ReflectedFiles {
  /** Fully qualified service names the server lists (reflection itself excluded). */
  services: string[];
  /** Serialized FileDescriptorProtos: the services' files and all their dependencies. */
  files: Uint8Array[];
}

/**
 * Asks the upstream's reflection service (v1, then v1alpha) for its services and every file
 * they need. One short-lived channel, closed before returning.
 */
export async function reflectFiles(options: GrpcSourceOptions, baseDir: string): Promise<ReflectedFiles> {
  const client = new grpc.Client(grpcInstances(options)[0]!.target, credentialsFor(options, baseDir));
  try {
    let lastError: unknown;
    for (const path of REFLECTION_PATHS) {
      try {
        return await reflectOnce(client, path, staticMetadata(options), options.timeoutMs);
      } catch (e) {
        lastError = e;
        if ((e as grpc.ServiceError).code !== grpc.status.UNIMPLEMENTED) break;
      }
    }
    throw lastError;
  } finally {
    client.close();
  }
}

function reflectOnce(client: grpc.Client, path: string, metadata: grpc.Metadata, timeoutMs: number): Promise<ReflectedFiles> {
  return new Promise((resolve, reject) => {
    const call = client.makeBidiStreamRequest(
      path,
      (req: ReflectionRequestMsg) => Buffer.from(ReflectionRequest.encode(req).finish()),
      (buf: Buffer) => ReflectionResponse.toObject(ReflectionResponse.decode(buf), { defaults: false, arrays: true }) as ReflectionResponseMsg,
      metadata,
      { deadline: Date.now() + Math.max(timeoutMs, 5_000) },
    );
    const services: string[] = [];
    const files = new Map<string, Uint8Array>();
    const requested = new Set<string>();
    let pending = 0;
    let settled = false;
    const send = (req: ReflectionRequestMsg) => {
      pending++;
      call.write(req);
    };
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      call.cancel();
      reject(e);
    };
    call.on('data', (res: ReflectionResponseMsg) => {
      pending--;
      if (res.error_response) return fail(new Error(`reflection: ${res.error_response.error_message} (code ${res.error_response.error_code})`));
      if (res.list_services_response) {
        for (const { name } of res.list_services_response.service) {
          if (name.startsWith('grpc.reflection.')) continue;
          services.push(name);
          send({ file_containing_symbol: name });
        }
      }
      for (const bytes of res.file_descriptor_response?.file_descriptor_proto ?? []) {
        const { name, dependencies } = fileInfo(bytes);
        if (files.has(name)) continue;
        files.set(name, bytes);
        for (const dep of dependencies) {
          if (files.has(dep) || requested.has(dep)) continue;
          requested.add(dep);
          send({ file_by_filename: dep });
        }
      }
      if (pending === 0 && !settled) {
        settled = true;
        call.end();
        resolve({ services, files: [...files.values()] });
      }
    });
    call.on('error', (e) => fail(e));
    call.on('end', () => fail(new Error('reflection stream ended before all files arrived')));
    send({ list_services: '*' });
  });
}

const HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';

/** grpc.health.v1.HealthCheckRequest { string service = 1; } */
function encodeHealthRequest(service: string): Buffer {
  const name = Buffer.from(service);
  return name.length ? Buffer.concat([Buffer.from([0x0a, name.length]), name]) : Buffer.alloc(0);
}

/** grpc.health.v1.HealthCheckResponse { ServingStatus status = 1; } → the status number (0 when absent). */
function decodeHealthStatus(buf: Buffer): number {
  for (let i = 0; i < buf.length; ) {
    const tag = buf[i++]!;
    let v = 0;
    for (let shift = 0; i < buf.length; shift += 7) {
      const b = buf[i++]!;
      v |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    if (tag === 0x08) return v;
    if ((tag & 7) === 2) i += v; // skip an unknown length-delimited field
  }
  return 0;
}

export function createGrpcClient(options: GrpcSourceOptions, baseDir: string, logger: Logger = silentLogger): GrpcClient {
  const credentials = credentialsFor(options, baseDir);
  const resilience = options.resilience ?? RESILIENCE_DEFAULTS;
  const channels = new Map<string, grpc.Client>();
  for (const { target } of grpcInstances(options)) {
    channels.set(
      target,
      new grpc.Client(target, credentials, {
        'grpc.keepalive_time_ms': options.keepaliveMs,
        'grpc.keepalive_timeout_ms': 10_000,
        // Ping only while calls are open: idle pings trip default server keepalive policies.
        'grpc.keepalive_permit_without_calls': 0,
        'grpc.max_receive_message_length': 64 * 1024 * 1024,
      }),
    );
  }
  const channelOf = (instance: Instance) => channels.get(instance.target)!;
  // Active check: grpc.health.v1 SERVING; a server without the health service (UNIMPLEMENTED) answered, so it is up.
  const probe = (instance: Instance, signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const call = channelOf(instance).makeUnaryRequest(
        HEALTH_CHECK_PATH,
        (b: Buffer) => b,
        (b: Buffer) => b,
        encodeHealthRequest(resilience.healthCheck.service),
        new grpc.Metadata(),
        { deadline: Date.now() + resilience.healthCheck.timeoutMs },
        (err, res) => {
          signal.removeEventListener('abort', onAbort);
          if (err) return err.code === grpc.status.UNIMPLEMENTED ? resolve() : reject(err);
          const status = decodeHealthStatus(res as Buffer);
          if (status === 1) resolve();
          else reject(new Error(`health status ${status} (not SERVING)`));
        },
      );
      const onAbort = () => call.cancel();
      signal.addEventListener('abort', onAbort, { once: true });
    });
  const policy = createUpstreamPolicy(options.name, { instances: grpcInstances(options), resilience, timeoutMs: options.timeoutMs, probe }, logger);
  const source = options.name;
  const base = staticMetadata(options);
  const forward = options.forwardHeaders;

  const metadataFor = (ctx: CallContext): grpc.Metadata => {
    const md = base.clone();
    if (forward.length && ctx.requestHeaders) {
      for (const name of forward) {
        const v = ctx.requestHeaders.get(name);
        if (v !== null && !name.endsWith('-bin')) md.set(name, v);
      }
    }
    // Identity from the auth plugin (`auth.forward.<source>`): replaces any client-sent value;
    // an empty value (the caller has no such claim) removes the key.
    const fromIdentity = ctx.upstreamHeaders?.[source];
    if (fromIdentity) {
      for (const [k, v] of Object.entries(fromIdentity)) {
        const key = k.toLowerCase();
        if (v === '') md.remove(key);
        else md.set(key, v);
      }
    }
    return md;
  };
  const stickyKey = (ctx: CallContext) =>
    resilience.sticky && ctx.requestHeaders ? stickyKeyFor(resilience.sticky, { requestHeaders: ctx.requestHeaders, ...(ctx.identity ? { identity: ctx.identity } : {}) }) : undefined;

  /** One unary exchange with one instance; the deadline comes from the policy (per-call timeout ∧ request deadline). */
  const unaryOnce = <Req, Res>(client: grpc.Client, spec: CallSpec<Req, Res>, req: Req, metadata: grpc.Metadata, signal: AbortSignal, deadline: number) =>
    new Promise<Res>((resolve, reject) => {
      if (signal.aborted) {
        reject(toGatewayError({ code: grpc.status.CANCELLED, details: 'request aborted before the call' }, source, spec.operation));
        return;
      }
      const onAbort = () => call.cancel();
      const call = client.makeUnaryRequest(spec.path, spec.serialize, spec.deserialize, req, metadata, { deadline }, (err, res) => {
        signal.removeEventListener('abort', onAbort);
        // Cancelled by the policy's timer at the same deadline: report it as the deadline it is.
        const byDeadline = err?.code === grpc.status.CANCELLED && (signal.reason as { code?: string } | undefined)?.code === 'UPSTREAM_TIMEOUT';
        if (err) reject(toGatewayError(byDeadline ? { code: grpc.status.DEADLINE_EXCEEDED, details: 'deadline exceeded' } : err, source, spec.operation));
        else {
          try {
            resolve(spec.convert(res as object));
          } catch (e) {
            reject(badResponse(e, source, spec.operation));
          }
        }
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });

  return {
    policy,
    unary(spec, req, ctx) {
      const metadata = metadataFor(ctx);
      const key = stickyKey(ctx);
      return policy.execute((instance, signal, info) => unaryOnce(channelOf(instance), spec, req, metadata, signal, info.deadline), {
        idempotent: spec.idempotent ?? false,
        signal: requestSignal(ctx as GatewayContext),
        operation: spec.operation,
        ...(ctx.deadline !== undefined ? { deadline: ctx.deadline } : {}),
        ...(key !== undefined ? { stickyKey: key } : {}),
        ...(spec.timeoutMs ? { timeoutMs: spec.timeoutMs } : {}),
      });
    },

    serverStream(spec, req, ctx) {
      // Streams carry no deadline: a subscription lives until the client or upstream ends it.
      // They take an instance from the balancer but no retries (a restarted stream would replay events).
      const client = channelOf(policy.choose(stickyKey(ctx)));
      const streamSignal = ctx.signal ? requestSignal(ctx as GatewayContext) : undefined;
      const call = client.makeServerStreamRequest(spec.path, spec.serialize, spec.deserialize, req, metadataFor(ctx), {});
      const HIGH_WATER = 64;
      const buffer: unknown[] = [];
      const waiting: { resolve: (r: IteratorResult<never>) => void; reject: (e: unknown) => void }[] = [];
      let failure: unknown = null;
      let done = false;
      let received = 0;
      let paused = false;

      const finish = () => {
        done = true;
        streamSignal?.removeEventListener('abort', cancel);
        while (waiting.length) {
          const w = waiting.shift()!;
          if (failure && buffer.length === 0) {
            w.reject(failure);
            failure = null;
          } else w.resolve({ value: undefined as never, done: true });
        }
      };
      function cancel() {
        if (done) return;
        buffer.length = 0;
        call.cancel();
        finish();
      }
      call.on('data', (decoded: object) => {
        received++;
        let msg: unknown;
        try {
          msg = spec.convert(decoded);
        } catch (e) {
          // Never throw inside a grpc-js event: end the subscription with an error instead.
          failure = badResponse(e, source, spec.operation);
          buffer.length = 0;
          call.cancel();
          finish();
          return;
        }
        const w = waiting.shift();
        if (w) w.resolve({ value: msg as never, done: false });
        else {
          buffer.push(msg);
          if (buffer.length >= HIGH_WATER && !paused) {
            paused = true;
            call.pause();
          }
        }
      });
      call.on('error', (err: grpc.ServiceError) => {
        if (done) return; // our own cancel()
        failure = toGatewayError(err, source, spec.operation, received > 0);
        finish();
      });
      call.on('end', () => {
        if (!done) finish();
      });
      streamSignal?.addEventListener('abort', cancel, { once: true });

      const iterator: AsyncIterableIterator<never> = {
        next() {
          if (buffer.length) {
            const value = buffer.shift() as never;
            if (paused && buffer.length < HIGH_WATER / 2) {
              paused = false;
              call.resume();
            }
            return Promise.resolve({ value, done: false });
          }
          if (done) {
            if (failure) {
              const f = failure;
              failure = null;
              return Promise.reject(f);
            }
            return Promise.resolve({ value: undefined as never, done: true });
          }
          return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
        },
        return() {
          cancel();
          return Promise.resolve({ value: undefined as never, done: true });
        },
        throw(err?: unknown) {
          cancel();
          return Promise.reject(err);
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },

    healthy: () => policy.healthy(),

    close() {
      policy.dispose();
      for (const c of channels.values()) c.close();
    },
  };
}

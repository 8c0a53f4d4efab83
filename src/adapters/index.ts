import type { SourceOptions } from '../config/schema';
import type { Adapter, SourceOptionsBase } from './types';
import { restAdapter } from './rest';
import { grpcAdapter } from './grpc';
import { soapAdapter } from './soap';

/** kind -> adapter. A new protocol is a new folder here plus one line in this table. */
const ADAPTERS = {
  rest: restAdapter,
  grpc: grpcAdapter,
  soap: soapAdapter,
} as const;

export function adapterFor(options: SourceOptions): Adapter<SourceOptionsBase> {
  return ADAPTERS[options.kind] as unknown as Adapter<SourceOptionsBase>;
}

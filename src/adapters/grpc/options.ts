import { z } from 'zod';
import { sourceName } from '../../config/common';

/** Options of a gRPC source (filled in by the gRPC adapter; see issue #4). */
export const grpcOptionsSchema = z
  .object({
    kind: z.literal('grpc'),
    name: sourceName,
    /** .proto file(s), relative to the config file. */
    protos: z.union([z.string(), z.array(z.string()).min(1)]),
    /** Import roots for `import "..."` in the protos. @default the proto's directory */
    includeDirs: z.array(z.string()).default([]),
    /** host:port of the upstream. */
    address: z.string().min(1),
    /** Per-call deadline in milliseconds. @default 10000 */
    timeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();

export type GrpcSourceOptions = z.output<typeof grpcOptionsSchema>;
export type GrpcSourceInput = Omit<z.input<typeof grpcOptionsSchema>, 'kind'>;

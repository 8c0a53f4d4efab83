import type { Adapter } from '../types';
import type { GrpcSourceOptions } from './options';
import { GatewayError } from '../../errors/gateway-error';

// Placeholder until the gRPC adapter lands (issue #4).
export const grpcAdapter = {
  kind: 'grpc',
  async importSource(options) {
    throw new GatewayError('SPEC_INVALID', { message: `source ${options.name}: gRPC sources are not implemented yet` });
  },
  createRuntime() {
    throw new Error('not implemented');
  },
} satisfies Adapter<GrpcSourceOptions>;

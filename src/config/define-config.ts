import type { SwitchyardConfigInput } from './schema';
import type { RestSourceInput } from '../adapters/rest/options';
import type { GrpcSourceInput } from '../adapters/grpc/options';
import type { SoapSourceInput } from '../adapters/soap/options';

/** Typed identity: gives editors completion for switchyard.config.ts. Validation happens at start-up. */
export function defineConfig(config: SwitchyardConfigInput): SwitchyardConfigInput {
  return config;
}

/** A REST source described by an OpenAPI 3.x or Swagger 2.0 document. */
export function rest(options: RestSourceInput) {
  return { kind: 'rest' as const, ...options };
}

/** A gRPC source described by .proto files. */
export function grpc(options: GrpcSourceInput) {
  return { kind: 'grpc' as const, ...options };
}

/** A SOAP source described by a WSDL. */
export function soap(options: SoapSourceInput) {
  return { kind: 'soap' as const, ...options };
}

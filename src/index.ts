/** Public API of switchyard: what switchyard.config.ts and embedding code import. */
export { defineConfig, rest, grpc, soap } from './config/define-config';
export type { SwitchyardConfig, SwitchyardConfigInput, SourceOptions } from './config/schema';
export { loadConfig, validateConfig } from './config/load';
export { buildGateway, type Gateway } from './app';
export { GatewayError, StartupError } from './errors/gateway-error';
export { ERROR_CODES, type ErrorCode } from './errors/codes';
export type { ResolverHelpers, ResolverModule } from './stitching/client-layer';
export type { GatewayContext } from './context';

import type { Adapter } from '../types';
import type { SoapSourceOptions } from './options';
import { GatewayError } from '../../errors/gateway-error';

// Placeholder until the SOAP adapter lands (issue #5).
export const soapAdapter = {
  kind: 'soap',
  async importSource(options) {
    throw new GatewayError('SPEC_INVALID', { message: `source ${options.name}: SOAP sources are not implemented yet` });
  },
  createRuntime() {
    throw new Error('not implemented');
  },
} satisfies Adapter<SoapSourceOptions>;

import { z } from 'zod';
import { sourceName } from '../../config/common';

/** Options of a SOAP source (filled in by the SOAP adapter; see issue #5). */
export const soapOptionsSchema = z
  .object({
    kind: z.literal('soap'),
    name: sourceName,
    /** WSDL file (relative to the config file) or URL. */
    wsdl: z.string().min(1),
    /** Endpoint URL; overrides the WSDL's soap:address. */
    url: z.string().url().optional(),
    /** Per-call timeout in milliseconds. @default 10000 */
    timeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();

export type SoapSourceOptions = z.output<typeof soapOptionsSchema>;
export type SoapSourceInput = Omit<z.input<typeof soapOptionsSchema>, 'kind'>;

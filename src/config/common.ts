import { z } from 'zod';

export const sourceName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a letter followed by letters, digits or "_" (it names folders and GraphQL types)');

export const headerMap = z.record(
  z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'not a valid HTTP header name'),
  z.string().refine((v) => !/[\r\n]/.test(v), 'header values must not contain CR or LF'),
);

import type { Adapter } from '../types';
import type { RestSourceOptions } from './options';
import type { RestPlan } from './plan';
import { importOpenApi } from './import';
import { createRestRuntime } from './runtime';

/** REST sources described by OpenAPI 3.0/3.1 or Swagger 2.0. */
export const restAdapter = {
  kind: 'rest',
  importSource: (options, env) => importOpenApi(options, env),
  createRuntime: (imported, options, env) => createRestRuntime(imported, options, env.logger),
} satisfies Adapter<RestSourceOptions, RestPlan>;

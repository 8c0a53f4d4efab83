import { z } from 'zod';
import { costOptionsSchema, limitsOptionsSchema } from '../policy/options';

const coordinate = z.string().regex(/^[_A-Za-z][_0-9A-Za-z]*(\.([_A-Za-z][_0-9A-Za-z]*|\*))?$/, "use 'Type', 'Type.field' or 'Type.*'");
const graphqlName = z.string().regex(/^[_A-Za-z][_0-9A-Za-z]*$/, 'must be a GraphQL name');

/** One client view (web, mobile, partner): a shape of the one graph plus its own limits. */
export const clientViewSchema = z
  .object({
    /** Keep only these root fields/types (`Type`, `Type.field`, `Type.*`). @default everything */
    include: z.array(coordinate).default([]),
    /** Drop these (`Type`, `Type.field`, `Type.*`). @default [] */
    exclude: z.array(coordinate).default([]),
    /** Keep only root fields tagged `@tag(name:)` with one of these. @default [] (no tag filter) */
    includeTags: z.array(z.string()).default([]),
    /** Drop every field and type tagged with one of these. @default [] */
    excludeTags: z.array(z.string()).default([]),
    /** Rename types and fields (original names): `{ types: { User: 'Customer' }, fields: { 'User.name': 'fullName' } }`. */
    rename: z
      .object({ types: z.record(graphqlName, graphqlName).default({}), fields: z.record(coordinate, graphqlName).default({}) })
      .strict()
      .default({ types: {}, fields: {} }),
    /**
     * Who may use this view. Empty = anyone who may use the gateway. Otherwise a request must
     * present an API key of one of `apiKeyClients`, or a JWT whose claim `claim` equals one of `claimValues`.
     */
    allow: z
      .object({
        apiKeyClients: z.array(z.string()).default([]),
        claim: z.string().optional(),
        claimValues: z.array(z.string()).default([]),
      })
      .strict()
      .default({ apiKeyClients: [], claimValues: [] }),
    /** GraphiQL for this view (served at /graphql/<client>). @default inherited from server.graphiql */
    graphiql: z
      .object({ enabled: z.boolean().optional(), title: z.string().optional(), defaultQuery: z.string().optional() })
      .strict()
      .default({}),
    /** Operation limits of this view only, over the top-level `limits` (e.g. `{ maxDepth: 6, introspection: false }`). */
    limits: limitsOptionsSchema.partial().default({}),
    /** Cost limits of this view only, over the top-level `cost` (e.g. `{ maxCost: 500 }`). */
    cost: costOptionsSchema.partial().default({}),
    /** Only trusted documents may run on this view (needs the top-level `trustedDocuments`). @default false */
    trustedDocumentsOnly: z.boolean().default(false),
  })
  .strict();

export const clientsSchema = z.record(
  z.string().regex(/^[a-z][a-z0-9-]*$/, 'client names are lower-case letters, digits and "-" (they become URL paths)'),
  clientViewSchema,
);

export type ClientViewOptions = z.output<typeof clientViewSchema>;

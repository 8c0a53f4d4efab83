/**
 * What the OpenAPI importer hands to the REST client: everything needed to turn a GraphQL field
 * call into an HTTP request and the answer back into GraphQL-shaped data. Plain JSON data (no
 * functions), so it can be inspected and snapshotted.
 */
export interface RestPlan {
  /** `servers[].url` of the spec (Swagger 2: scheme://host/basePath), variables substituted with defaults. */
  servers: string[];
  /** Keyed by `Query.<field>` / `Mutation.<field>`. */
  operations: Record<string, RestOperationPlan>;
  /**
   * Object types whose GraphQL field names differ from the JSON property names:
   * `typeName -> { graphqlField: jsonKey }`. Only renamed fields are listed.
   */
  outputFieldMaps: Record<string, Record<string, string>>;
  /** Input object types: how to turn a GraphQL input value back into JSON. */
  inputTypes: Record<string, RestInputTypePlan>;
  /** Unions (oneOf/anyOf) and how to pick the member type for a JSON object. */
  abstractTypes: Record<string, RestAbstractTypePlan>;
}

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'OPTIONS' | 'HEAD' | 'PATCH' | 'TRACE';

export interface RestOperationPlan {
  operationId?: string;
  method: HttpMethod;
  /** Path template as in the spec, e.g. `/users/{id}` or `/lists/{date}/{list}.json`. */
  path: string;
  params: RestParamPlan[];
  body?: RestBodyPlan;
  response: RestResponsePlan;
  /**
   * True when the operation looks up one entity (GET with path parameters returning an object):
   * a 404 then resolves the field to null with an UPSTREAM_NOT_FOUND error instead of failing.
   */
  entityLookup: boolean;
  /**
   * Operation- or path-level `servers` override (e.g. Stripe's `PostFiles` on files.stripe.com).
   * When set (and the source has no `url` option), these replace `RestPlan.servers` for this call.
   */
  servers?: string[];
}

export type ParamStyle = 'form' | 'simple' | 'label' | 'matrix' | 'deepObject' | 'pipeDelimited' | 'spaceDelimited';

export interface RestParamPlan {
  /** Name in the spec (what goes on the wire). */
  name: string;
  /** GraphQL argument name. */
  argName: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  /** Serialisation per OpenAPI 3 (Swagger 2 `collectionFormat` is translated to these). */
  style: ParamStyle;
  explode: boolean;
  allowReserved: boolean;
  required: boolean;
  /** Shape of the value, for serialisation. */
  shape: 'primitive' | 'array' | 'object';
  /** GraphQL input type name when `shape` is object (for field renaming), else undefined. */
  inputType?: string;
  /** A default from the spec, sent when the argument is not given (query/header only). */
  default?: unknown;
}

export interface RestBodyPlan {
  /** GraphQL argument carrying the body (usually `input`). */
  argName: string;
  required: boolean;
  /** `application/json`, `application/x-www-form-urlencoded`, `multipart/form-data`, `text/plain`, `application/octet-stream`... */
  contentType: string;
  /** GraphQL input type name of the argument when it is an input object (or list of them). */
  inputType?: string;
}

export interface RestResponsePlan {
  /**
   * `json`: parse JSON; `text`: return the body as a string; `empty`: no body (204), the field is Void/Boolean;
   * `binary`: return base64.
   */
  kind: 'json' | 'text' | 'empty' | 'binary';
  /** GraphQL type name of the success result (after unwrapping lists / non-null), for documentation. */
  typeName?: string;
}

export interface RestInputTypePlan {
  /** `graphqlField -> { json: jsonKey, type?: nested input type name (lists included) }`. */
  fields: Record<string, { json: string; type?: string }>;
  /**
   * For a oneOf/anyOf input, GraphQL has no input unions: the importer builds a `@oneOf`-style
   * input with one field per member; `oneOfMembers` lists those field names (the chosen member's
   * value is sent as the body itself, not wrapped).
   */
  oneOfMembers?: string[];
}

export interface RestAbstractTypePlan {
  /** The discriminator, when the spec declares one (inline or via `mapping`). */
  discriminator?: {
    /** JSON property name carrying the discriminator value. */
    property: string;
    /** discriminator value -> GraphQL member type name (explicit `mapping` plus implicit schema names). */
    mapping: Record<string, string>;
  };
  /** Members in spec order with their required JSON keys, for duck typing when there is no discriminator. */
  members: { typeName: string; requiredKeys: string[]; jsonKeys: string[] }[];
}

import { getDirectiveValues, type GraphQLDirective, type GraphQLSchema } from 'graphql';

/**
 * Definitions of the policy directives the client layer (schemas/*.graphql) may use. Always part
 * of the gateway schema. `@cost`/`@listSize` follow the IBM GraphQL cost directive specification.
 */
export const POLICY_DIRECTIVES_SDL = /* GraphQL */ `
"The field (or every field returning / of this type) needs an authenticated caller (JWT or API key)."
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
"The caller needs every scope of at least one inner list: [[\\"a\\", \\"b\\"], [\\"c\\"]] = (a AND b) OR c."
directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
"Named checks from auth.policies; same AND/OR shape as @requiresScopes."
directive @policy(policies: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
"Cost weight of the field or type (default: 1 for objects, 0 for scalars and enums)."
directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
"Size of a list field: the largest slicing argument given, else assumedSize, else cost.defaultListSize."
directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
`;

interface HasDirectives {
  astNode?: { directives?: readonly import('graphql').ConstDirectiveNode[] } | null | undefined;
  extensionASTNodes?: readonly { directives?: readonly import('graphql').ConstDirectiveNode[] }[];
}

/** Arguments of `@name` on a schema element (definition or extensions), or undefined when absent. */
export function directiveArgs(schema: GraphQLSchema, element: HasDirectives, name: string): Record<string, unknown> | undefined {
  const def: GraphQLDirective | null | undefined = schema.getDirective(name);
  if (!def) return undefined;
  for (const node of [element.astNode, ...(element.extensionASTNodes ?? [])]) {
    if (!node?.directives?.some((d) => d.name.value === name)) continue;
    return getDirectiveValues(def, node as { directives: readonly import('graphql').DirectiveNode[] }) ?? undefined;
  }
  return undefined;
}

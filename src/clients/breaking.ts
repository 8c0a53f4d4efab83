import { findBreakingChanges, type GraphQLSchema } from 'graphql';

/**
 * Breaking changes between a view's committed SDL and the schema built now, in words a reviewer
 * can act on: removed fields and types, changed types, new required arguments.
 */
export interface BreakingChange {
  kind: string;
  description: string;
}

export function breakingChanges(committed: GraphQLSchema, built: GraphQLSchema): BreakingChange[] {
  return findBreakingChanges(committed, built).map((c) => ({ kind: c.type, description: c.description }));
}

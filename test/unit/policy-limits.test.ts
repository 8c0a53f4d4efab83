import { describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { checkOperationLimits, measureDocument } from '../../src/policy/limits';

const limits = { maxDepth: 10, maxAliases: 15, maxDirectives: 50 };
const nested = (n: number) => '{ ' + 'a { '.repeat(n - 1) + 'b' + ' }'.repeat(n - 1) + ' }';

describe('operation limits', () => {
  it('depth exactly at the limit passes, one more fails with the found depth', () => {
    expect(measureDocument(parse(nested(10))).depth).toBe(10);
    expect(checkOperationLimits(parse(nested(10)), limits)).toBeUndefined();
    const e = checkOperationLimits(parse(nested(11)), limits)!;
    expect(e.extensions.code).toBe('MAX_DEPTH_LIMIT');
    expect(e.message).toBe('Query depth limit of 10 exceeded, found 11.');
  });

  it('depth counts through fragments (shallow and deep spreads) and names like __schema do not bypass it', () => {
    const q = `query __schema { a { ...__schema } b { a { a { a { a { a { a { a { ...__schema } } } } } } } } }
      fragment __schema on T { a { a { b } } }`;
    expect(measureDocument(parse(q)).depth).toBe(11);
  });

  it('aliases: 15 pass, 16 fail, __typename aliases are free', () => {
    const aliases = (n: number) => '{ ' + Array.from({ length: n }, (_, i) => `a${i}: f`).join(' ') + ' t1: __typename t2: __typename }';
    expect(checkOperationLimits(parse(aliases(15)), limits)).toBeUndefined();
    expect(checkOperationLimits(parse(aliases(16)), limits)!.extensions.code).toBe('MAX_ALIASES_LIMIT');
  });

  it('directives: 50 pass, 51 fail', () => {
    const dirs = (n: number) => '{ __typename ' + '@a'.repeat(n) + ' }';
    expect(checkOperationLimits(parse(dirs(50)), limits)).toBeUndefined();
    expect(checkOperationLimits(parse(dirs(51)), limits)!.extensions.code).toBe('MAX_DIRECTIVES_LIMIT');
  });

  it('does not recurse forever on fragment cycles', () => {
    expect(measureDocument(parse('{ ...A } fragment A on Q { x { ...B } } fragment B on Q { y { ...A } }')).depth).toBe(2);
  });
});

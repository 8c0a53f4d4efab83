import { documentStringMap } from '@envelop/core';
import type { DocumentNode, ExecutionArgs, ExecutionResult, GraphQLError, GraphQLSchema, ValidationRule } from 'graphql';

/**
 * The envelop pipeline (parse, validate, context, execute) for the fast path, without envelop's
 * general orchestrator: the same plugins' hooks, called in the same order with the same arguments
 * and setters, but synchronously unless a hook returns a promise, and with no per-request wrappers
 * (instrumentation, promise helpers). Envelop builds five closures and a promise chain per request
 * and, under load, V8 kept re-optimising them (about 4% of a reference request's CPU went to
 * recompiling envelop's per-request closures); this is about a tenth of a small request's CPU.
 *
 * Only the hooks an HTTP query or mutation reaches are covered. `usable` says whether a plugin list
 * can run here: no instrumentation and no onEnveloped hooks (the fast path then uses envelop).
 * Results that are async iterables (incremental delivery) are returned as they are; the fast path
 * never asks for them.
 */

type Ctx = Record<PropertyKey, unknown>;
type Extend = (extension: object) => void;
type MaybePromise<T> = T | Promise<T>;
type ParseFn = (source: string, options?: unknown) => DocumentNode;
type ValidateFn = (schema: GraphQLSchema, document: DocumentNode, rules?: readonly ValidationRule[], typeInfo?: unknown, options?: unknown) => readonly GraphQLError[];
type ExecuteFn = (args: ExecutionArgs) => MaybePromise<ExecutionResult | AsyncIterable<unknown>>;
type Result = ExecutionResult | AsyncIterable<unknown>;

interface ParseHookArgs {
  context: Ctx;
  extendContext: Extend;
  params: { source: string; options: unknown };
  parseFn: ParseFn;
  setParseFn: (fn: ParseFn) => void;
  setParsedDocument: (doc: DocumentNode) => void;
}
type AfterParse = (a: { context: Ctx; extendContext: Extend; replaceParseResult: (r: DocumentNode | Error) => void; result: DocumentNode | Error | null }) => void;

interface ValidateHookArgs {
  context: Ctx;
  extendContext: Extend;
  params: { schema: GraphQLSchema; documentAST: DocumentNode; rules: ValidationRule[] | undefined; typeInfo: unknown; options: unknown };
  validateFn: ValidateFn;
  addValidationRule: (rule: ValidationRule) => void;
  setValidationFn: (fn: ValidateFn) => void;
  setResult: (r: readonly GraphQLError[]) => void;
}
type AfterValidate = (a: { valid: boolean; result: readonly GraphQLError[]; context: Ctx; extendContext: Extend; setResult: (r: readonly GraphQLError[]) => void }) => void;

type AfterContext = (a: { context: Ctx; extendContext: Extend }) => unknown;
interface ContextHookArgs {
  context: Ctx;
  extendContext: Extend;
  breakContextBuilding: () => void;
}

interface ExecuteHookArgs {
  executeFn: ExecuteFn;
  setExecuteFn: (fn: ExecuteFn) => void;
  setResultAndStopExecution: (r: Result) => void;
  context: Ctx;
  extendContext: Extend;
  args: ExecutionArgs;
}
interface AfterExecute {
  onExecuteDone?: (a: { args: ExecutionArgs; result: Result; setResult: (r: Result) => void }) => unknown;
}

/** The hooks of a plugin this pipeline calls (envelop's Plugin type, narrowed to what is used here). */
interface Hooks {
  onParse?: (a: ParseHookArgs) => AfterParse | void;
  onValidate?: (a: ValidateHookArgs) => AfterValidate | void;
  onContextBuilding?: (a: ContextHookArgs) => MaybePromise<AfterContext | void>;
  onExecute?: (a: ExecuteHookArgs) => MaybePromise<AfterExecute | void>;
  onEnveloped?: unknown;
  instrumentation?: unknown;
}

export interface DirectPipeline {
  parse(source: string, context: Ctx): DocumentNode;
  validate(schema: GraphQLSchema, document: DocumentNode, context: Ctx): readonly GraphQLError[];
  contextFactory(context: Ctx): MaybePromise<Ctx>;
  execute(args: ExecutionArgs): MaybePromise<Result>;
}

const missing = (name: string) => () => {
  throw new Error(`No \`${name}\` function found! Register it using "useEngine" plugin.`);
};
const NO_PARSE = missing('parse') as ParseFn;
const NO_VALIDATE = missing('validate') as ValidateFn;
const NO_EXECUTE = missing('execute') as ExecuteFn;

/** envelop's `extendContext`: merges into the context, returns nothing (a returned value would read as an after-hook). */
function extenderOf(context: Ctx): Extend {
  return (e) => {
    Object.assign(context, e);
  };
}

function isThenable<T>(v: MaybePromise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null | undefined)?.then === 'function';
}

/** True when the plugins can run in the direct pipeline (no instrumentation, no onEnveloped). */
export function directPipelineUsable(plugins: readonly object[]): boolean {
  return plugins.every((p) => !(p as Hooks).instrumentation && !(p as Hooks).onEnveloped);
}

export function createDirectPipeline(plugins: readonly object[]): DirectPipeline {
  const hooks = plugins as readonly Hooks[];
  const onParse = hooks.flatMap((p) => (p.onParse ? [p.onParse.bind(p)] : []));
  const onValidate = hooks.flatMap((p) => (p.onValidate ? [p.onValidate.bind(p)] : []));
  const onContext = hooks.flatMap((p) => (p.onContextBuilding ? [p.onContextBuilding.bind(p)] : []));
  const onExecute = hooks.flatMap((p) => (p.onExecute ? [p.onExecute.bind(p)] : []));

  function parse(source: string, context: Ctx): DocumentNode {
    let result: DocumentNode | Error | null = null;
    let parseFn = NO_PARSE;
    const extendContext = extenderOf(context);
    let after: AfterParse[] | undefined;
    const args: ParseHookArgs = {
      context,
      extendContext,
      params: { source, options: undefined },
      parseFn,
      setParseFn: (fn) => {
        parseFn = fn;
      },
      setParsedDocument: (doc) => {
        result = doc;
      },
    };
    for (const hook of onParse) {
      args.parseFn = parseFn;
      const a = hook(args);
      if (a) (after ??= []).push(a);
    }
    if (result === null) {
      try {
        result = parseFn(source);
      } catch (e) {
        result = e as Error;
      }
    }
    if (after) {
      const afterArgs = {
        context,
        extendContext,
        replaceParseResult: (r: DocumentNode | Error) => {
          result = r;
        },
        result: result as DocumentNode | Error | null,
      };
      for (const a of after) {
        afterArgs.result = result;
        a(afterArgs);
      }
    }
    if (result === null) throw new Error('Failed to parse document.');
    if (result instanceof Error) throw result;
    documentStringMap.set(result, source);
    return result;
  }

  function validate(schema: GraphQLSchema, documentAST: DocumentNode, context: Ctx): readonly GraphQLError[] {
    let validateFn = NO_VALIDATE;
    let result: readonly GraphQLError[] | null = null;
    const extendContext = extenderOf(context);
    const params: ValidateHookArgs['params'] = { schema, documentAST, rules: undefined, typeInfo: undefined, options: undefined };
    let after: AfterValidate[] | undefined;
    const args: ValidateHookArgs = {
      context,
      extendContext,
      params,
      validateFn,
      addValidationRule: (rule) => {
        (params.rules ??= []).push(rule);
      },
      setValidationFn: (fn) => {
        validateFn = fn;
      },
      setResult: (r) => {
        result = r;
      },
    };
    for (const hook of onValidate) {
      args.validateFn = validateFn;
      const a = hook(args);
      if (a) (after ??= []).push(a);
    }
    result ||= validateFn(schema, documentAST, params.rules, undefined, undefined);
    if (!result) return [];
    if (after) {
      const valid = result.length === 0;
      const afterArgs = {
        valid,
        result,
        context,
        extendContext,
        setResult: (r: readonly GraphQLError[]) => {
          result = r;
        },
      };
      for (const a of after) {
        afterArgs.result = result;
        a(afterArgs);
      }
    }
    return result;
  }

  function contextFactory(context: Ctx): MaybePromise<Ctx> {
    let stop = false;
    const extendContext = extenderOf(context);
    const args: ContextHookArgs = {
      context,
      extendContext,
      breakContextBuilding: () => {
        stop = true;
      },
    };
    const after: AfterContext[] = [];
    const before = (from: number): MaybePromise<Ctx> => {
      for (let i = from; i < onContext.length && !stop; i++) {
        const a = onContext[i]!(args);
        if (isThenable(a)) {
          return a.then((r) => {
            if (r) after.push(r);
            return before(i + 1);
          });
        }
        if (a) after.push(a);
      }
      return stop ? context : runAfter(0);
    };
    const runAfter = (from: number): MaybePromise<Ctx> => {
      for (let i = from; i < after.length; i++) {
        const r = after[i]!({ context, extendContext });
        if (isThenable(r)) return r.then(() => runAfter(i + 1));
      }
      return context;
    };
    return before(0);
  }

  function execute(args: ExecutionArgs): MaybePromise<Result> {
    const context = (args.contextValue ?? {}) as Ctx;
    let executeFn = NO_EXECUTE;
    let result: Result | undefined;
    let stop = false;
    const after: AfterExecute[] = [];
    const hookArgs: ExecuteHookArgs = {
      executeFn,
      setExecuteFn: (fn) => {
        executeFn = fn;
      },
      setResultAndStopExecution: (r) => {
        result = r;
        stop = true;
      },
      context,
      extendContext: (e) => {
        if (typeof e !== 'object') throw new Error(`Invalid context extension provided! Expected "object", got: "${JSON.stringify(e)}" (${typeof e})`);
        Object.assign(context, e);
      },
      args,
    };
    const before = (from: number): MaybePromise<Result> => {
      for (let i = from; i < onExecute.length && !stop; i++) {
        hookArgs.executeFn = executeFn;
        const a = onExecute[i]!(hookArgs);
        if (isThenable(a)) {
          return a.then((r) => {
            if (r) after.push(r);
            return before(i + 1);
          });
        }
        if (a) after.push(a);
      }
      const r = result ?? executeFn({ ...args, contextValue: context });
      return isThenable(r) ? r.then(done) : done(r);
    };
    const done = (r: Result): MaybePromise<Result> => {
      let out = r;
      const setResult = (n: Result) => {
        out = n;
      };
      const runAfter = (from: number): MaybePromise<Result> => {
        for (let i = from; i < after.length; i++) {
          const hook = after[i]!.onExecuteDone;
          if (!hook) continue;
          const x = hook({ args, result: out, setResult });
          if (isThenable(x)) return x.then(() => runAfter(i + 1));
        }
        return out;
      };
      return runAfter(0);
    };
    return before(0);
  }

  return { parse, validate, contextFactory, execute };
}

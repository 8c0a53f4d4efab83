import { describe, expect, it } from 'vitest';
import { envelop, useEngine, useExtendContext, type Plugin } from '@envelop/core';
import { buildSchema, execute, GraphQLError, parse, validate, type DocumentNode, type ExecutionArgs, type ExecutionResult, type ValidationRule } from 'graphql';
import { createDirectPipeline, directPipelineUsable } from '../../src/server/direct-pipeline';

/**
 * The direct pipeline (src/server/direct-pipeline.ts) against envelop's orchestrator: the same
 * plugins, the same calls, the same results, contexts and hook order, for every hook and setter
 * the fast path reaches, synchronous and asynchronous.
 */

const schema = buildSchema('type Query { hello(name: String): String, secret: String }');
const rootValue = { hello: ({ name }: { name?: string }) => `hello ${name ?? 'world'}`, secret: () => 's3cret' };

type Log = string[];

/** A set of plugins that uses every hook and setter, recording the order of calls in `log`. */
function plugins(log: Log, opts: { async?: boolean; stopExecution?: boolean; breakContext?: boolean; replaceParse?: boolean; failValidation?: boolean } = {}): Plugin[] {
  const wait = <T,>(v: T): T | Promise<T> => (opts.async ? new Promise((r) => setTimeout(() => r(v), 1)) : v);
  const NoSecret: ValidationRule = (ctx) => ({
    Field(node) {
      if (node.name.value === 'secret') ctx.reportError(new GraphQLError('no secret', { nodes: [node] }));
    },
  });
  return [
    useEngine({ parse, validate, execute: execute as never, subscribe: execute as never }),
    useExtendContext(() => wait({ fromFactory: 1 })) as unknown as Plugin,
    {
      onParse({ params, setParseFn, parseFn, extendContext }) {
        log.push(`parse:${params.source.length}`);
        extendContext({ parsedBy: 'p1' });
        setParseFn((source, options) => {
          log.push('custom-parse');
          return parseFn(source, options);
        });
        return ({ result, replaceParseResult }) => {
          log.push(`after-parse:${result instanceof Error ? 'error' : 'doc'}`);
          if (opts.replaceParse && !(result instanceof Error)) replaceParseResult(new GraphQLError('replaced'));
        };
      },
      onValidate({ addValidationRule, params }) {
        log.push(`validate:${params.rules?.length ?? 'none'}`);
        if (opts.failValidation) addValidationRule(NoSecret);
        return ({ valid, result, setResult }) => {
          log.push(`after-validate:${valid}:${result.length}`);
          if (!valid) setResult(result.map((e) => new GraphQLError(`wrapped: ${e.message}`)));
        };
      },
      onContextBuilding({ context, extendContext, breakContextBuilding }) {
        log.push(`context:${Object.keys(context).sort().join(',')}`);
        if (opts.breakContext) {
          breakContextBuilding();
          // Registered, but never called: building stopped.
          return () => {
            log.push('after-context (must not run)');
          };
        }
        return wait(({ extendContext: ext }: { extendContext: (e: object) => void }) => {
          log.push('after-context');
          ext({ afterContext: true });
          extendContext({ late: true });
        }) as never;
      },
      onExecute({ args, extendContext, setResultAndStopExecution, executeFn, setExecuteFn }) {
        log.push(`execute:${Object.keys(args.contextValue as object).sort().join(',')}`);
        extendContext({ charged: 1 });
        if (opts.stopExecution) setResultAndStopExecution({ errors: [new GraphQLError('stopped')] });
        setExecuteFn((a: ExecutionArgs) => {
          log.push(`custom-execute:${Object.keys(a.contextValue as object).sort().join(',')}`);
          return executeFn(a);
        });
        return wait<unknown>({
          onExecuteDone({ result, setResult }: { result: ExecutionResult; setResult: (r: ExecutionResult) => void }) {
            log.push(`done:${result.errors?.length ?? 0}`);
            setResult({ ...result, extensions: { seen: true } });
          },
        }) as never;
      },
    } as Plugin,
    {
      onExecute() {
        log.push('second-execute');
        return wait<unknown>({
          onExecuteDone({ result, setResult }: { result: ExecutionResult; setResult: (r: ExecutionResult) => void }) {
            log.push(`second-done:${JSON.stringify(result.extensions)}`);
            setResult({ ...result, extensions: { ...result.extensions, second: true } });
          },
        }) as never;
      },
    } as unknown as Plugin,
  ];
}

interface Outcome {
  parsed?: unknown;
  validation?: readonly string[];
  context?: unknown;
  result?: unknown;
  error?: string;
}

async function viaEnvelop(log: Log, opts: Parameters<typeof plugins>[1], source: string): Promise<Outcome> {
  const ctx: Record<string, unknown> = { request: 'r' };
  const e = envelop({ plugins: plugins(log, opts) })(ctx);
  let document: DocumentNode;
  try {
    document = e.parse(source);
  } catch (err) {
    return { error: (err as Error).message };
  }
  const validation = e.validate(e.schema ?? schema, document).map((x: GraphQLError) => x.message);
  if (validation.length) return { validation };
  const context = await e.contextFactory();
  const result = await e.execute({ schema, document, rootValue, contextValue: context });
  return { parsed: document.kind, validation, context: { ...context }, result: JSON.parse(JSON.stringify(result)) };
}

async function viaDirect(log: Log, opts: Parameters<typeof plugins>[1], source: string): Promise<Outcome> {
  const ctx: Record<string, unknown> = { request: 'r' };
  const list = plugins(log, opts);
  envelop({ plugins: list }); // onPluginInit hooks, as yoga's envelop() runs them
  const d = createDirectPipeline(list);
  let document: DocumentNode;
  try {
    document = d.parse(source, ctx);
  } catch (err) {
    return { error: (err as Error).message };
  }
  const validation = d.validate(schema, document, ctx).map((x) => x.message);
  if (validation.length) return { validation };
  const context = await d.contextFactory(ctx);
  const result = await d.execute({ schema, document, rootValue, contextValue: context });
  return { parsed: document.kind, validation, context: { ...context }, result: JSON.parse(JSON.stringify(result)) };
}

const SCENARIOS: [string, Parameters<typeof plugins>[1], string][] = [
  ['a plain query', {}, '{ hello(name: "a") }'],
  ['async hooks', { async: true }, '{ hello }'],
  ['setResultAndStopExecution', { stopExecution: true }, '{ hello }'],
  ['async + stop', { async: true, stopExecution: true }, '{ hello }'],
  ['breakContextBuilding', { breakContext: true }, '{ hello }'],
  ['replaceParseResult', { replaceParse: true }, '{ hello }'],
  ['a parse error', {}, '{ hello '],
  ['a validation error, rewritten in the after hook', { failValidation: true }, '{ secret }'],
  ['an added rule that passes', { failValidation: true }, '{ hello }'],
  ['an unknown field', {}, '{ nope }'],
];

describe('direct pipeline == envelop orchestrator', () => {
  for (const [name, opts, source] of SCENARIOS) {
    it(name, async () => {
      const logA: Log = [];
      const logB: Log = [];
      const a = await viaEnvelop(logA, opts, source);
      const b = await viaDirect(logB, opts, source);
      expect(b).toEqual(a);
      expect(logB).toEqual(logA);
      expect(logA.length).toBeGreaterThan(1);
    });
  }

  it('the plugin lists it refuses: instrumentation or onEnveloped', () => {
    expect(directPipelineUsable([{ onExecute() {} }, {}])).toBe(true);
    expect(directPipelineUsable([{ instrumentation: {} }])).toBe(false);
    expect(directPipelineUsable([{ onEnveloped() {} }])).toBe(false);
  });
});

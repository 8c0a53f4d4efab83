/** Operation parameters (path, query, header, cookie) -> GraphQL arguments + how to serialise them. */
import type { ParamStyle, RestParamPlan } from '../plan';
import type { Schema } from './flatten';
import { fieldName, NameScope, pascalCase } from './names';
import type { TypeBuilder } from './schema-to-graphql';
import { cleanDescription, type GqlArg } from './sdl';

const LOCATIONS = new Set(['path', 'query', 'header', 'cookie']);
const STYLES = new Set<ParamStyle>(['form', 'simple', 'label', 'matrix', 'deepObject', 'pipeDelimited', 'spaceDelimited']);

const isObj = (v: unknown): v is Schema => !!v && typeof v === 'object' && !Array.isArray(v);

/** Path-level parameters overridden by operation-level ones with the same name + location. */
export function mergeParams(builder: TypeBuilder, pathLevel: unknown, opLevel: unknown): Schema[] {
  const merged = new Map<string, Schema>();
  for (const list of [pathLevel, opLevel]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const p = builder.resolver.deref(raw);
      if (typeof p.name !== 'string' || typeof p.in !== 'string') continue;
      merged.set(`${p.in}:${p.name}`, p);
    }
  }
  return [...merged.values()];
}

function paramSchema(p: Schema): unknown {
  if (p.schema !== undefined) return p.schema;
  if (isObj(p.content)) {
    const first = Object.values(p.content)[0];
    if (isObj(first) && first.schema !== undefined) return first.schema;
  }
  return {};
}

export interface BuiltParams {
  args: GqlArg[];
  plans: RestParamPlan[];
  scope: NameScope;
}

/**
 * One argument per parameter. Required parameters without a default are non-null. Names are
 * sanitised (`X-Request-Id` -> `xRequestId`) and made unique within the operation.
 */
export function buildParams(builder: TypeBuilder, params: Schema[], opBase: string, style: 'camelCase' | 'preserve', where: string, warn: (l: string, m: string) => void): BuiltParams {
  const scope = new NameScope();
  const args: GqlArg[] = [];
  const plans: RestParamPlan[] = [];
  const usable = params.filter((p) => {
    if (LOCATIONS.has(p.in as string)) return true;
    warn(where, `parameter ${String(p.name)} in ${String(p.in)} is not supported and was skipped`);
    return false;
  });
  const wanted = usable.map((p) => fieldName(p.name as string, style));
  const names: string[] = new Array(usable.length);
  usable.forEach((p, i) => {
    if (wanted[i] === p.name && !scope.has(wanted[i]!)) names[i] = scope.claim(wanted[i]!);
  });
  usable.forEach((_, i) => {
    names[i] ??= scope.claim(wanted[i]!);
  });
  usable.forEach((p, i) => {
    const name = p.name as string;
    const loc = p.in as RestParamPlan['in'];
    const schemaRaw = paramSchema(p);
    const t = builder.ref(schemaRaw, `${opBase}${pascalCase(name, 'Param')}`, 'input');
    const flat = builder.resolver.flatten(schemaRaw);
    const schema = builder.resolver.deref(schemaRaw);
    const required = loc === 'path' || p.required === true;
    const hasDefault = schema.default !== undefined;
    const nonNull = required && (!hasDefault || loc === 'path');
    const description = cleanDescription(p.description);
    const deprecated = p.deprecated === true && !nonNull;
    args.push({ name: names[i]!, type: t.type + (nonNull ? '!' : ''), ...(description ? { description } : {}), ...(deprecated ? { deprecated: '' } : {}) });
    const defaultStyle: ParamStyle = loc === 'query' || loc === 'cookie' ? 'form' : 'simple';
    const specStyle = typeof p.style === 'string' && STYLES.has(p.style as ParamStyle) ? (p.style as ParamStyle) : defaultStyle;
    const explode = typeof p.explode === 'boolean' ? p.explode : specStyle === 'form';
    const shape: RestParamPlan['shape'] = t.isList ? 'array' : t.inputObject || flat.types[0] === 'object' ? 'object' : 'primitive';
    plans.push({
      name,
      argName: names[i]!,
      in: loc,
      style: specStyle,
      explode,
      allowReserved: p.allowReserved === true,
      required,
      shape,
      ...(shape === 'object' && t.inputObject ? { inputType: t.inputObject } : {}),
      ...(hasDefault && (loc === 'query' || loc === 'header') ? { default: schema.default } : {}),
    });
  });
  return { args, plans, scope };
}

/**
 * Swagger 2.0 -> the OpenAPI 3 shapes the importer reads. Only operations are rewritten
 * (parameters, bodies, responses, servers); schemas stay where they are (`#/definitions/X`), so
 * `$ref`s keep resolving against the original document.
 */
import type { ImportWarning } from '../../types';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const SCHEMA_KEYS = [
  'type',
  'format',
  'items',
  'enum',
  'default',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'multipleOf',
  'x-nullable',
];

/** Non-body Swagger 2 parameter fields -> an OpenAPI 3 schema. `type: file` -> string/binary. */
function paramSchema(p: Obj): Obj {
  const s: Obj = {};
  for (const k of SCHEMA_KEYS) if (p[k] !== undefined) s[k] = p[k];
  if (s.type === 'file') {
    s.type = 'string';
    s.format = 'binary';
  }
  if (isObj(s.items)) s.items = paramSchema(s.items);
  return s;
}

function collectionStyle(p: Obj, where: string, warnings: ImportWarning[]): { style?: string; explode?: boolean } {
  if (p.type !== 'array') return {};
  const cf = (p.collectionFormat as string | undefined) ?? 'csv';
  const inPathOrHeader = p.in === 'path' || p.in === 'header';
  switch (cf) {
    case 'multi':
      return { style: 'form', explode: true };
    case 'ssv':
      return { style: 'spaceDelimited', explode: false };
    case 'pipes':
      return { style: 'pipeDelimited', explode: false };
    case 'tsv':
      warnings.push({ location: where, message: `parameter ${String(p.name)}: collectionFormat tsv has no OpenAPI 3 style; values are sent comma-separated` });
      return { style: inPathOrHeader ? 'simple' : 'form', explode: false };
    default:
      return { style: inPathOrHeader ? 'simple' : 'form', explode: false };
  }
}

function pickJson(types: string[]): string | undefined {
  return types.find((t) => /^application\/json\b/i.test(t)) ?? types.find((t) => /\+json\b/i.test(t));
}

export function convertSwagger2(doc: Obj, deref: (v: unknown) => unknown, warnings: ImportWarning[]): Obj {
  const out: Obj = { openapi: '3.0.0', info: doc.info, paths: {} };
  const schemes = Array.isArray(doc.schemes) && doc.schemes.length ? (doc.schemes as string[]) : ['https'];
  const basePath = typeof doc.basePath === 'string' ? doc.basePath.replace(/\/$/, '') : '';
  out.servers = typeof doc.host === 'string' ? schemes.map((s) => ({ url: `${s}://${doc.host}${basePath}` })) : basePath ? [{ url: basePath }] : [];
  const globalConsumes = Array.isArray(doc.consumes) ? (doc.consumes as string[]) : [];
  const globalProduces = Array.isArray(doc.produces) ? (doc.produces as string[]) : [];
  const paths = isObj(doc.paths) ? doc.paths : {};
  const outPaths = out.paths as Obj;
  for (const [p, rawItem] of Object.entries(paths)) {
    const item = deref(rawItem);
    if (!isObj(item)) continue;
    const newItem: Obj = {};
    const pathParams = Array.isArray(item.parameters) ? item.parameters : [];
    for (const m of METHODS) {
      const op = item[m];
      if (!isObj(op)) continue;
      const where = `${m.toUpperCase()} ${p}`;
      const merged = new Map<string, Obj>();
      for (const raw of [...pathParams, ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
        const prm = deref(raw);
        if (isObj(prm)) merged.set(`${String(prm.in)}:${String(prm.name)}`, prm);
      }
      const consumes = Array.isArray(op.consumes) ? (op.consumes as string[]) : globalConsumes;
      const produces = Array.isArray(op.produces) ? (op.produces as string[]) : globalProduces;
      const params: Obj[] = [];
      const formProps: Obj = {};
      const formRequired: string[] = [];
      let hasFile = false;
      let body: Obj | undefined;
      for (const prm of merged.values()) {
        if (prm.in === 'body') {
          const ct = pickJson(consumes) ?? consumes[0] ?? 'application/json';
          body = { required: prm.required === true, description: prm.description, content: { [ct]: { schema: prm.schema ?? {} } } };
        } else if (prm.in === 'formData') {
          const s = paramSchema(prm);
          if (prm.type === 'file') hasFile = true;
          if (prm.description) s.description = prm.description;
          formProps[String(prm.name)] = s;
          if (prm.required === true) formRequired.push(String(prm.name));
        } else {
          params.push({
            name: prm.name,
            in: prm.in,
            required: prm.in === 'path' ? true : prm.required === true,
            ...(prm.description ? { description: prm.description } : {}),
            ...(prm.deprecated ? { deprecated: true } : {}),
            schema: paramSchema(prm),
            ...collectionStyle(prm, where, warnings),
          });
        }
      }
      if (!body && Object.keys(formProps).length) {
        const ct =
          hasFile || consumes.some((c) => /multipart\/form-data/i.test(c))
            ? 'multipart/form-data'
            : (consumes.find((c) => /x-www-form-urlencoded/i.test(c)) ?? 'application/x-www-form-urlencoded');
        body = { required: formRequired.length > 0, content: { [ct]: { schema: { type: 'object', properties: formProps, ...(formRequired.length ? { required: formRequired } : {}) } } } };
      }
      const responses: Obj = {};
      if (isObj(op.responses)) {
        for (const [code, rawResp] of Object.entries(op.responses)) {
          const r = deref(rawResp);
          if (!isObj(r)) continue;
          const nr: Obj = { description: r.description };
          if (r.schema !== undefined) {
            const ct = pickJson(produces) ?? (produces.length ? produces[0]! : 'application/json');
            nr.content = { [ct]: { schema: r.schema } };
          }
          responses[code] = nr;
        }
      }
      const newOp: Obj = { ...op, parameters: params, responses };
      delete newOp.consumes;
      delete newOp.produces;
      if (body) newOp.requestBody = body;
      else delete newOp.requestBody;
      newItem[m] = newOp;
    }
    outPaths[p] = newItem;
  }
  return out;
}

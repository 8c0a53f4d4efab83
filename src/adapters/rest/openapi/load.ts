import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { StartupError } from '../../../errors/gateway-error';

/** A parsed document plus where it came from (file path or URL). */
export interface LoadedDoc {
  location: string;
  root: unknown;
}

/**
 * The entry document and every document it references by relative `$ref`, parsed once.
 * `$ref`s are not inlined (that would break on cycles); `resolveRef` follows them on demand.
 */
export interface SpecBundle {
  entry: LoadedDoc;
  docs: Map<string, LoadedDoc>;
  /** Where each object node was found (for resolving relative refs inside external docs). */
  docOf: WeakMap<object, LoadedDoc>;
}

export function specError(file: string, message: string, key?: string, fix?: string): StartupError {
  return new StartupError([
    {
      code: 'SPEC_INVALID',
      file,
      ...(key ? { key } : {}),
      message,
      fix: fix ?? 'Check that the file is a valid OpenAPI 3.x / Swagger 2.0 document (YAML or JSON) and that every $ref points at an existing node.',
    },
  ]);
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

async function readText(location: string, timeoutMs: number): Promise<string> {
  if (isUrl(location)) {
    let res: Response;
    try {
      res = await fetch(location, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json, application/yaml, text/yaml, */*' } });
    } catch (e) {
      throw specError(location, `could not fetch the spec: ${(e as Error).message}`, undefined, 'Check the URL and that the host is reachable, or point `spec` at a local copy.');
    }
    if (!res.ok) throw specError(location, `fetching the spec returned HTTP ${res.status}`, undefined, 'Check the URL, or point `spec` at a local copy.');
    return res.text();
  }
  try {
    return await readFile(location, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw specError(location, code === 'ENOENT' ? 'file not found' : `could not read the file: ${(e as Error).message}`, undefined, 'Check the `spec` path (it is resolved against the config file directory).');
  }
}

export function parseText(text: string, location: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch {
      // fall through: YAML is a superset of JSON and reports better positions
    }
  }
  try {
    // YAML 1.2 core schema: `2024-10-01` stays a string (YAML 1.1 loaders make it a date).
    return parseYaml(text, { maxAliasCount: -1, uniqueKeys: false, prettyErrors: false });
  } catch (e) {
    throw specError(location, `not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}`);
  }
}

function resolveLocation(base: string, ref: string): string {
  if (isUrl(ref) || path.isAbsolute(ref)) return ref;
  if (isUrl(base)) return new URL(ref, base).toString();
  return path.resolve(path.dirname(base), ref);
}

function markDoc(node: unknown, doc: LoadedDoc, docOf: WeakMap<object, LoadedDoc>, externals: Set<string>): void {
  const stack: unknown[] = [node];
  while (stack.length) {
    const n = stack.pop();
    if (!n || typeof n !== 'object' || docOf.has(n)) continue;
    docOf.set(n, doc);
    if (Array.isArray(n)) {
      for (const v of n) if (v && typeof v === 'object') stack.push(v);
      continue;
    }
    const ref = (n as Record<string, unknown>).$ref;
    if (typeof ref === 'string' && !ref.startsWith('#')) externals.add(resolveLocation(doc.location, ref.split('#')[0]!));
    for (const v of Object.values(n)) if (v && typeof v === 'object') stack.push(v);
  }
}

/** Reads the entry document and every file it references (relative `$ref`s), each once. */
export async function loadSpec(spec: string, baseDir: string, timeoutMs = 15_000): Promise<SpecBundle> {
  const entryLocation = isUrl(spec) ? spec : path.resolve(baseDir, spec);
  const docs = new Map<string, LoadedDoc>();
  const docOf = new WeakMap<object, LoadedDoc>();
  const pending = [entryLocation];
  let entry: LoadedDoc | undefined;
  while (pending.length) {
    const location = pending.shift()!;
    if (docs.has(location)) continue;
    const root = parseText(await readText(location, timeoutMs), location);
    const doc: LoadedDoc = { location, root };
    docs.set(location, doc);
    entry ??= doc;
    const externals = new Set<string>();
    markDoc(root, doc, docOf, externals);
    for (const ext of externals) if (!docs.has(ext)) pending.push(ext);
  }
  if (!entry || !entry.root || typeof entry.root !== 'object' || Array.isArray(entry.root)) {
    throw specError(entryLocation, 'the document is not an object (expected an OpenAPI or Swagger document)');
  }
  return { entry, docs, docOf };
}

function decodePointerToken(t: string): string {
  let d = t;
  try {
    d = decodeURIComponent(t);
  } catch {
    // keep the raw token
  }
  return d.replace(/~1/g, '/').replace(/~0/g, '~');
}

export interface RefTarget {
  node: unknown;
  doc: LoadedDoc;
  /** JSON pointer inside `doc` (`/components/schemas/Pet`). */
  pointer: string;
}

/** Follows one `$ref` string found in `from`. Throws SPEC_INVALID when it points nowhere. */
export function resolveRef(bundle: SpecBundle, ref: string, from: LoadedDoc): RefTarget {
  const hash = ref.indexOf('#');
  const filePart = hash === -1 ? ref : ref.slice(0, hash);
  const pointer = hash === -1 ? '' : ref.slice(hash + 1);
  const doc = filePart ? bundle.docs.get(resolveLocation(from.location, filePart)) : from;
  if (!doc) throw specError(from.location, `$ref ${JSON.stringify(ref)} points at a file that could not be loaded`, ref);
  let node: unknown = doc.root;
  if (pointer && pointer !== '/') {
    for (const raw of pointer.replace(/^\//, '').split('/')) {
      const token = decodePointerToken(raw);
      if (node && typeof node === 'object' && Object.prototype.hasOwnProperty.call(node, token)) {
        node = (node as Record<string, unknown>)[token];
      } else {
        throw specError(doc.location, `$ref ${JSON.stringify(ref)} does not resolve (no ${JSON.stringify(token)})`, ref, 'Fix the $ref or add the missing component.');
      }
    }
  }
  return { node, doc, pointer };
}

/**
 * JSON Schema 2019 `$recursiveRef: '#'` / 2020 `$dynamicRef` inside a component that declares
 * `$recursiveAnchor: true` / `$dynamicAnchor` means "this component": rewrite it into a plain
 * `$ref` to the component so the recursion is an ordinary named self-reference.
 */
export function rewriteRecursiveRefs(schemas: Record<string, unknown>, pointerBase: string): void {
  for (const [name, schema] of Object.entries(schemas)) {
    if (!schema || typeof schema !== 'object') continue;
    const s = schema as Record<string, unknown>;
    if (s.$recursiveAnchor !== true && typeof s.$dynamicAnchor !== 'string') continue;
    const target = `${pointerBase}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const stack: unknown[] = [schema];
    const seen = new Set<unknown>();
    while (stack.length) {
      const n = stack.pop();
      if (!n || typeof n !== 'object' || seen.has(n)) continue;
      seen.add(n);
      const o = n as Record<string, unknown>;
      if (o.$recursiveRef === '#' || (typeof o.$dynamicRef === 'string' && o.$dynamicRef.startsWith('#'))) {
        delete o.$recursiveRef;
        delete o.$dynamicRef;
        o.$ref = target;
      }
      for (const v of Object.values(o)) if (v && typeof v === 'object') stack.push(v);
    }
  }
}

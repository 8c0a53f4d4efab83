/** Choosing the request and response media types an operation is called with. */
import type { Schema } from './flatten';

const isObj = (v: unknown): v is Schema => !!v && typeof v === 'object' && !Array.isArray(v);

const isJson = (ct: string) => /^application\/json\b/i.test(ct);
const isJsonLike = (ct: string) => /[/+]json\b/i.test(ct) || ct.trim() === '*/*';

/** Request body: JSON first, then `*+json`, form-urlencoded, multipart, then whatever comes first. */
export function pickRequestMedia(content: Schema): { contentType: string; schema: unknown } | undefined {
  const keys = Object.keys(content);
  if (keys.length === 0) return undefined;
  const ct =
    keys.find(isJson) ??
    keys.find((k) => /\+json\b/i.test(k)) ??
    keys.find((k) => /x-www-form-urlencoded/i.test(k)) ??
    keys.find((k) => /multipart\/form-data/i.test(k)) ??
    keys[0]!;
  const media = content[ct];
  return { contentType: ct, schema: isObj(media) ? media.schema : undefined };
}

export type ResponseChoice =
  | { kind: 'json'; schema: unknown; status: string; contentType: string }
  | { kind: 'text' | 'binary'; status: string; contentType: string }
  | { kind: 'empty'; status?: string };

function pickResponseMedia(content: Schema): { kind: 'json' | 'text' | 'binary'; ct: string; schema: unknown } | undefined {
  const keys = Object.keys(content);
  if (keys.length === 0) return undefined;
  const json = keys.find(isJson) ?? keys.find(isJsonLike);
  const schemaOf = (k: string) => (isObj(content[k]) ? (content[k] as Schema).schema : undefined);
  if (json) return { kind: 'json', ct: json, schema: schemaOf(json) };
  const text = keys.find((k) => /^text\//i.test(k) || /\bxml\b/i.test(k));
  if (text) return { kind: 'text', ct: text, schema: undefined };
  return { kind: 'binary', ct: keys[0]!, schema: undefined };
}

/**
 * The success response: `200` with content, else the first 2xx (then `2XX`) with content; when
 * no 2xx is declared, a `default` response with content; otherwise no body.
 */
export function pickResponse(responses: unknown, deref: (v: unknown) => Schema): ResponseChoice {
  if (!isObj(responses)) return { kind: 'empty' };
  const codes = Object.keys(responses);
  const success = codes.filter((c) => /^2(\d\d|XX)$/i.test(c)).sort((a, b) => (a === '200' ? -1 : b === '200' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const candidates = success.length ? success : codes.includes('default') ? ['default'] : [];
  for (const code of candidates) {
    const r = deref(responses[code]);
    if (!isObj(r.content)) continue;
    const m = pickResponseMedia(r.content);
    if (!m) continue;
    if (m.kind === 'json') return { kind: 'json', schema: m.schema, status: code, contentType: m.ct };
    return { kind: m.kind, status: code, contentType: m.ct };
  }
  return success.length ? { kind: 'empty', status: success[0]! } : { kind: 'empty' };
}

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { StartupError } from '../errors/gateway-error';
import { sha256Hex } from './api-keys';

/** The operations allowed to run, by id: each document's sha256 (hex) and any id the manifest gives. */
export interface TrustedDocuments {
  byId: ReadonlyMap<string, string>;
  /** sha256 hex of every trusted document text. */
  hashes: ReadonlySet<string>;
}

/**
 * Loads a manifest at start-up: `{ "<id>": "<document>" }` (GraphQL Codegen client preset's
 * persisted-documents.json) or `{ "operations": [{ "id", "body" }] }` (Apollo's manifest).
 */
export function loadTrustedDocuments(file: string, baseDir: string): TrustedDocuments {
  const path = resolve(baseDir, file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new StartupError([{ code: 'CONFIG_INVALID', file: path, key: 'trustedDocuments.manifest', message: `cannot read the manifest: ${(e as Error).message}` }]);
  }
  const entries: [string, string][] =
    raw && typeof raw === 'object' && Array.isArray((raw as { operations?: unknown }).operations)
      ? (raw as { operations: { id: string; body: string }[] }).operations.map((o) => [o.id, o.body])
      : Object.entries(raw as Record<string, string>);
  const byId = new Map<string, string>();
  const hashes = new Set<string>();
  for (const [id, body] of entries) {
    if (typeof id !== 'string' || typeof body !== 'string') {
      throw new StartupError([{ code: 'CONFIG_INVALID', file: path, key: 'trustedDocuments.manifest', message: 'entries must map an id to a document string' }]);
    }
    const hash = sha256Hex(body);
    byId.set(id, body);
    byId.set(hash, body);
    byId.set(`sha256:${hash}`, body);
    hashes.add(hash);
  }
  return { byId, hashes };
}

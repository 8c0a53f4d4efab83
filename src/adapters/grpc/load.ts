import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import protobuf from 'protobufjs';
import { StartupError } from '../../errors/gateway-error';

const require = createRequire(import.meta.url);
let commonAdded = false;

/**
 * protobufjs bundles any/duration/empty/field_mask/struct/timestamp/wrappers; like
 * @grpc/proto-loader we add descriptor/api/type/source_context so option extensions
 * (`extend google.protobuf.MethodOptions`) resolve without the files on the include path.
 */
function addCommonProtos(): void {
  if (commonAdded) return;
  commonAdded = true;
  for (const name of ['api', 'descriptor', 'source_context', 'type']) {
    const json = require(`protobufjs/google/protobuf/${name}.json`) as { nested: { google: { nested: { protobuf: { nested: protobuf.INamespace['nested'] } } } } };
    protobuf.common(name, json.nested.google.nested.protobuf.nested as Record<string, protobuf.INamespace>);
  }
}

export interface LoadedProtos {
  root: protobuf.Root;
  /** Absolute paths of the entry files (their services and types are exposed). */
  entryFiles: string[];
}

/** Parses the entry protos and their imports (include dirs, then the importing file's directory). */
export function loadProtos(protos: string[], includeDirs: string[], baseDir: string): LoadedProtos {
  addCommonProtos();
  const entryFiles = protos.map((p) => path.resolve(baseDir, p));
  const includes = includeDirs.map((d) => path.resolve(baseDir, d));
  for (const f of entryFiles) if (!includes.includes(path.dirname(f))) includes.push(path.dirname(f));
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => {
    if (path.isAbsolute(target)) return target;
    for (const dir of includes) {
      const candidate = path.join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    const relative = path.resolve(origin ? path.dirname(origin) : baseDir, target);
    if (existsSync(relative) || !origin) return relative;
    // Keep protobufjs's own resolution so the error names the missing import.
    return relative;
  };
  for (const file of entryFiles) {
    try {
      readFileSync(file); // a clear "not found" before protobufjs' generic ENOENT
    } catch (e) {
      throw new StartupError([{ code: 'SPEC_INVALID', file, message: `cannot read proto file: ${(e as Error).message}`, fix: 'Check the path in `protos` (relative to the config file).' }]);
    }
  }
  try {
    root.loadSync(entryFiles, { keepCase: true, alternateCommentMode: true });
    root.resolveAll();
  } catch (e) {
    const msg = (e as Error).message;
    const file = /(\/[^\s:,]+\.proto)/.exec(msg)?.[1] ?? entryFiles[0];
    throw new StartupError([
      {
        code: 'SPEC_INVALID',
        file,
        message: `cannot parse protos: ${msg}`,
        fix: 'Fix the syntax error, or add the directory that holds the imported file to `includeDirs`.',
      },
    ]);
  }
  return { root, entryFiles };
}

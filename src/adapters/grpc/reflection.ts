import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';

/**
 * Server reflection (grpc.reflection.v1 / v1alpha): the message types of the protocol and the
 * turn from FileDescriptorProtos into a protobufjs Root. The stream itself runs in client.ts.
 */

const REFLECTION_JSON = {
  nested: {
    ServerReflectionRequest: {
      oneofs: { messageRequest: { oneof: ['file_by_filename', 'file_containing_symbol', 'list_services'] } },
      fields: { host: { type: 'string', id: 1 }, file_by_filename: { type: 'string', id: 3 }, file_containing_symbol: { type: 'string', id: 4 }, list_services: { type: 'string', id: 7 } },
    },
    ServerReflectionResponse: {
      oneofs: { messageResponse: { oneof: ['file_descriptor_response', 'list_services_response', 'error_response'] } },
      fields: {
        valid_host: { type: 'string', id: 1 },
        file_descriptor_response: { type: 'FileDescriptorResponse', id: 4 },
        list_services_response: { type: 'ListServiceResponse', id: 6 },
        error_response: { type: 'ErrorResponse', id: 7 },
      },
    },
    FileDescriptorResponse: { fields: { file_descriptor_proto: { rule: 'repeated', type: 'bytes', id: 1 } } },
    ListServiceResponse: { fields: { service: { rule: 'repeated', type: 'ServiceResponse', id: 1 } } },
    ServiceResponse: { fields: { name: { type: 'string', id: 1 } } },
    ErrorResponse: { fields: { error_code: { type: 'int32', id: 1 }, error_message: { type: 'string', id: 2 } } },
  },
};

const reflectionRoot = protobuf.Root.fromJSON(REFLECTION_JSON);
export const ReflectionRequest = reflectionRoot.lookupType('ServerReflectionRequest');
export const ReflectionResponse = reflectionRoot.lookupType('ServerReflectionResponse');

export interface ReflectionRequestMsg {
  file_by_filename?: string;
  file_containing_symbol?: string;
  list_services?: string;
}

export interface ReflectionResponseMsg {
  file_descriptor_response?: { file_descriptor_proto: Uint8Array[] };
  list_services_response?: { service: { name: string }[] };
  error_response?: { error_code: number; error_message: string };
}

/** The reflection service methods, newest first. */
export const REFLECTION_PATHS = ['/grpc.reflection.v1.ServerReflection/ServerReflectionInfo', '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo'];

export interface FileInfo {
  name: string;
  dependencies: string[];
}

export function fileInfo(bytes: Uint8Array): FileInfo {
  const f = descriptor.FileDescriptorProto.decode(bytes) as unknown as { name?: string; dependency?: string[] };
  return { name: f.name ?? '', dependencies: f.dependency ?? [] };
}

interface RawMessage {
  name: string;
  field?: { name: string; typeName?: string; label?: number }[];
  nestedType?: RawMessage[];
  options?: { mapEntry?: boolean };
}

/**
 * FileDescriptorProtos -> Root. protobufjs reads map fields as repeated `XEntry` messages, so
 * they are turned back into map fields here (same wire format, but `map<>` maps to JSON).
 */
export function rootFromDescriptors(files: Uint8Array[]): protobuf.Root {
  const decoded = files.map((b) => descriptor.FileDescriptorProto.decode(b));
  const set = descriptor.FileDescriptorSet.create({ file: decoded });
  const root = (protobuf.Root as unknown as { fromDescriptor(set: unknown): protobuf.Root }).fromDescriptor(set);
  for (const f of decoded as unknown as { package?: string; messageType?: RawMessage[] }[]) {
    for (const m of f.messageType ?? []) restoreMaps(root, `${f.package ? `.${f.package}` : ''}.${m.name}`, m);
  }
  root.resolveAll();
  return root;
}

function restoreMaps(root: protobuf.Root, fullName: string, m: RawMessage): void {
  const type = root.lookupType(fullName);
  for (const nested of m.nestedType ?? []) {
    const nestedName = `${fullName}.${nested.name}`;
    if (!nested.options?.mapEntry) {
      restoreMaps(root, nestedName, nested);
      continue;
    }
    const entry = root.lookupType(nestedName);
    const key = entry.fields['key']!;
    const value = entry.fields['value']!;
    for (const f of [...type.fieldsArray]) {
      if (f.repeated && (f.type === nestedName || f.type === nestedName.slice(1) || f.type.endsWith(`.${nested.name}`) || f.type === nested.name)) {
        const map = new protobuf.MapField(f.name, f.id, key.type, value.type, f.options);
        type.remove(f);
        type.add(map);
      }
    }
    type.remove(entry);
  }
  if (type.options?.['map_entry']) delete type.options['map_entry'];
}

import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  buildSchema, getNamedType, isListType, isNonNullType, isObjectType, isInputObjectType, isEnumType,
  type GraphQLField, type GraphQLSchema, type GraphQLType,
} from 'graphql';
import { soapAdapter } from '../../src/adapters/soap';
import { soapOptionsSchema } from '../../src/adapters/soap/options';
import { sanitizeName } from '../../src/adapters/soap/names';
import type { ImportedSource } from '../../src/adapters/types';
import type { SoapPlan } from '../../src/adapters/soap/plan';
import { linkPlan } from '../../src/adapters/soap/link';
import { buildEnvelope } from '../../src/adapters/soap/encode';

/**
 * Every WSDL of the shared corpus imports (or is refused with a specific message), and the facts of
 * ../shared/corpus/EXPECTATIONS.md hold: one root field per portType operation bound by a SOAP port
 * (never one per port/binding), names, 64-bit integers not Int, and the file-specific facts.
 */

const corpus = path.resolve(process.cwd(), '../shared/corpus');
const present = existsSync(path.join(corpus, 'wsdl')) && existsSync(path.join(corpus, 'EXPECTATIONS.md'));
if (!present) console.log(`[corpus/wsdl] skipped: ${corpus}/wsdl or EXPECTATIONS.md not found`);

interface Expectation {
  file: string;
  doc: {
    bindings?: Record<string, { portType: string; protocol: string }>;
    portTypes?: Record<string, Record<string, { input?: Record<string, { content?: unknown; type?: string }> } | number> | { operationCount: number }>;
  };
}

function readExpectations(): Expectation[] {
  const md = readFileSync(path.join(corpus, 'EXPECTATIONS.md'), 'utf8');
  const out: Expectation[] = [];
  const heads = [...md.matchAll(/^## (wsdl\/\S+)/gm)];
  for (let i = 0; i < heads.length; i++) {
    const start = heads[i]!.index!;
    const end = i + 1 < heads.length ? heads[i + 1]!.index! : md.length;
    const section = md.slice(start, end);
    const block = /```yaml\n([\s\S]*?)```/.exec(section);
    if (!block) continue;
    out.push({ file: heads[i]![1]!, doc: parseYaml(block[1]!) });
  }
  return out;
}

const expectations = present ? readExpectations() : [];

/** The upstream operations EXPECTATIONS lists for SOAP 1.1/1.2 bindings (deduplicated by portType). */
function expectedOperations(e: Expectation): { names: string[]; count: number } {
  const soapPortTypes = new Set(Object.values(e.doc.bindings ?? {}).filter((b) => /^soap1\.[12]$/.test(b.protocol)).map((b) => b.portType));
  const names: string[] = [];
  let count = 0;
  for (const pt of soapPortTypes) {
    const ops = e.doc.portTypes?.[pt] ?? {};
    if (typeof (ops as { operationCount?: number }).operationCount === 'number') count += (ops as { operationCount: number }).operationCount;
    else {
      names.push(...Object.keys(ops));
      count += Object.keys(ops).length;
    }
  }
  return { names, count };
}

const imports = new Map<string, Promise<{ imported: ImportedSource<SoapPlan>; schema: GraphQLSchema; ms: number }>>();
function load(file: string) {
  let p = imports.get(file);
  if (!p) {
    p = (async () => {
      const t0 = performance.now();
      const options = soapOptionsSchema.parse({ kind: 'soap', name: 'corpus', wsdl: file });
      const imported = await soapAdapter.importSource(options, { baseDir: path.join(corpus, 'wsdl') });
      const ms = performance.now() - t0;
      let sdl = imported.sdl;
      if (!/^type Query /m.test(sdl)) sdl += '\ntype Query { _unused: Boolean }\n';
      return { imported, schema: buildSchema(sdl), ms };
    })();
    imports.set(file, p);
  }
  return p;
}

function rootField(schema: GraphQLSchema, imported: ImportedSource<SoapPlan>, upstream: string): GraphQLField<unknown, unknown> {
  const op = imported.operations.find((o) => o.upstream === upstream);
  if (!op) throw new Error(`no root field for ${upstream}`);
  const [root, field] = op.field.split('.') as [string, string];
  const type = root === 'Query' ? schema.getQueryType() : schema.getMutationType();
  return type!.getFields()[field]!;
}

const named = (t: GraphQLType) => getNamedType(t).name;
function fieldOf(schema: GraphQLSchema, type: string, field: string) {
  const t = schema.getType(type);
  if (!t || !(isObjectType(t) || isInputObjectType(t))) throw new Error(`type ${type} not in schema`);
  const f = t.getFields()[field];
  if (!f) throw new Error(`${type}.${field} not in schema (has ${Object.keys(t.getFields()).join(', ')})`);
  return f;
}

const INT64 = /^xs:(long|unsignedLong|unsignedInt|integer|nonNegativeInteger|positiveInteger)\b/;

describe.skipIf(!present)('WSDL corpus', () => {
  it('reads the expectations of every WSDL in the corpus', () => {
    expect(expectations.length).toBeGreaterThanOrEqual(13);
  });

  for (const e of expectations) {
    const file = e.file.replace(/^wsdl\//, '');
    describe(file, () => {
      it('imports with one root field per portType operation (not per port), valid distinct names', async () => {
        const { imported, schema, ms } = await load(file);
        const exp = expectedOperations(e);
        expect(imported.operations).toHaveLength(exp.count);
        const upstream = imported.operations.map((o) => o.upstream);
        for (const n of exp.names) expect(upstream).toContain(n);
        expect(new Set(imported.operations.map((o) => o.field)).size).toBe(imported.operations.length);
        for (const o of imported.operations) expect(o.field).toMatch(/^(Query|Mutation)\.[_A-Za-z][_0-9A-Za-z]*$/);
        expect(schema).toBeDefined();
        expect(ms).toBeLessThan(15_000);
        console.log(`[corpus/wsdl] ${file}: ${imported.operations.length} operations, ${imported.warnings.length} warnings${imported.warnings.length ? ` (${imported.warnings.map((w) => w.message).join('; ').slice(0, 200)})` : ''}, ${ms.toFixed(0)} ms`);
        // Deterministic: a second import prints the same SDL.
        const again = await soapAdapter.importSource(soapOptionsSchema.parse({ kind: 'soap', name: 'corpus', wsdl: file }), { baseDir: path.join(corpus, 'wsdl') });
        expect(again.sdl).toBe(imported.sdl);
      });

      it('maps argument types per the WSDL (64-bit integers never Int)', async () => {
        const { imported, schema } = await load(file);
        let checked = 0;
        for (const [pt, ops] of Object.entries(e.doc.portTypes ?? {})) {
          if (!Object.values(e.doc.bindings ?? {}).some((b) => b.portType === pt && /^soap/.test(b.protocol))) continue;
          for (const [opName, op] of Object.entries(ops as Record<string, { input?: Record<string, { content?: unknown; type?: string }> }>)) {
            if (typeof op !== 'object' || !op?.input) continue;
            const field = rootField(schema, imported, opName);
            const parts = Object.entries(op.input);
            for (const [partName, part] of parts) {
              const pairs: Array<[string, string]> = part.content && typeof part.content === 'object'
                ? Object.entries(part.content as Record<string, string>)
                : part.type ? [[partName, part.type]] : [];
              for (const [child, xsd] of pairs) {
                const arg = field.args.find((a) => a.name === sanitizeName(child));
                if (!arg) continue; // complex parts are checked below through their types
                const t = named(arg.type);
                if (INT64.test(xsd)) expect(t, `${opName}(${child}: ${xsd})`).toBe('Long');
                if (/^xs:decimal\b/.test(xsd)) expect(t).toBe('Decimal');
                if (/^xs:(int|short)\b/.test(xsd)) expect(t).toBe('Int');
                if (/^xs:date\b/.test(xsd)) expect(t).toBe('Date');
                if (/^xs:boolean\b/.test(xsd)) expect(t).toBe('Boolean');
                if (/\[optional/.test(xsd)) expect(isNonNullType(arg.type), `${opName}.${child} optional`).toBe(false);
                checked++;
              }
            }
          }
        }
        expect(checked).toBeGreaterThanOrEqual(0);
      });
    });
  }

  // ---------------------------------------------------------------- file-specific facts

  it('NumberConversion: unsignedLong -> Long, decimal -> Decimal', async () => {
    const { imported, schema } = await load('dataaccess-NumberConversion.wsdl');
    expect(named(rootField(schema, imported, 'NumberToWords').args[0]!.type)).toBe('Long');
    expect(named(rootField(schema, imported, 'NumberToDollars').args[0]!.type)).toBe('Decimal');
  });

  it('GlobalWeather: HTTP GET/POST ports are ignored (2 operations, not 4 or 8)', async () => {
    const { imported } = await load('webservicex-GlobalWeather.wsdl');
    expect(imported.operations.map((o) => o.upstream).sort()).toEqual(['GetCitiesByCountry', 'GetWeather']);
    expect(imported.operations.every((o) => o.kind === 'query')).toBe(true);
  });

  it('CountryInfo: ArrayOf wrappers become lists', async () => {
    const { imported, schema } = await load('oorsprong-CountryInfoService.wsdl');
    const f = rootField(schema, imported, 'FullCountryInfoAllCountries');
    expect(isListType(f.type)).toBe(true);
    expect(named(f.type)).toBe('TCountryInfo');
    expect(isListType(isNonNullType(fieldOf(schema, 'TCountryInfo', 'Languages').type) ? (fieldOf(schema, 'TCountryInfo', 'Languages').type as { ofType: GraphQLType }).ofType : fieldOf(schema, 'TCountryInfo', 'Languages').type)).toBe(true);
  });

  it('stockquote: pre-2001 XSD namespace, unprefixed builtins, bare parts, one-way operation', async () => {
    const { imported, schema } = await load('stockquote-doclit-bare.wsdl');
    expect(named(rootField(schema, imported, 'SetTradePrice').type)).toBe('Void');
    expect(named(rootField(schema, imported, 'IsValidPrice').type)).toBe('Boolean');
    const price = rootField(schema, imported, 'GetLastTradePrice');
    expect(price.args.map((a) => `${a.name}:${a.type}`)).toEqual(['tickerSymbol:String!']);
    expect(named(fieldOf(schema, named(price.type), 'price').type)).toBe('Float');
    expect(named(fieldOf(schema, named(price.type), 'tax').type)).toBe('Float');
    expect(named(fieldOf(schema, named(price.type), 'other').type)).toBe('Decimal');
  });

  it('multi-service rpc/encoded: part-named arguments, one field per operation', async () => {
    const { imported, schema } = await load('multi-service-rpc-encoded.wsdl');
    for (const op of ['sayHello', 'sayBye', 'sayAnotherBye']) {
      const f = rootField(schema, imported, op);
      expect(f.args.map((a) => a.name)).toEqual(['firstName']);
      expect(named(f.type)).toBe('String');
    }
    expect(imported.plan.operations.every((o) => o.style === 'rpc' && o.encoded)).toBe(true);
  });

  it('ericsson: soapenc types built in, "ResultCode " trimmed to a valid name, rpc/encoded without soapAction', async () => {
    const { imported, schema } = await load('ericsson-EVacSyncService_SPClient.wsdl');
    const f = rootField(schema, imported, 'eOrderRelationUpdateNotify');
    const input = named(f.args[0]!.type);
    expect(Object.keys((schema.getType(input) as { getFields(): object }).getFields())).toHaveLength(16);
    expect(named(fieldOf(schema, input, 'UserIdType').type)).toBe('Int');
    expect(named(fieldOf(schema, input, 'UserId').type)).toBe('String');
    // `name="ResultCode "`: XML names cannot contain spaces, so the element on the wire is <ResultCode>.
    expect(named(fieldOf(schema, named(f.type), 'ResultCode').type)).toBe('Int');
    expect(imported.plan.objects[named(f.type)]!.fields.find((x) => x.gql === 'ResultCode')!.xml).toBe('ResultCode');
    const mem = rootField(schema, imported, 'eMemOrderRelationUpdateNotify');
    expect(Object.keys((schema.getType(named(mem.args[0]!.type)) as { getFields(): object }).getFields())).toHaveLength(17);
    expect(imported.plan.operations.every((o) => o.soapAction === '')).toBe(true);
  });

  it('asmx GetNodes: empty request sequence, recursive Node', async () => {
    const { imported, schema } = await load('asmx-GetNodes-recursive.wsdl');
    const f = rootField(schema, imported, 'GetNodes');
    expect(f.args).toHaveLength(0);
    expect(named(f.type)).toBe('Node');
    expect(named(fieldOf(schema, 'Node', 'Children').type)).toBe('Node');
    expect(String(fieldOf(schema, 'Node', 'Children').type)).toBe('[Node]!');
  });

  it('WCF: mutual recursion through complexContent extension; Serialization builtins do not clash', async () => {
    const { imported, schema } = await load('wcf-IService1-recursive-datacontract.wsdl');
    const f = rootField(schema, imported, 'GetPerson');
    expect(named(f.type)).toBe('Person');
    expect(named(fieldOf(schema, 'Person', 'Department').type)).toBe('Department');
    expect(named(fieldOf(schema, 'Department', 'HeadOfDepartment').type)).toBe('Person');
    expect(f.args.map((a) => String(a.type))).toEqual(['String']);
  });

  it('vecozo: xs:any and empty polymorphic base become JSON; the optional SOAP header part is an optional argument sent in soap:Header', async () => {
    const { imported, schema } = await load('vecozo-IndienenBericht/soap.wsdl');
    const f = rootField(schema, imported, 'IndienenBericht');
    expect(f.args.map((a) => `${a.name}:${a.type}`)).toEqual(['Request:IndienenBerichtRequestInput!', 'ReferentieHeader:ReferentieHeaderInput']);
    const req = named(f.args[0]!.type);
    expect(named(fieldOf(schema, req, 'BerichtInfo').type)).toBe('JSON');
    expect(named(fieldOf(schema, named(f.type), 'ConversatieId').type)).toBe('String');
    const op = [...linkPlan(imported.plan).values()].find((o) => o.plan.name === 'IndienenBericht')!;
    const xml = buildEnvelope(op, { Request: { Bericht: { x: '1' } }, ReferentieHeader: { ReferentieId: 'ref-1' } }, { soapHeaders: [] });
    expect(xml).toMatch(/<soap:Header><ns\d:ReferentieHeader><ns\d:ReferentieId>ref-1<\/ns\d:ReferentieId><\/ns\d:ReferentieHeader><\/soap:Header>/);
    expect(xml).toMatch(/<soap:Body><ns\d:IndienenBericht><ns\d:Request>/);
  });

  it('CyberSource: import without targetNamespace; data:boolean stays a String; xs:integer -> Long; attributes', async () => {
    const { imported, schema } = await load('cybersource/CyberSourceTransaction_1.26.wsdl');
    const f = rootField(schema, imported, 'runTransaction');
    expect(f.args).toHaveLength(71);
    expect(String(f.args.find((a) => a.name === 'item')!.type)).toMatch(/^\[ItemInput!\]$/);
    const reply = named(f.type);
    expect(String(fieldOf(schema, reply, 'reasonCode').type)).toBe('Long!');
    expect(String(fieldOf(schema, reply, 'missingField').type)).toBe('[String!]!');
    expect(isListType((fieldOf(schema, reply, 'deniedPartiesMatch').type as { ofType: GraphQLType }).ofType)).toBe(true);
    expect(String(fieldOf(schema, 'CCAuthServiceInput', 'run').type)).toBe('String!');
    expect(named(fieldOf(schema, 'ItemInput', 'id').type)).toBe('Long');
  });

  it('registration: wsdl:import + empty portType, chained xsd import/include, choice, enums, dangling fault named', async () => {
    const { imported, schema } = await load('registration-import-include/registration.wsdl');
    const f = rootField(schema, imported, 'registerUser');
    const args = Object.fromEntries(f.args.map((a) => [a.name, String(a.type)]));
    expect(args).toMatchObject({ id: 'String!', dateOfBirth: 'Date!', privateAddress: 'PrivateAddressInput', companyAddress: 'CompanyAddressInput' });
    const lang = schema.getType(named(f.args.find((a) => a.name === 'correspondenceLanguage')!.type));
    expect(isEnumType(lang) && lang.getValues().map((v) => v.name)).toEqual(['GER', 'ITA', 'FRE', 'ENG']);
    expect(named(f.type)).toBe('String');
    expect(imported.warnings.map((w) => w.message).join('\n')).toMatch(/errorDetailMessage/);
  });

  it('economic: 1511 operations (not 3022), enums, decimals, list results', async () => {
    const { imported, schema, ms } = await load('economic/economic.wsdl');
    expect(imported.operations).toHaveLength(1511);
    const connect = rootField(schema, imported, 'Connect');
    expect(connect.args.map((a) => `${a.name}:${a.type}`)).toEqual(['agreementNumber:Int!', 'userName:String', 'password:String']);
    const all = rootField(schema, imported, 'Debtor_GetAll');
    expect(all.args).toHaveLength(0);
    expect(isListType(all.type) && named(all.type)).toBe('DebtorHandle');
    const data = named(rootField(schema, imported, 'Debtor_GetData').type);
    expect(String(fieldOf(schema, data, 'IsAccessible').type)).toBe('Boolean!');
    expect(String(fieldOf(schema, data, 'CreditMaximum').type)).toBe('Decimal');
    expect(String(fieldOf(schema, data, 'Balance').type)).toBe('Decimal');
    expect(isEnumType(getNamedType(fieldOf(schema, data, 'VatZone').type))).toBe(true);
    console.log(`[corpus/wsdl] economic.wsdl (3 MB, 1511 operations) imported in ${ms.toFixed(0)} ms`);
  });

  it('refuses remote and out-of-folder imports with a specific message (never fetched)', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(path.join(tmpdir(), 'sy-wsdl-'));
    const wsdl = (loc: string) => `<?xml version="1.0"?><definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:t"><types><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t"><xs:import namespace="urn:x" schemaLocation="${loc}"/></xs:schema></types></definitions>`;
    writeFileSync(path.join(dir, 'remote.wsdl'), wsdl('http://169.254.169.254/latest/meta-data/x.xsd'));
    writeFileSync(path.join(dir, 'escape.wsdl'), wsdl('../../../../etc/passwd'));
    const imp = (f: string) => soapAdapter.importSource(soapOptionsSchema.parse({ kind: 'soap', name: 'bad', wsdl: f }), { baseDir: dir });
    await expect(imp('remote.wsdl')).rejects.toThrow(/remote; Switchyard never fetches imports/);
    await expect(imp('escape.wsdl')).rejects.toThrow(/outside the WSDL's folder/);
    writeFileSync(path.join(dir, 'doctype.wsdl'), '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><definitions xmlns="http://schemas.xmlsoap.org/wsdl/">&x;</definitions>');
    await expect(imp('doctype.wsdl')).rejects.toThrow(/DOCTYPE/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema } from 'graphql';
import { importWsdl, isReadOperation } from '../../src/adapters/soap/import';
import { soapOptionsSchema } from '../../src/adapters/soap/options';
import { lowerFirst, sanitizeName } from '../../src/adapters/soap/names';
import { StartupError } from '../../src/errors/gateway-error';

const dir = mkdtempSync(path.join(tmpdir(), 'sy-soap-import-'));
const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);
const imp = (wsdl: string, extra: Record<string, unknown> = {}) =>
  importWsdl(soapOptionsSchema.parse({ kind: 'soap', name: 'src', wsdl, ...extra }), { baseDir: dir });
const valid = (sdl: string) => buildSchema(/^type Query /m.test(sdl) ? sdl : `${sdl}\ntype Query { _: Boolean }`);

/** A doc/literal WSDL around the given schema body and operations `[name, inElementBody, outElementBody]`. */
function wsdl(schema: string, ops: Array<[string, string, string]>, opts: { soap12?: boolean; extraNs?: string; types?: string } = {}): string {
  const els = ops.map(([n, i, o]) => `<xs:element name="${n}"><xs:complexType>${i}</xs:complexType></xs:element><xs:element name="${n}Response"><xs:complexType>${o}</xs:complexType></xs:element>`).join('');
  const msgs = ops.map(([n]) => `<message name="${n}In"><part name="parameters" element="tns:${n}"/></message><message name="${n}Out"><part name="parameters" element="tns:${n}Response"/></message>`).join('');
  const pt = ops.map(([n]) => `<operation name="${n}"><input message="tns:${n}In"/><output message="tns:${n}Out"/></operation>`).join('');
  const bind = (p: string) => ops.map(([n]) => `<operation name="${n}"><${p}:operation soapAction="urn:t/${n}${p === 'soap12' ? '/12' : ''}"/><input><${p}:body use="literal"/></input><output><${p}:body use="literal"/></output></operation>`).join('');
  return `<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"
  xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:t" ${opts.extraNs ?? ''} targetNamespace="urn:t">
  <types><xs:schema targetNamespace="urn:t" elementFormDefault="qualified">${schema}${els}</xs:schema>${opts.types ?? ''}</types>
  ${msgs}<portType name="PT">${pt}</portType>
  <binding name="B11" type="tns:PT"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>${bind('soap')}</binding>
  ${opts.soap12 ? `<binding name="B12" type="tns:PT"><soap12:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>${bind('soap12')}</binding>` : ''}
  <service name="S"><port name="P11" binding="tns:B11"><soap:address location="http://127.0.0.1:9/s"/></port>
  ${opts.soap12 ? '<port name="P12" binding="tns:B12"><soap12:address location="http://127.0.0.1:9/s12"/></port>' : ''}</service>
</definitions>`;
}

describe('names', () => {
  it('sanitises deterministically', () => {
    expect(sanitizeName('ResultCode ')).toBe('ResultCode_');
    expect(sanitizeName('1st')).toBe('_1st');
    expect(sanitizeName('__proto__')).toBe('x__proto__');
    expect(lowerFirst('GetStock')).toBe('getStock');
    expect(lowerFirst('URLLookup')).toBe('urlLookup');
    expect(lowerFirst('ISOCode')).toBe('isoCode');
  });

  it('classifies read operations by verb (also after the last "_")', () => {
    for (const q of ['GetStock', 'getStock', 'ListItems', 'FindX', 'SearchA', 'QueryB', 'LookupC', 'CheckD', 'CountE', 'ReadF', 'FetchG', 'Debtor_GetAll', 'Get']) expect(isReadOperation(q), q).toBe(true);
    for (const m of ['CreateOrder', 'Getaway', 'Listen', 'Checkout', 'SetTradePrice', 'Connect']) expect(isReadOperation(m), m).toBe(false);
  });
});

describe('WSDL import', () => {
  it('one field per portType operation across SOAP 1.1 + 1.2 bindings; soapVersion picks the binding', async () => {
    write('both.wsdl', wsdl('', [['GetA', '<xs:sequence><xs:element name="id" type="xs:int"/></xs:sequence>', '<xs:sequence><xs:element name="v" type="xs:string"/></xs:sequence>']], { soap12: true }));
    const r11 = await imp('both.wsdl');
    expect(r11.operations).toEqual([{ field: 'Query.getA', upstream: 'GetA', kind: 'query' }]);
    expect(r11.plan.operations[0]).toMatchObject({ soapVersion: '1.1', soapAction: 'urn:t/GetA', endpoint: 'http://127.0.0.1:9/s' });
    const r12 = await imp('both.wsdl', { soapVersion: '1.2' });
    expect(r12.plan.operations[0]).toMatchObject({ soapVersion: '1.2', soapAction: 'urn:t/GetA/12', endpoint: 'http://127.0.0.1:9/s12' });
    expect(r12.sdl).toBe(r11.sdl.replace('SOAP 1.1', 'SOAP 1.2'));
  });

  it('wrapped args, single-child unwrap, multi-child object, empty answer -> Void; overrides', async () => {
    write('shapes.wsdl', wsdl('<xs:complexType name="Pair"><xs:sequence><xs:element name="a" type="xs:int"/><xs:element name="b" type="xs:string" minOccurs="0"/></xs:sequence></xs:complexType>', [
      ['GetPair', '<xs:sequence><xs:element name="id" type="xs:long"/><xs:element name="tags" type="xs:string" maxOccurs="unbounded"/></xs:sequence>', '<xs:sequence><xs:element name="pair" type="tns:Pair"/></xs:sequence>'],
      ['GetTwo', '<xs:sequence/>', '<xs:sequence><xs:element name="x" type="xs:int"/><xs:element name="y" type="xs:decimal" nillable="true"/></xs:sequence>'],
      ['Ping', '<xs:sequence/>', '<xs:sequence/>'],
    ]));
    const r = await imp('shapes.wsdl');
    valid(r.sdl);
    expect(r.sdl).toContain('getPair(id: Long!, tags: [String!]!): Pair');
    expect(r.sdl).toContain('getTwo: GetTwoResponse');
    expect(r.sdl).toMatch(/type GetTwoResponse \{\n {2}x: Int!\n {2}y: Decimal\n\}/);
    expect(r.sdl).toContain('ping: Void');
    const o = await imp('shapes.wsdl', { operations: { Ping: { type: 'query', field: 'healthCheck' }, GetPair: { type: 'mutation' } } });
    expect(o.operations.map((x) => x.field)).toEqual(['Mutation.getPair', 'Query.getTwo', 'Query.healthCheck']);
    await expect(imp('shapes.wsdl', { operations: { Nope: { type: 'query' } } })).rejects.toThrow(/no SOAP operation named Nope/);
    const p = await imp('shapes.wsdl', { typePrefix: 'Inv' });
    valid(p.sdl);
    expect(p.sdl).toContain('getPair(id: Long!, tags: [String!]!): InvPair');
    expect(p.sdl).toContain('type InvGetTwoResponse {');
  });

  it('same simple name in different namespaces stays distinct; enums, attributes, simpleContent, choice, recursion', async () => {
    const other = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:o" xmlns:o="urn:o">
      <xs:complexType name="Item"><xs:sequence><xs:element name="o" type="xs:string"/></xs:sequence></xs:complexType>
      <xs:simpleType name="boolean"><xs:restriction base="xs:string"/></xs:simpleType></xs:schema>`;
    write('mix.wsdl', wsdl(`<xs:import namespace="urn:o"/>
      <xs:complexType name="Item"><xs:sequence>
        <xs:element name="other" type="o:Item"/>
        <xs:element name="flag" type="o:boolean"/>
        <xs:element name="real" type="xs:boolean"/>
        <xs:element name="kind"><xs:simpleType><xs:restriction base="xs:string"><xs:enumeration value="a-b"/><xs:enumeration value="null"/><xs:enumeration value="1x"/></xs:restriction></xs:simpleType></xs:element>
        <xs:choice><xs:element name="left" type="xs:int"/><xs:element name="right" type="xs:int"/></xs:choice>
        <xs:element name="price"><xs:complexType><xs:simpleContent><xs:extension base="xs:decimal"><xs:attribute name="currency" type="xs:string" use="required"/></xs:extension></xs:simpleContent></xs:complexType></xs:element>
        <xs:element name="next" type="tns:Item" minOccurs="0"/>
      </xs:sequence><xs:attribute name="id" type="xs:unsignedInt"/></xs:complexType>`,
    [['GetItem', '<xs:sequence><xs:element name="item" type="tns:Item"/></xs:sequence>', '<xs:sequence><xs:element name="item" type="tns:Item"/></xs:sequence>']],
    { extraNs: 'xmlns:o="urn:o"', types: other }));
    const r = await imp('mix.wsdl');
    valid(r.sdl);
    expect(r.sdl).toMatch(/type Item \{\n {2}other: Item_2!\n {2}flag: String!\n {2}real: Boolean!\n {2}kind: ItemKind!\n {2}left: Int\n {2}right: Int\n {2}price: ItemPrice!\n {2}next: Item\n {2}id: Long\n\}/);
    expect(r.sdl).toMatch(/type Item_2 \{\n {2}o: String!\n\}/);
    expect(r.sdl).toMatch(/enum ItemKind \{\n {2}a_b\n {2}null_\n {2}_1x\n\}/);
    expect(r.sdl).toMatch(/type ItemPrice \{\n {2}currency: String!\n {2}value: Decimal\n\}/);
    expect(r.sdl).toContain('getItem(item: ItemInput!): Item');
    expect(r.sdl).toMatch(/input ItemInput \{[^}]*next: ItemInput\n/);
  });

  it('xsd:include (chameleon) and xsd:import from local files; builtin namespaces never followed', async () => {
    write('inc.xsd', '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:complexType name="Inc"><xs:sequence><xs:element name="v" type="xs:date"/></xs:sequence></xs:complexType></xs:schema>');
    write('imp.xsd', '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:i"><xs:complexType name="Imp"><xs:sequence><xs:element name="w" type="xs:dateTime"/></xs:sequence></xs:complexType></xs:schema>');
    write('files.wsdl', wsdl('<xs:include schemaLocation="inc.xsd"/><xs:import namespace="urn:i" schemaLocation="imp.xsd"/><xs:import namespace="http://schemas.xmlsoap.org/soap/encoding/" schemaLocation="http://schemas.xmlsoap.org/soap/encoding/"/>',
      [['GetF', '<xs:sequence/>', '<xs:sequence><xs:element name="a" type="tns:Inc"/><xs:element name="b" type="i:Imp"/></xs:sequence>']], { extraNs: 'xmlns:i="urn:i"' }));
    const r = await imp('files.wsdl');
    valid(r.sdl);
    expect(r.sdl).toMatch(/type Inc \{\n {2}v: Date!\n\}/);
    expect(r.sdl).toMatch(/type Imp \{\n {2}w: DateTime!\n\}/);
  });

  it('refuses remote imports, path escapes, unreadable files and DOCTYPEs with specific StartupErrors', async () => {
    write('remote.wsdl', wsdl('<xs:import namespace="urn:x" schemaLocation="https://evil.example/x.xsd"/>', []));
    write('escape.wsdl', wsdl('<xs:include schemaLocation="../../../../../etc/passwd"/>', []));
    write('missing.wsdl', wsdl('<xs:include schemaLocation="nope.xsd"/>', []));
    write('wsdl20.wsdl', '<description xmlns="http://www.w3.org/ns/wsdl"/>');
    const err = await imp('remote.wsdl').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect((err as StartupError).problems[0]).toMatchObject({ code: 'SPEC_INVALID', file: path.join(dir, 'remote.wsdl') });
    expect((err as Error).message).toMatch(/"https:\/\/evil.example\/x.xsd" is remote/);
    await expect(imp('escape.wsdl')).rejects.toThrow(/outside the WSDL's folder/);
    await expect(imp('missing.wsdl')).rejects.toThrow(/cannot read .*nope.xsd: ENOENT/);
    await expect(imp('wsdl20.wsdl')).rejects.toThrow(/WSDL 2.0 is not supported/);
  });

  it('rpc/encoded with soapenc:Array -> list, and an operation with a dangling message is skipped with a warning', async () => {
    write('rpc.wsdl', `<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xsd="http://www.w3.org/2001/XMLSchema"
  xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:tns="urn:r" targetNamespace="urn:r">
  <types><xsd:schema targetNamespace="urn:r"><xsd:import namespace="http://schemas.xmlsoap.org/soap/encoding/"/>
    <xsd:complexType name="ArrayOfString"><xsd:complexContent><xsd:restriction base="soapenc:Array"><xsd:attribute ref="soapenc:arrayType" wsdl:arrayType="xsd:string[]"/></xsd:restriction></xsd:complexContent></xsd:complexType>
  </xsd:schema></types>
  <message name="In"><part name="q" type="xsd:string"/><part name="n" type="soapenc:int"/></message>
  <message name="Out"><part name="names" type="tns:ArrayOfString"/></message>
  <portType name="P"><operation name="listNames"><input message="tns:In"/><output message="tns:Out"/></operation>
    <operation name="broken"><input message="tns:Missing"/><output message="tns:Out"/></operation></portType>
  <binding name="B" type="tns:P"><soap:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="listNames"><soap:operation soapAction="ln"/><input><soap:body use="encoded" namespace="urn:r:ns" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></input><output><soap:body use="encoded" namespace="urn:r:ns"/></output></operation>
    <operation name="broken"><input><soap:body use="encoded"/></input><output><soap:body use="encoded"/></output></operation></binding>
  <service name="S"><port name="P" binding="tns:B"><soap:address location="http://127.0.0.1:9/r"/></port></service>
</definitions>`);
    const r = await imp('rpc.wsdl');
    valid(r.sdl);
    expect(r.sdl).toContain('listNames(q: String, n: Int): [String]');
    expect(r.plan.operations[0]!.input.wrapper).toEqual({ ns: 'urn:r:ns', local: 'listNames' });
    expect(r.operations).toHaveLength(1);
    expect(r.warnings.map((w) => `${w.location}: ${w.message}`).join('\n')).toMatch(/P\.broken: skipped: input message Missing is not defined/);
  });

  describe('from a URL', () => {
    let server: http.Server;
    let base = '';
    beforeAll(async () => {
      server = http.createServer((req, res) => {
        if (req.url === '/svc?wsdl') res.end(wsdl('', [['GetA', '<xs:sequence/>', '<xs:sequence><xs:element name="v" type="xs:string"/></xs:sequence>']]));
        else if (req.url === '/rel?wsdl') res.end(wsdl('<xs:include schemaLocation="x.xsd"/>', []));
        else if (req.url === '/moved') res.writeHead(301, { location: '/svc?wsdl' }).end();
        else if (req.url === '/huge?wsdl') {
          // 21 MiB without a content-length (chunked): the cap must hold while reading.
          const chunk = Buffer.alloc(1024 * 1024, 0x20);
          for (let i = 0; i < 21; i++) res.write(chunk);
          res.end();
        }
        else res.writeHead(404).end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => server.close());

    it('fetches only the configured WSDL URL; refuses its relative imports and redirects', async () => {
      expect((await imp(`${base}/svc?wsdl`)).operations).toHaveLength(1);
      await expect(imp(`${base}/rel?wsdl`)).rejects.toThrow(/relative to a remote WSDL; Switchyard does not fetch it/);
      await expect(imp(`${base}/moved`)).rejects.toThrow(/HTTP 301 \(redirects are not followed/);
    });

    it('refuses a WSDL larger than 20 MiB while reading it', async () => {
      await expect(imp(`${base}/huge?wsdl`)).rejects.toThrow(/WSDL larger than 20 MiB/);
    });
  });
});

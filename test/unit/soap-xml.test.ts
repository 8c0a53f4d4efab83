import { describe, expect, it } from 'vitest';
import { parseXml, decodeEntities, escapeXml, XmlError } from '../../src/adapters/soap/xml';
import { linkPlan } from '../../src/adapters/soap/link';
import { decodeEnvelope, readFault, xmlToJson } from '../../src/adapters/soap/decode';
import { buildEnvelope } from '../../src/adapters/soap/encode';
import type { SoapPlan } from '../../src/adapters/soap/plan';

describe('parseXml: well-formed input', () => {
  it('builds the element tree with namespaces, attributes, text, CDATA, comments and PIs', () => {
    const root = parseXml(`\ufeff<?xml version="1.0" encoding="UTF-8"?>
      <!-- c --><a:root xmlns:a="urn:a" xmlns="urn:d" x='1' y="&lt;&#65;&#x42;&amp;">
        <child>t1 &gt; <![CDATA[<raw & stuff>]]></child><?pi data?>
        <a:empty/>
        <inner xmlns="urn:e"><deep/></inner>
      </a:root>`);
    expect(root.local).toBe('root');
    expect(root.ns).toBe('urn:a');
    expect(root.attrs).toMatchObject({ x: '1', y: '<AB&' });
    const [child, empty, inner] = root.children;
    expect(child!.ns).toBe('urn:d');
    expect(child!.text).toBe('t1 > <raw & stuff>');
    expect(empty!.name).toBe('a:empty');
    expect(inner!.children[0]!.ns).toBe('urn:e');
  });

  it('keeps whitespace-only values of leaf elements', () => {
    expect(parseXml('<a><b>  </b></a>').children[0]!.text).toBe('  ');
  });

  it('decodes only the predefined entities and valid character references', () => {
    expect(decodeEntities('&quot;&apos;&#x1F600;')).toBe(`"'😀`);
    expect(() => decodeEntities('&nbsp;')).toThrow(/undefined entity/);
    expect(() => decodeEntities('&#0;')).toThrow(/not a valid XML character/);
    expect(() => decodeEntities('a & b')).toThrow(XmlError);
  });

  it('escapes what it writes, replacing characters XML 1.0 cannot carry', () => {
    expect(escapeXml(`<a href="x">&'\u0001`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;\ufffd');
    expect(escapeXml('plain')).toBe('plain');
  });
});

describe('parseXml: hostile or broken input is refused, never expanded, never hangs', () => {
  const bad: Array<[string, string, RegExp]> = [
    ['DOCTYPE (XXE)', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', /DOCTYPE/],
    ['DOCTYPE without subset', '<!DOCTYPE html><r/>', /DOCTYPE/],
    ['billion laughs', `<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 9 }, (_, i) => `<!ENTITY a${i + 1} "${`&a${i || ''};`.repeat(10)}">`).join('')}]><l>&a9;</l>`, /DOCTYPE/],
    ['ENTITY outside a DOCTYPE', '<r><!ENTITY x "y"></r>', /DOCTYPE and entity/],
    ['undefined entity', '<r>&x;</r>', /undefined entity/],
    ['truncated', '<r><a>1</a', /unexpected end/],
    ['unclosed element', '<r><a>1</a>', /unexpected end of document inside <r>/],
    ['mismatched tag', '<r><a></b></r>', /does not match/],
    ['two roots', '<r/><s/>', /more than one root/],
    ['text outside root', 'x<r/>', /text before/],
    ['unquoted attribute', '<r a=1/>', /not quoted/],
    ['duplicate attribute', '<r a="1" a="2"/>', /duplicate attribute/],
    ['< in attribute', '<r a="<"/>', /"<"/],
    ['undeclared prefix', '<p:r/>', /undeclared namespace prefix/],
    ['UTF-7 declaration', '<?xml version="1.0" encoding="UTF-7"?><r/>', /unsupported encoding/],
    ['late XML declaration', '<r/><?xml version="1.0"?>', /XML declaration not at the start/],
    ['unterminated comment', '<r><!-- x</r>', /comment/],
    ['unterminated CDATA', '<r><![CDATA[x</r>', /CDATA/],
    ['empty document', '   ', /no root element/],
  ];
  for (const [name, xml, msg] of bad) {
    it(`refuses: ${name}`, () => {
      expect(() => parseXml(xml)).toThrow(XmlError);
      expect(() => parseXml(xml)).toThrow(msg);
    });
  }

  it('refuses nesting deeper than maxDepth without recursing', () => {
    const deep = '<a>'.repeat(100_000) + '</a>'.repeat(100_000);
    expect(() => parseXml(deep)).toThrow(/nested deeper than 256/);
  });

  it('stays linear on pathological input (no backtracking)', () => {
    const many = `<r ${Array.from({ length: 20_000 }, (_, i) => `a${i}="${'x'.repeat(10)}"`).join(' ')}/>`;
    const t0 = performance.now();
    expect(parseXml(many).attrs!.a19999).toBe('xxxxxxxxxx');
    const open = '<r>' + '<'.repeat(1) + 'a'.repeat(2_000_000);
    expect(() => parseXml(open)).toThrow(XmlError);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('never throws anything but XmlError on random mutations of a valid envelope', () => {
    const valid = '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><m:R xmlns:m="urn:m" a="1"><m:v>1 &amp; 2</m:v><![CDATA[x]]></m:R></soap:Body></soap:Envelope>';
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const alphabet = '<>/&;"\'=:![]-?x ';
    for (let i = 0; i < 5000; i++) {
      const chars = valid.split('');
      const edits = 1 + Math.floor(rnd() * 4);
      for (let e = 0; e < edits; e++) {
        const pos = Math.floor(rnd() * chars.length);
        const op = rnd();
        if (op < 0.33) chars.splice(pos, 1);
        else if (op < 0.66) chars.splice(pos, 0, alphabet[Math.floor(rnd() * alphabet.length)]!);
        else chars.length = pos;
      }
      try {
        parseXml(chars.join(''));
      } catch (e) {
        expect(e).toBeInstanceOf(XmlError);
      }
    }
  });
});

// ------------------------------------------------------------------ schema-driven mapping

const plan: SoapPlan = {
  version: 1,
  enums: { Color: { values: [['dark-green', 'dark_green'], ['red', 'red']], source: 'Color' } },
  inputNames: {},
  objects: {
    Stock: {
      source: 'Stock',
      fields: [
        { gql: 'id', xml: 'id', ns: 'urn:t', kind: 's', type: 'Int', nullable: false },
        { gql: 'big', xml: 'big', ns: 'urn:t', kind: 's', type: 'Long', nullable: true },
        { gql: 'tags', xml: 'tag', ns: 'urn:t', kind: 's', type: 'String', nullable: true, list: true },
        { gql: 'color', xml: 'color', ns: 'urn:t', kind: 'e', type: 'Color', nullable: true },
        { gql: 'parts', xml: 'parts', ns: 'urn:t', kind: 'o', type: 'Stock', nullable: true, list: true, wrap: { xml: 'Stock', ns: 'urn:t', nillable: true } },
        { gql: 'note', xml: 'note', ns: 'urn:t', kind: 's', type: 'String', nullable: true, nillable: true },
        { gql: 'unit', xml: 'unit', ns: '', kind: 's', type: 'String', nullable: true, attr: true },
      ],
    },
  },
  operations: [{
    name: 'GetStocks', portType: 'P', root: 'Query', field: 'getStocks', soapVersion: '1.1', soapAction: 'urn:t/GetStocks', endpoint: null,
    style: 'document', encoded: false,
    input: { wrapper: { ns: 'urn:t', local: 'GetStocks' }, args: [
      { gql: 'ids', xml: 'id', ns: 'urn:t', kind: 's', type: 'Int', nullable: true, list: true },
      { gql: 'color', xml: 'color', ns: 'urn:t', kind: 'e', type: 'Color', nullable: true },
      { gql: 'filter', xml: 'filter', ns: '', kind: 'o', type: 'Stock', nullable: true },
    ] },
    output: { void: false, path: ['GetStocksResponse'], select: { gql: 'stock', xml: 'stock', ns: 'urn:t', kind: 'o', type: 'Stock', nullable: true, list: true }, object: null },
  }],
};
const op = [...linkPlan(plan).values()][0]!;
const env = (body: string) => parseXml(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="urn:t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><s:Body>${body}</s:Body></s:Envelope>`);

describe('schema-driven mapping', () => {
  it('a list of one element stays a list; numbers, longs, enums, nil, attributes, array wrappers', () => {
    const r = decodeEnvelope(env(`<t:GetStocksResponse><t:stock unit="kg"><t:id> 7 </t:id><t:big>9007199254740993</t:big><t:tag>a</t:tag><t:color>dark-green</t:color><t:parts><t:Stock><t:id>8</t:id></t:Stock><t:Stock xsi:nil="true"/></t:parts><t:note xsi:nil="true"/><t:unknown>ignored</t:unknown></t:stock></t:GetStocksResponse>`), op);
    expect(r).toEqual({ value: [{ id: 7, big: '9007199254740993', tags: ['a'], color: 'dark_green', unit: 'kg', note: null, parts: [{ id: 8, tags: [], parts: [] }, null] }] });
  });

  it('an empty answer is an empty list, not null', () => {
    expect(decodeEnvelope(env('<t:GetStocksResponse/>'), op)).toEqual({ value: [] });
  });

  it('values that contradict the WSDL are errors, not silent coercions', () => {
    expect(() => decodeEnvelope(env('<t:GetStocksResponse><t:stock><t:id>3000000000</t:id></t:stock></t:GetStocksResponse>'), op)).toThrow(/32-bit/);
    expect(() => decodeEnvelope(env('<t:GetStocksResponse><t:stock><t:id>1.5</t:id></t:stock></t:GetStocksResponse>'), op)).toThrow(/32-bit/);
    expect(() => decodeEnvelope(env('<t:GetStocksResponse><t:stock><t:color>blue</t:color></t:stock></t:GetStocksResponse>'), op)).toThrow(/enum Color/);
    expect(() => decodeEnvelope(env('<t:Other/>'), op)).toThrow(/no <GetStocksResponse>/);
    expect(() => decodeEnvelope(parseXml('<notsoap/>'), op)).toThrow(/SOAP Envelope/);
  });

  it('reads SOAP 1.1 and 1.2 Faults', () => {
    const f11 = decodeEnvelope(env('<s:Fault><faultcode>s:Server</faultcode><faultstring>boom</faultstring><detail><e:code xmlns:e="urn:e">42</e:code><e:code xmlns:e="urn:e">43</e:code></detail></s:Fault>'), op);
    expect(f11).toEqual({ fault: { faultcode: 's:Server', faultstring: 'boom', detail: { code: ['42', '43'] } } });
    const f12 = readFault(parseXml('<e:Fault xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Code><e:Value>e:Receiver</e:Value></e:Code><e:Reason><e:Text>down</e:Text></e:Reason></e:Fault>'));
    expect(f12).toEqual({ faultcode: 'e:Receiver', faultstring: 'down', detail: undefined });
  });

  it('xs:any content becomes JSON without prototype pollution', () => {
    const j = xmlToJson(parseXml('<a x="1"><__proto__><polluted>yes</polluted></__proto__><b>1</b><b>2</b></a>')) as Record<string, unknown>;
    expect(j['@x']).toBe('1');
    expect(j.b).toEqual(['1', '2']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('builds the envelope: qualified wrapper, repeated list items, enum XML values, unqualified local children, escaping, explicit null on nillable -> xsi:nil', () => {
    const xml = buildEnvelope(op, { ids: [1, 2], color: 'dark_green', filter: { id: 3, tags: ['<x>'], unit: 'a"b', note: null } }, { soapHeaders: ['<h:T xmlns:h="urn:h">1</h:T>'] });
    expect(xml).toContain('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"');
    expect(xml).toContain('<soap:Header><h:T xmlns:h="urn:h">1</h:T></soap:Header>');
    expect(xml).toContain('<ns1:GetStocks><ns1:id>1</ns1:id><ns1:id>2</ns1:id><ns1:color>dark-green</ns1:color><filter unit="a&quot;b"><ns1:id>3</ns1:id><ns1:tag>&lt;x&gt;</ns1:tag><ns1:note xsi:nil="true"/></filter></ns1:GetStocks>');
    expect(() => parseXml(xml)).not.toThrow();
  });

  it('adds a WS-Security UsernameToken (text and digest)', () => {
    const text = buildEnvelope(op, {}, { soapHeaders: [], security: { username: 'u', password: 'p&w', passwordType: 'PasswordText' } });
    expect(text).toMatch(/<wsse:Username>u<\/wsse:Username><wsse:Password Type="[^"]+#PasswordText">p&amp;w<\/wsse:Password>/);
    const digest = buildEnvelope(op, {}, { soapHeaders: [], security: { username: 'u', password: 'pw', passwordType: 'PasswordDigest' } });
    expect(digest).toMatch(/#PasswordDigest">[A-Za-z0-9+/=]{28}<\/wsse:Password><wsse:Nonce [^>]+>[A-Za-z0-9+/=]+<\/wsse:Nonce><wsu:Created>\d{4}-/);
    expect(digest).not.toContain('>pw<');
    expect(() => parseXml(digest)).not.toThrow();
  });
});

describe('rpc/encoded answers', () => {
  const rpcPlan: SoapPlan = {
    version: 1, enums: {}, inputNames: {},
    objects: { Person: { source: 'Person', fields: [
      { gql: 'name', xml: 'name', ns: '', kind: 's', type: 'String', nullable: true },
      { gql: 'friends', xml: 'friends', ns: '', kind: 'o', type: 'Person', nullable: true, list: true, wrap: { xml: '*', ns: '', nillable: true } },
    ] } },
    operations: [{
      name: 'getPerson', portType: 'P', root: 'Query', field: 'getPerson', soapVersion: '1.1', soapAction: '', endpoint: null, style: 'rpc', encoded: true,
      input: { wrapper: { ns: 'urn:r', local: 'getPerson' }, args: [{ gql: 'id', xml: 'id', ns: '', kind: 's', type: 'Int', nullable: true, nillable: true, xsd: 'int' }] },
      output: { void: false, path: ['*'], select: { gql: 'return', xml: 'return', ns: '', kind: 'o', type: 'Person', nullable: true }, object: null },
    }],
  };
  const rop = [...linkPlan(rpcPlan).values()][0]!;

  it('resolves multiRef href values (Axis style) and encoded arrays of any item name', () => {
    const r = decodeEnvelope(env(`<ns1:getPersonResponse xmlns:ns1="urn:r"><return href="#id0"/></ns1:getPersonResponse>
      <multiRef id="id0"><name>Ann</name><friends><item href="#id1"/><item><name>Bo</name></item></friends></multiRef>
      <multiRef id="id1"><name>Cy</name></multiRef>`), rop);
    expect(r).toEqual({ value: { name: 'Ann', friends: [{ name: 'Cy', friends: [] }, { name: 'Bo', friends: [] }] } });
  });

  it('refuses dangling and cyclic references', () => {
    expect(() => decodeEnvelope(env('<r><return href="#nope"/></r><x id="y"/>'), rop)).toThrow(/points to no multiRef/);
    expect(() => decodeEnvelope(env('<r><return href="#a"/></r><m id="a" href="#a"/>'), rop)).toThrow(/cyclic/);
    expect(() => decodeEnvelope(env('<r><return href="#a"/></r><m id="a"><friends><item href="#a"/></friends></m>'), rop)).toThrow(/nested deeper than 256/);
  });

  it('writes xsi:type and encodingStyle on rpc/encoded requests', () => {
    const xml = buildEnvelope(rop, { id: 5 }, { soapHeaders: [] });
    expect(xml).toContain('<ns1:getPerson soap:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><id xsi:type="xsd:int">5</id></ns1:getPerson>');
    expect(() => parseXml(xml)).not.toThrow();
  });
});

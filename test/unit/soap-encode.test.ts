import { describe, expect, it } from 'vitest';
import { buildEnvelope, identityHeader } from '../../src/adapters/soap/encode';
import { linkPlan } from '../../src/adapters/soap/link';
import type { SoapPlan } from '../../src/adapters/soap/plan';
import { parseXml } from '../../src/adapters/soap/xml';

// Request envelopes, byte for byte. The expected texts were written by the encoder before its
// allocation work (qname and tag caches, parts joined once): any change here changes the wire.
const plan: SoapPlan = {
  version: 1,
  enums: { Color: { values: [['dark-green', 'dark_green'], ['red', 'red']], source: 'Color' } },
  inputNames: {},
  objects: {
    Filter: {
      source: 'Filter',
      fields: [
        { gql: 'unit', xml: 'unit', ns: '', kind: 's', type: 'String', nullable: true, attr: true },
        { gql: 'lang', xml: 'lang', ns: 'urn:attr', kind: 's', type: 'String', nullable: true, attr: true },
        { gql: 'id', xml: 'id', ns: 'urn:t', kind: 's', type: 'Int', nullable: false },
        { gql: 'tags', xml: 'tag', ns: 'urn:t', kind: 's', type: 'String', nullable: true, list: true },
        { gql: 'note', xml: 'note', ns: 'urn:t', kind: 's', type: 'String', nullable: true, nillable: true },
        { gql: 'hidden', xml: 'hidden', ns: 'urn:t', kind: 's', type: 'String', nullable: true },
        { gql: 'color', xml: 'color', ns: 'urn:other', kind: 'e', type: 'Color', nullable: true },
        { gql: 'children', xml: 'children', ns: 'urn:t', kind: 'o', type: 'Filter', nullable: true, list: true, wrap: { xml: 'Filter', ns: 'urn:items', nillable: true } },
        { gql: 'any', xml: 'any', ns: '', kind: 's', type: 'String', nullable: true, wrap: { xml: '*', ns: '', nillable: false }, list: true },
        { gql: 'flag', xml: 'flag', ns: '', kind: 's', type: 'Boolean', nullable: true },
      ],
    },
    Money: {
      source: 'Money',
      fields: [{ gql: 'currency', xml: 'currency', ns: '', kind: 's', type: 'String', nullable: true, attr: true }],
      text: { gql: 'amount', xml: '', ns: '', kind: 's', type: 'Decimal', nullable: true },
    },
    Extensible: {
      source: 'Extensible',
      fields: [{ gql: 'name', xml: 'name', ns: 'urn:t', kind: 's', type: 'String', nullable: true }],
      any: 'extra',
    },
    Auth: {
      source: 'Auth',
      fields: [{ gql: 'token', xml: 'token', ns: 'urn:h', kind: 's', type: 'String', nullable: true }],
    },
  },
  operations: [
    {
      name: 'GetStocks', portType: 'P', root: 'Query', field: 'getStocks', soapVersion: '1.1', soapAction: 'urn:t/GetStocks', endpoint: null,
      style: 'document', encoded: false,
      input: {
        wrapper: { ns: 'urn:t', local: 'GetStocks' },
        args: [
          { gql: 'ids', xml: 'productIds', ns: 'urn:t', kind: 's', type: 'Int', nullable: true, list: true, xsd: 'int' },
          { gql: 'color', xml: 'color', ns: 'urn:t', kind: 'e', type: 'Color', nullable: true },
          { gql: 'filter', xml: 'filter', ns: '', kind: 'o', type: 'Filter', nullable: true, nillable: true },
          { gql: 'filters', xml: 'filters', ns: 'urn:t', kind: 'o', type: 'Filter', nullable: true, list: true },
          { gql: 'money', xml: 'money', ns: 'urn:t', kind: 'o', type: 'Money', nullable: true },
          { gql: 'ext', xml: 'ext', ns: 'urn:t', kind: 'o', type: 'Extensible', nullable: true },
          { gql: 'raw', xml: 'raw', ns: 'urn:t', kind: 'j', type: 'JSON', nullable: true },
          { gql: 'names', xml: 'names', ns: 'urn:t', kind: 's', type: 'String', nullable: true, list: true, wrap: { xml: 'name', ns: 'urn:t', nillable: true } },
          { gql: 'mode', xml: 'mode', ns: 'urn:t', kind: 's', type: 'String', nullable: true, attr: true },
        ],
        headers: [
          { gql: 'auth', xml: 'Auth', ns: 'urn:h', kind: 'o', type: 'Auth', nullable: true },
          { gql: 'trace', xml: 'Trace', ns: 'urn:t', kind: 's', type: 'String', nullable: true, nillable: true },
        ],
      },
      output: { void: false, path: ['GetStocksResponse'], select: null, object: 'Filter' },
    },
    {
      name: 'Bare', portType: 'P', root: 'Mutation', field: 'bare', soapVersion: '1.2', soapAction: 'urn:t/Bare', endpoint: null,
      style: 'document', encoded: false,
      input: {
        wrapper: null,
        args: [
          { gql: 'a', xml: 'A', ns: 'urn:b', kind: 's', type: 'String', nullable: true },
          { gql: 'b', xml: 'B', ns: '', kind: 's', type: 'Float', nullable: true, list: true },
        ],
      },
      output: { void: true, path: [], select: null, object: null },
    },
    {
      name: 'getPerson', portType: 'P', root: 'Query', field: 'getPerson', soapVersion: '1.1', soapAction: '', endpoint: null,
      style: 'rpc', encoded: true,
      input: {
        wrapper: { ns: 'urn:r', local: 'getPerson' },
        args: [
          { gql: 'id', xml: 'id', ns: '', kind: 's', type: 'Int', nullable: true, nillable: true, xsd: 'int' },
          { gql: 'names', xml: 'names', ns: '', kind: 's', type: 'String', nullable: true, list: true, wrap: { xml: '*', ns: '', nillable: true }, xsd: 'string' },
          { gql: 'when', xml: 'when', ns: '', kind: 's', type: 'DateTime', nullable: true },
          { gql: 'filter', xml: 'filter', ns: 'urn:t', kind: 'o', type: 'Filter', nullable: true },
        ],
      },
      output: { void: false, path: ['*'], select: null, object: 'Filter' },
    },
  ],
} as unknown as SoapPlan;
const ops = [...linkPlan(plan).values()];
const op = (name: string) => ops.find((o) => o.plan.name === name)!;

/** The envelope, which must also parse. */
function envelope(...a: Parameters<typeof buildEnvelope>): string {
  const xml = buildEnvelope(...a);
  expect(() => parseXml(xml)).not.toThrow();
  return xml;
}

const filter = (id: number, more: Record<string, unknown> = {}) => ({ id, ...more });

describe('SOAP request envelopes, byte for byte', () => {
  it('list arguments (the reference GetStockBatch shape)', () => {
    const ids = Array.from({ length: 5 }, (_, i) => i + 1);
    expect(envelope(op('GetStocks'), { ids }, { soapHeaders: [] })).toMatchInlineSnapshot(`"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:t"><soap:Body><ns1:GetStocks><ns1:productIds>1</ns1:productIds><ns1:productIds>2</ns1:productIds><ns1:productIds>3</ns1:productIds><ns1:productIds>4</ns1:productIds><ns1:productIds>5</ns1:productIds></ns1:GetStocks></soap:Body></soap:Envelope>"`);
    // A single value for a list argument is one item; an empty list writes nothing; null items are nil.
    expect(envelope(op('GetStocks'), { ids: 7 }, { soapHeaders: [] })).toMatchInlineSnapshot(`"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:t"><soap:Body><ns1:GetStocks><ns1:productIds>7</ns1:productIds></ns1:GetStocks></soap:Body></soap:Envelope>"`);
    expect(envelope(op('GetStocks'), { ids: [] }, { soapHeaders: [] })).toMatchInlineSnapshot(`"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:t"><soap:Body><ns1:GetStocks></ns1:GetStocks></soap:Body></soap:Envelope>"`);
    expect(envelope(op('GetStocks'), { ids: [1, null, 3] }, { soapHeaders: [] })).toMatchInlineSnapshot(`"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body><ns1:GetStocks><ns1:productIds>1</ns1:productIds><ns1:productIds xsi:nil="true"/><ns1:productIds>3</ns1:productIds></ns1:GetStocks></soap:Body></soap:Envelope>"`);
  });

  it('nested objects, attributes, enums, nil, escaping, wrapped lists, simpleContent and xs:any', () => {
    const args = {
      mode: 'fast & "loose"',
      color: 'dark_green',
      filter: filter(3, {
        unit: 'a"b', lang: 'en', tags: ['<x>', "it's"], note: null, hidden: null, color: 'red', flag: false,
        children: [filter(4, { children: [] }), null, filter(5, { note: 'n', tags: 'single', any: ['p', null, 'q'] })],
      }),
      filters: [filter(6), filter(7, { lang: 'fr' }), null],
      money: { currency: 'EUR', amount: '12.50' },
      ext: { name: 'e', extra: { a: 1, 'bad key': 2, b: [{ c: '<' }, 'd'], n: null } },
      raw: [{ x: { y: 'z' } }, 'text&', 42],
      names: ['x', null, 'y'],
    };
    expect(envelope(op('GetStocks'), args, { soapHeaders: [] })).toMatchInlineSnapshot(`"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:t" xmlns:ns2="urn:attr" xmlns:ns3="urn:other" xmlns:ns4="urn:items" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body><ns1:GetStocks ns1:mode="fast &amp; &quot;loose&quot;"><ns1:color>dark-green</ns1:color><filter unit="a&quot;b" ns2:lang="en"><ns1:id>3</ns1:id><ns1:tag>&lt;x&gt;</ns1:tag><ns1:tag>it&apos;s</ns1:tag><ns1:note xsi:nil="true"/><ns3:color>red</ns3:color><ns1:children><ns4:Filter><ns1:id>4</ns1:id><ns1:children></ns1:children></ns4:Filter><ns4:Filter xsi:nil="true"/><ns4:Filter><ns1:id>5</ns1:id><ns1:tag>single</ns1:tag><ns1:note>n</ns1:note><any><item>p</item><item xsi:nil="true"/><item>q</item></any></ns4:Filter></ns1:children><flag>false</flag></filter><ns1:filters><ns1:id>6</ns1:id></ns1:filters><ns1:filters ns2:lang="fr"><ns1:id>7</ns1:id></ns1:filters><ns1:filters xsi:nil="true"/><ns1:money currency="EUR">12.50</ns1:money><ns1:ext><ns1:name>e</ns1:name><a>1</a><b><c>&lt;</c></b><b>d</b><n></n></ns1:ext><ns1:raw><x><y>z</y></x>text&amp;42</ns1:raw><ns1:names><ns1:name>x</ns1:name><ns1:name xsi:nil="true"/><ns1:name>y</ns1:name></ns1:names></ns1:GetStocks></soap:Body></soap:Envelope>"`);
    // A nillable null is xsi:nil; a null that is not nillable (the wrapped list) is left out.
    expect(envelope(op('GetStocks'), { filter: null, names: null, money: { amount: null } }, { soapHeaders: [] })).toMatchInlineSnapshot(`"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body><ns1:GetStocks><filter xsi:nil="true"/><ns1:money></ns1:money></ns1:GetStocks></soap:Body></soap:Envelope>"`);
  });

  it('the same element names repeated across many objects in one envelope', () => {
    const filters = Array.from({ length: 4 }, (_, i) => filter(i, { tags: [`t${i}`], color: i % 2 ? 'red' : 'dark_green', children: [filter(10 + i)] }));
    expect(envelope(op('GetStocks'), { filters }, { soapHeaders: [] })).toMatchInlineSnapshot(`"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:t" xmlns:ns2="urn:other" xmlns:ns3="urn:items"><soap:Body><ns1:GetStocks><ns1:filters><ns1:id>0</ns1:id><ns1:tag>t0</ns1:tag><ns2:color>dark-green</ns2:color><ns1:children><ns3:Filter><ns1:id>10</ns1:id></ns3:Filter></ns1:children></ns1:filters><ns1:filters><ns1:id>1</ns1:id><ns1:tag>t1</ns1:tag><ns2:color>red</ns2:color><ns1:children><ns3:Filter><ns1:id>11</ns1:id></ns3:Filter></ns1:children></ns1:filters><ns1:filters><ns1:id>2</ns1:id><ns1:tag>t2</ns1:tag><ns2:color>dark-green</ns2:color><ns1:children><ns3:Filter><ns1:id>12</ns1:id></ns3:Filter></ns1:children></ns1:filters><ns1:filters><ns1:id>3</ns1:id><ns1:tag>t3</ns1:tag><ns2:color>red</ns2:color><ns1:children><ns3:Filter><ns1:id>13</ns1:id></ns3:Filter></ns1:children></ns1:filters></ns1:GetStocks></soap:Body></soap:Envelope>"`);
  });

  it('soap:Header: operation headers (numbered after the body), configured headers, WS-Security, identity', () => {
    const options = { soapHeaders: ['<h:T xmlns:h="urn:h">1</h:T>', '<x/>'] };
    expect(envelope(op('GetStocks'), { ids: [1], auth: { token: 't<k>' }, trace: null }, options)).toMatchInlineSnapshot(`"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:t" xmlns:ns2="urn:h" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Header><ns2:Auth><ns2:token>t&lt;k&gt;</ns2:token></ns2:Auth><ns1:Trace xsi:nil="true"/><h:T xmlns:h="urn:h">1</h:T><x/></soap:Header><soap:Body><ns1:GetStocks><ns1:productIds>1</ns1:productIds></ns1:GetStocks></soap:Body></soap:Envelope>"`);
    expect(envelope(op('GetStocks'), { trace: 'abc' }, { soapHeaders: [] })).toMatchInlineSnapshot(`"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:t"><soap:Header><ns1:Trace>abc</ns1:Trace></soap:Header><soap:Body><ns1:GetStocks></ns1:GetStocks></soap:Body></soap:Envelope>"`);
    expect(envelope(op('GetStocks'), {}, { soapHeaders: [], security: { username: 'u<', password: 'p&w', passwordType: 'PasswordText' } })).toMatchInlineSnapshot(`"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:t"><soap:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" soap:mustUnderstand="1"><wsse:UsernameToken><wsse:Username>u&lt;</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">p&amp;w</wsse:Password></wsse:UsernameToken></wsse:Security></soap:Header><soap:Body><ns1:GetStocks></ns1:GetStocks></soap:Body></soap:Envelope>"`);
    expect(envelope(op('GetStocks'), { ids: [2] }, { soapHeaders: [] }, { 'x-user-id': '42', 'x-tenant': '', 'bad name': 'v', 'x-role': 'a&b' })).toMatchInlineSnapshot(`"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:t"><soap:Header><sy:Identity xmlns:sy="urn:switchyard:identity"><sy:x-user-id>42</sy:x-user-id><sy:x-role>a&amp;b</sy:x-role></sy:Identity></soap:Header><soap:Body><ns1:GetStocks><ns1:productIds>2</ns1:productIds></ns1:GetStocks></soap:Body></soap:Envelope>"`);
    expect(envelope(op('Bare'), { a: 'x' }, { soapHeaders: ['<h/>'], identityHeader: { element: 'Caller', namespace: 'urn:c"' } }, { sub: 's' })).toMatchInlineSnapshot(`"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:ns1="urn:b"><soap:Header><h/><sy:Caller xmlns:sy="urn:c&quot;"><sy:sub>s</sy:sub></sy:Caller></soap:Header><soap:Body><ns1:A>x</ns1:A></soap:Body></soap:Envelope>"`);
    expect(envelope(op('GetStocks'), {}, { soapHeaders: [] }, { 'x-user-id': '' })).toMatchInlineSnapshot(`"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:t"><soap:Body><ns1:GetStocks></ns1:GetStocks></soap:Body></soap:Envelope>"`);
  });

  it('WS-Security digest: nonce and creation time vary, the rest does not', () => {
    const xml = envelope(op('GetStocks'), { ids: [1] }, { soapHeaders: [], security: { username: 'u', password: 'pw', passwordType: 'PasswordDigest' } });
    const stable = xml
      .replace(/#PasswordDigest">[A-Za-z0-9+/=]{28}</, '#PasswordDigest">DIGEST<')
      .replace(/Base64Binary">[A-Za-z0-9+/=]{24}</, 'Base64Binary">NONCE<')
      .replace(/<wsu:Created>[^<]+</, '<wsu:Created>CREATED<');
    expect(stable).toMatchInlineSnapshot(`"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:t"><soap:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" soap:mustUnderstand="1"><wsse:UsernameToken><wsse:Username>u</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">DIGEST</wsse:Password><wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">NONCE</wsse:Nonce><wsu:Created>CREATED</wsu:Created></wsse:UsernameToken></wsse:Security></soap:Header><soap:Body><ns1:GetStocks><ns1:productIds>1</ns1:productIds></ns1:GetStocks></soap:Body></soap:Envelope>"`);
  });

  it('bare arguments (no wrapper) and SOAP 1.2', () => {
    expect(envelope(op('Bare'), { a: 'x', b: [1.5, -0, 1e21] }, { soapHeaders: [] })).toMatchInlineSnapshot(`"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:ns1="urn:b"><soap:Body><ns1:A>x</ns1:A><B>1.5</B><B>0</B><B>1e+21</B></soap:Body></soap:Envelope>"`);
    expect(envelope(op('Bare'), {}, { soapHeaders: [] })).toMatchInlineSnapshot(`"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body></soap:Body></soap:Envelope>"`);
  });

  it('rpc/encoded: xsi:type, encodingStyle, `item` for any-name array items', () => {
    expect(envelope(op('getPerson'), { id: 5, names: ['a', null], when: '2024-01-01T00:00:00Z', filter: filter(1, { tags: ['t'] }) }, { soapHeaders: [] })).toMatchInlineSnapshot(`"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:r" xmlns:ns2="urn:t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body><ns1:getPerson soap:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><id xsi:type="xsd:int">5</id><names><item xsi:type="xsd:string">a</item><item xsi:nil="true"/></names><when>2024-01-01T00:00:00Z</when><ns2:filter><ns2:id>1</ns2:id><ns2:tag>t</ns2:tag></ns2:filter></ns1:getPerson></soap:Body></soap:Envelope>"`);
    expect(envelope(op('getPerson'), { id: null }, { soapHeaders: [] })).toMatchInlineSnapshot(`"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:r" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body><ns1:getPerson soap:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><id xsi:nil="true"/></ns1:getPerson></soap:Body></soap:Envelope>"`);
  });

  it('identityHeader on its own', () => {
    expect(identityHeader(undefined, undefined)).toBe('');
    expect(identityHeader({ a: '1' }, { namespace: 'urn:x' })).toMatchInlineSnapshot(`"<sy:Identity xmlns:sy="urn:x"><sy:a>1</sy:a></sy:Identity>"`);
  });
});

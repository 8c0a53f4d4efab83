import { describe, expect, it } from 'vitest';
import { decodeEnvelope } from '../../src/adapters/soap/decode';
import { fastDecodeEnvelope } from '../../src/adapters/soap/fast-decode';
import { linkPlan } from '../../src/adapters/soap/link';
import type { SoapPlan } from '../../src/adapters/soap/plan';
import { parseXml } from '../../src/adapters/soap/xml';

// The fast pass must give the full path's answer, or step aside (undefined): never a different one.
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
        // A second field with the same local name: the first one (by local name) wins, as in the full path.
        { gql: 'otherId', xml: 'id', ns: 'urn:other', kind: 's', type: 'String', nullable: true },
        { gql: 'dotted', xml: 'a.b-c_d', ns: 'urn:t', kind: 's', type: 'Float', nullable: true },
        { gql: 'ok', xml: 'ok', ns: 'urn:t', kind: 's', type: 'Boolean', nullable: true },
        { gql: 'idx', xml: 'idx', ns: 'urn:t', kind: 's', type: 'String', nullable: true },
      ],
    },
  },
  operations: [
    {
      name: 'GetStocks', portType: 'P', root: 'Query', field: 'getStocks', soapVersion: '1.1', soapAction: 'urn:t/GetStocks', endpoint: null,
      style: 'document', encoded: false,
      input: { wrapper: { ns: 'urn:t', local: 'GetStocks' }, args: [] },
      output: { void: false, path: ['GetStocksResponse'], select: { gql: 'stock', xml: 'stock', ns: 'urn:t', kind: 'o', type: 'Stock', nullable: true, list: true }, object: null },
    },
    {
      name: 'GetOne', portType: 'P', root: 'Query', field: 'getOne', soapVersion: '1.1', soapAction: 'urn:t/GetOne', endpoint: null,
      style: 'document', encoded: false,
      input: { wrapper: { ns: 'urn:t', local: 'GetOne' }, args: [] },
      output: { void: false, path: ['*', 'result'], select: null, object: 'Stock' },
    },
    {
      name: 'Ping', portType: 'P', root: 'Mutation', field: 'ping', soapVersion: '1.1', soapAction: 'urn:t/Ping', endpoint: null,
      style: 'document', encoded: false,
      input: { wrapper: { ns: 'urn:t', local: 'Ping' }, args: [] },
      output: { void: true, path: [], select: null, object: null },
    },
  ],
} as unknown as SoapPlan;
const ops = linkPlan(plan);
const byName = (n: string) => [...ops.values()].find((o) => o.plan.name === n)!;

const ENV = '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="urn:t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">';
const env = (body: string, head = '') => `${ENV}${head}<s:Body>${body}</s:Body></s:Envelope>`;

function full(text: string, opName: string): unknown {
  try {
    return decodeEnvelope(parseXml(text), byName(opName));
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Fast answer equals the full path's; returns whether the fast pass took it. */
function same(text: string, opName = 'GetStocks'): boolean {
  const fast = fastDecodeEnvelope(text, byName(opName));
  if (fast !== undefined) expect(JSON.stringify(fast)).toBe(JSON.stringify(full(text, opName)));
  return fast !== undefined;
}

describe('SOAP fast decode = element tree + decode', () => {
  it('takes the common doc/literal answers, with the same values (lists, longs, enums, wrappers, unknown elements, entities, whitespace)', () => {
    const cases = [
      env('<t:GetStocksResponse><t:stock><t:id> 7 </t:id><t:big>9007199254740993</t:big><t:tag>a</t:tag><t:tag>b &amp; c</t:tag><t:color>dark-green</t:color><t:parts><t:Stock><t:id>8</t:id></t:Stock><t:Other/><t:Stock><t:id>9</t:id><t:tag/></t:Stock></t:parts><t:unknown><deep><er>x</er></deep></t:unknown></t:stock></t:GetStocksResponse>'),
      env('<t:GetStocksResponse/>'),
      env('<t:GetStocksResponse>\n  <t:stock>\n    <t:id>1</t:id>\n  </t:stock>\n  <t:stock><t:id>2</t:id><t:parts/></t:stock>\n</t:GetStocksResponse>'),
      `<?xml version="1.0" encoding="UTF-8"?>\n${env('<GetStocksResponse xmlns="urn:t"><stock><id>3</id></stock></GetStocksResponse>')}\n`,
      env('<t:GetStocksResponse><t:stock><t:id>1</t:id></t:stock></t:GetStocksResponse>', '<s:Header><h:x xmlns:h="urn:h">1</h:x></s:Header>'),
      env('<t:Other/><t:GetStocksResponse><t:stock><t:id>4</t:id></t:stock></t:GetStocksResponse>'),
      env('<t:GetStocksResponse><t:stock><t:id>&#55;</t:id><t:tag>&lt;&gt;&quot;&apos;</t:tag></t:stock></t:GetStocksResponse>'),
    ];
    for (const c of cases) expect(same(c)).toBe(true);
    expect(same(env('<t:GetOneResponse><t:result><t:id>5</t:id><t:tag>x</t:tag></t:result></t:GetOneResponse>'), 'GetOne')).toBe(true);
    expect(same(env('<t:Anything><t:result/></t:Anything>'), 'GetOne')).toBe(true);
    expect(same(env('<t:PingResponse/>'), 'Ping')).toBe(true);
  });

  it('steps aside for what only the full path handles: attributes, nil, CDATA, comments, faults, PIs, BOM, Latin-1 declarations', () => {
    const cases = [
      env('<t:GetStocksResponse><t:stock unit="kg"><t:id>1</t:id></t:stock></t:GetStocksResponse>'),
      env('<t:GetStocksResponse><t:stock><t:id>1</t:id><t:note xsi:nil="true"/></t:stock></t:GetStocksResponse>'),
      env('<t:GetStocksResponse><t:stock><t:id><![CDATA[1]]></t:id></t:stock></t:GetStocksResponse>'),
      env('<t:GetStocksResponse><!-- c --><t:stock><t:id>1</t:id></t:stock></t:GetStocksResponse>'),
      env('<s:Fault><faultcode>s:Server</faultcode><faultstring>boom</faultstring></s:Fault>'),
      `<?xml version="1.0" encoding="ISO-8859-1"?>${env('<t:GetStocksResponse/>')}`,
      `\ufeff${env('<t:GetStocksResponse/>')}`,
      env('<t:GetStocksResponse><t:stock xmlns:nil="true"><t:id>1</t:id></t:stock></t:GetStocksResponse>'),
    ];
    for (const c of cases) expect(same(c)).toBe(false);
  });

  it('never decides an error: malformed or contradicting answers go to the full path', () => {
    const cases = [
      env('<t:GetStocksResponse><t:stock><t:id>3000000000</t:id></t:stock></t:GetStocksResponse>'),
      env('<t:GetStocksResponse><t:stock><t:color>blue</t:color></t:stock></t:GetStocksResponse>'),
      env('<t:Other/>'),
      '<notsoap/>',
      env('<t:GetStocksResponse><t:stock><t:id>1</t:idx></t:stock></t:GetStocksResponse>'),
      env('<t:GetStocksResponse><u:stock><t:id>1</t:id></u:stock></t:GetStocksResponse>'),
      env('<t:GetStocksResponse><t:stock><t:id>&bogus;</t:id></t:stock></t:GetStocksResponse>'),
      `${env('<t:GetStocksResponse/>')}<trailing/>`,
      `${env('<t:GetStocksResponse/>')}text`,
      env('<t:GetStocksResponse><t:stock><t:id>1<t:x/></t:id></t:stock></t:GetStocksResponse>'),
      env('<t:GetStocksResponse><t:stock><t:id>1</t:id>').slice(0, -20),
      '<s:Envelope xmlns:s="urn:not-soap"><s:Body/></s:Envelope>',
      `${ENV}<s:Body xmlns:s="urn:other"/></s:Envelope>`,
    ];
    for (const c of cases) expect(same(c)).toBe(false);
  });

  it('matches end tags and field names in place: prefixes of names, other prefixes, whitespace, dots and dashes', () => {
    const stock = (inner: string) => env(`<t:GetStocksResponse><t:stock>${inner}</t:stock></t:GetStocksResponse>`);
    const taken = [
      stock('<t:id>1</t:id  \n\t><t:idx>x</t:idx ><t:a.b-c_d>1.5</t:a.b-c_d><t:ok>1</t:ok>'),
      stock('<t:i>skipped</t:i><t:ids>skipped</t:ids><t:id>2</t:id><t:tag/><t:tag></t:tag><t:tag> </t:tag>'),
      stock('<u:id xmlns:u="urn:t">3</u:id><id xmlns="urn:other">4</id><t:tag>x</t:tag>'),
      env('<GetStocksResponse xmlns="urn:t"><stock><id>5</id><tag>&#x41;&#66;&amp;</tag><tag>&lt;</tag><tag>a&gt;b</tag></stock></GetStocksResponse>'),
      env('<:GetStocksResponse><:stock><:id>6</:id></:stock></:GetStocksResponse>').replace('<s:Body>', '<s:Body xmlns="urn:t">'),
      stock('<t:tag>é</t:tag><t:tag>ü€</t:tag><t:tag>twelve chars</t:tag><t:tag>thirteen char</t:tag><t:tag>a much longer text value, longer than any cache entry</t:tag>'),
      env(`<t:GetStocksResponse>${Array.from({ length: 60 }, (_, i) => `<t:stock><t:id>${i % 7}</t:id><t:tag>w${i % 5}</t:tag><t:tag>${i}</t:tag><t:color>${i % 2 ? 'red' : 'dark-green'}</t:color></t:stock>`).join('\n')}</t:GetStocksResponse>`),
    ];
    for (const c of taken) expect(same(c)).toBe(true);
    // Short texts are interned: many distinct values (colliding in the table), read twice.
    const many = env(`<t:GetStocksResponse><t:stock>${Array.from({ length: 3000 }, (_, i) => `<t:tag>${(i * 7919).toString(36)}</t:tag>`).join('')}</t:stock></t:GetStocksResponse>`);
    expect(same(many)).toBe(true);
    expect(same(many)).toBe(true);
    const refused = [
      stock('<t:idx>1</t:id>'),
      stock('<t:id>1</t:i>'),
      stock('<t:id>1</t:id x>'),
      stock('<t:id>1</ t:id>'),
      stock('<t:id>1</t:id'),
      stock('<t:id>1</u:id>').replace('<s:Body>', '<s:Body xmlns:u="urn:t">'),
      stock('<t:id>1</:id>'),
      stock('<t:id/>'),
      stock('<t:id> </t:id>'),
      stock('<t:id>1.0</t:id>'),
      stock('<t:id>&#49;x</t:id>'),
      stock('<t:ok>yes</t:ok>'),
      stock('<t:a.b-c_d>1.5.</t:a.b-c_d>'),
      stock('<tt:id>1</tt:id>'),
      stock('<t:tag>&#0;</t:tag>'),
      stock(`${'<t:x>'.repeat(300)}${'</t:x>'.repeat(300)}`),
    ];
    for (const c of refused) expect(same(c)).toBe(false);
  });

  it('random corruption of a real answer: same answer or steps aside, never a crash', () => {
    const base = env('<t:GetStocksResponse><t:stock><t:id>1</t:id><t:tag>a</t:tag><t:parts><t:Stock><t:id>2</t:id></t:Stock></t:parts></t:stock><t:stock><t:id>3</t:id></t:stock></t:GetStocksResponse>');
    expect(same(base)).toBe(true);
    // Many corruptions (in text, in skipped elements) still leave a readable answer.
    expect(corruptions(base, 7, ['<', '>', '/', '"', "'", '=', ' ', 'a', ':', '&', ';', '!', '?', 't', '1'])).toBeGreaterThan(100);
  });

  it('random corruption of an answer with look-alike names, whitespace in end tags, entities and repeated values', () => {
    const stock = (i: number) => `<t:stock>\n <t:id >${i}</t:id\n><t:idx>${i}</t:idx ><t:tag>w${i % 3}</t:tag><t:tag/><t:a.b-c_d>${i}.5</t:a.b-c_d><t:ok>${i % 2}</t:ok><t:color>red</t:color><t:note>a&amp;b</t:note></t:stock>`;
    const base = env(`<t:GetStocksResponse xmlns:u="urn:t">${stock(1)}${stock(22)}<u:stock><u:id>3</u:id></u:stock></t:GetStocksResponse>`);
    expect(same(base)).toBe(true);
    expect(corruptions(base, 11, ['<', '>', '/', ' ', '\n', 'a', 'd', 'x', ':', '&', ';', '.', '-', 't', 'u', '1', '2'])).toBeGreaterThan(100);
  });
});

/**
 * 3,000 copies of `base` with 1-3 random deletions, insertions or replacements (characters from
 * `alphabet`), each checked with `same`; returns how many the fast path still read.
 */
function corruptions(base: string, seed: number, alphabet: string[]): number {
  let taken = 0;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let n = 0; n < 3000; n++) {
    const chars = [...base];
    for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) {
      const pos = Math.floor(rnd() * chars.length);
      const op = rnd();
      if (op < 0.4) chars.splice(pos, 1);
      else if (op < 0.8) chars.splice(pos, 0, alphabet[Math.floor(rnd() * alphabet.length)]!);
      else chars[pos] = alphabet[Math.floor(rnd() * alphabet.length)]!;
    }
    if (same(chars.join(''))) taken++;
  }
  return taken;
}

/**
 * SOAP answer parse cost on the hot path: a real node-soap GetStockBatch answer (bench inventory
 * WSDL) parsed by Switchyard's schema-driven reader, vs the XML parsers installed here.
 *
 *   node bench/soap-parse.mjs [productCount=200]     (200 products = a 23 KB answer)
 *
 * Prints CPU ms per parse and ms per KB (median of 7 rounds). "ours: parse + map" is the full cost a
 * resolver pays: tokenize + element tree + mapping to the GraphQL shape with the WSDL plan.
 * The TypeScript sources are bundled with esbuild first (like bin/switchyard.mjs does).
 */
import http from 'node:http';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const wsdlFile = path.resolve(repo, 'test/fixtures/soap/inventory.wsdl');
const N = Number(process.argv[2] ?? 200);

// Bundled beside this file (so bare imports resolve from the repo), loaded, then removed.
const outfile = path.join(here, `.soap-parse.${process.pid}.mjs`);
await build({
  stdin: {
    contents: ["export { parseXml } from './src/adapters/soap/xml';", "export { importWsdl } from './src/adapters/soap/import';",
      "export { decodeEnvelope } from './src/adapters/soap/decode';", "export { fastDecodeEnvelope } from './src/adapters/soap/fast-decode';", "export { linkPlan } from './src/adapters/soap/link';", "export { soapOptionsSchema } from './src/adapters/soap/options';"].join('\n'),
    resolveDir: repo,
    loader: 'ts',
  },
  outfile,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'error',
});
let mod;
try {
  mod = await import(pathToFileURL(outfile).href);
} finally {
  rmSync(outfile, { force: true });
}
const { parseXml, importWsdl, decodeEnvelope, fastDecodeEnvelope, linkPlan, soapOptionsSchema } = mod;

async function realAnswer() {
  const soap = require('soap');
  const server = http.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = server.address().port;
  const wh = ['FRA-1', 'AMS-2', 'NYC-1', 'TYO-3'];
  soap.listen(server, '/inventory', {
    InventoryService: { InventoryPort: {
      GetStockBatch: (a) => ({ stock: [].concat(a.productIds).map((id) => ({ productId: Number(id), available: (Number(id) * 37) % 500, reserved: Number(id) % 50, warehouse: wh[Number(id) % 4] })) }),
    } },
  }, readFileSync(wsdlFile, 'utf8'));
  const ids = Array.from({ length: N }, (_, i) => `<tns:productIds>${i + 1}</tns:productIds>`).join('');
  const body = `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tns="http://example.com/shop/inventory/v1"><soap:Body><tns:GetStockBatch>${ids}</tns:GetStockBatch></soap:Body></soap:Envelope>`;
  const text = await new Promise((resolve, reject) => {
    const req = http.request({ port, host: '127.0.0.1', path: '/inventory', method: 'POST', headers: { 'content-type': 'text/xml', soapaction: '"http://example.com/shop/inventory/v1/GetStockBatch"' } }, (res) => {
      let s = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (s += c));
      res.on('end', () => resolve(s));
    });
    req.on('error', reject);
    req.end(body);
  });
  server.close();
  return text;
}

function bench(name, fn, kb) {
  for (let i = 0; i < 300; i++) fn(); // warm-up (JIT)
  // CPU time (user + system) of this process, median of 7 rounds: the machine is shared, and wall
  // time would count the time we wait for a core.
  const rounds = [];
  for (let r = 0; r < 7; r++) {
    const runs = 400;
    const t0 = process.cpuUsage();
    for (let i = 0; i < runs; i++) fn();
    const d = process.cpuUsage(t0);
    rounds.push((d.user + d.system) / 1000 / runs);
  }
  const ms = rounds.sort((a, b) => a - b)[3];
  console.log(`${name.padEnd(34)} ${ms.toFixed(3)} ms/parse   ${(ms / kb).toFixed(4)} ms/KB`);
}

const xml = await realAnswer();
const kb = Buffer.byteLength(xml) / 1024;
const imported = await importWsdl(soapOptionsSchema.parse({ kind: 'soap', name: 'inventory', wsdl: wsdlFile }), { baseDir: here });
const op = [...linkPlan(imported.plan).values()].find((o) => o.plan.name === 'GetStockBatch');
const check = decodeEnvelope(parseXml(xml), op);
console.log(`GetStockBatch answer: ${N} items, ${kb.toFixed(1)} KB (node-soap ${require('soap/package.json').version}); decoded ${check.value.length} StockLevel, first ${JSON.stringify(check.value[0])}`);

if (JSON.stringify(fastDecodeEnvelope(xml, op)) !== JSON.stringify(check)) throw new Error('fast decode differs from parse + map');
bench('ours: fast decode (no tree; hot path)', () => fastDecodeEnvelope(xml, op), kb);
bench('ours: parse only', () => parseXml(xml), kb);
bench('ours: parse + map (resolver cost)', () => decodeEnvelope(parseXml(xml), op), kb);
const tree = parseXml(xml);
bench('ours: map only (tree parsed once)', () => decodeEnvelope(tree, op), kb);

const optional = (id) => {
  try {
    return require(id);
  } catch {
    console.log(`${id.padEnd(34)} (not installed, skipped)`);
    return null;
  }
};
const saxes = optional('saxes');
if (saxes) bench(`saxes ${require('saxes/package.json').version} (events only)`, () => {
  const p = new saxes.SaxesParser({ xmlns: true });
  let n = 0;
  p.on('opentag', () => n++);
  p.on('text', () => n++);
  p.write(xml).close();
  return n;
}, kb);
const sax = optional('sax');
if (sax) bench(`sax ${require('sax/package.json').version} strict (events only)`, () => {
  const p = sax.parser(true, { xmlns: true });
  let n = 0;
  p.onopentag = () => n++;
  p.ontext = () => n++;
  p.write(xml).close();
  return n;
}, kb);
const fxp = optional('fast-xml-parser');
if (fxp) bench('fast-xml-parser', () => new fxp.XMLParser({ ignoreAttributes: false }).parse(xml), kb);
const txml = optional('txml');
if (txml) bench('txml', () => txml.parse(xml), kb);
const hp2 = optional('htmlparser2');
if (hp2) bench('htmlparser2 (xmlMode)', () => hp2.parseDocument(xml, { xmlMode: true }), kb);
const xmldom = optional('@xmldom/xmldom');
if (xmldom) bench(`@xmldom/xmldom ${require('@xmldom/xmldom/package.json').version} DOM`, () => new xmldom.DOMParser().parseFromString(xml, 'text/xml'), kb);

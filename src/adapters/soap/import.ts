import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImportEnv, ImportedSource, ImportWarning, OperationInfo } from '../types';
import { StartupError, type Problem } from '../../errors/gateway-error';
import { parseXml, resolveQName, attr, XmlError, type XmlElement } from './xml';
import type { FieldPlan, OperationPlan, SoapPlan } from './plan';
import { NameRegistry, lowerFirst, sanitizeName, typeName } from './names';
import type { SoapSourceOptions } from './options';
import { fetchWsdl } from './client';
import { printSoapSdl } from './sdl';
import { BUILTIN_NS, XSD_NS, XsdModel, isXsd, type Decl, type SchemaRef, type TypeInfo } from './xsd';

/**
 * WSDL 1.1 + XSD -> SDL + call plan.
 *
 * Rules (also in the README):
 * - One root field per portType operation bound by a SOAP 1.1 or 1.2 binding that a service port
 *   uses (all SOAP bindings when the WSDL has no service). HTTP GET/POST bindings are ignored.
 * - Query when the operation name, or its part after the last `_`, starts with a read verb
 *   (Get, List, Find, Search, Query, Lookup, Check, Count, Read, Fetch), else Mutation;
 *   `operations.<Name>.type` overrides. Field name: lowerCamel of the operation name.
 * - Arguments: the children of the request element (document/literal wrapped or bare with one
 *   complex element), or one argument per part (rpc, several parts, a simple-typed element).
 * - Result: the response element's content. When it has exactly one child element (and no
 *   attributes), the field returns that child (`getStockBatch: [StockLevel!]`); no child: `Void`;
 *   several: an object type named after the element's type.
 * - Array wrappers (a complex type whose only content is one repeated element, `ArrayOfX`)
 *   become GraphQL lists. Empty complex types and xs:any content become `JSON`.
 * - Only the configured WSDL is ever read from the network; imports and includes must be local
 *   files under the WSDL's folder or the config folder.
 */

const WSDL_SOAP11 = 'http://schemas.xmlsoap.org/wsdl/soap/';
const WSDL_SOAP12 = 'http://schemas.xmlsoap.org/wsdl/soap12/';


const READ_VERBS = /^(?:[Gg]et|[Ll]ist|[Ff]ind|[Ss]earch|[Qq]uery|[Ll]ookup|[Cc]heck|[Cc]ount|[Rr]ead|[Ff]etch)(?![a-z])/;

export function isReadOperation(name: string): boolean {
  const last = name.split(/[_.]/).pop() ?? name;
  return READ_VERBS.test(name) || READ_VERBS.test(last);
}

interface Doc { file: string; root: XmlElement; tns: string }
interface WsdlDecl { el: XmlElement; doc: Doc }

export class WsdlImporter {
  readonly warnings: ImportWarning[] = [];
  readonly problems: Problem[] = [];
  private readonly docs: Doc[] = [];
  private readonly loaded = new Set<string>();
  private readonly messages = new Map<string, WsdlDecl>();
  private readonly portTypes = new Map<string, WsdlDecl>();
  private readonly bindings = new Map<string, WsdlDecl>();
  private readonly services: WsdlDecl[] = [];
  private readonly typeNames = NameRegistry.forTypes();
  private readonly plan: SoapPlan = { version: 1, operations: [], objects: {}, enums: {}, inputNames: {} };
  private readonly xsd = new XsdModel(this.plan, this.warnings, this.typeNames);
  private remoteBase: string | null = null;
  private allowedRoots: string[] = [];

  constructor(private readonly options: SoapSourceOptions, private readonly env: ImportEnv) {}

  async run(): Promise<ImportedSource<SoapPlan>> {
    const { wsdl } = this.options;
    if (/^https?:\/\//i.test(wsdl)) {
      this.remoteBase = wsdl;
      const text = await fetchWsdl(wsdl, this.options.timeoutMs).then(decodeFile).catch((e: unknown) => {
        throw new StartupError([{ code: 'SPEC_INVALID', file: wsdl, key: `sources.${this.options.name}.wsdl`, message: `could not fetch the WSDL: ${(e as Error).message}`, fix: 'Check the URL, or download the WSDL (and its imports) and point `wsdl` at the local file.' }]);
      });
      this.addDocument(wsdl, this.parse(text, wsdl));
    } else {
      const file = path.resolve(this.env.baseDir, wsdl);
      this.allowedRoots = [path.dirname(file), path.resolve(this.env.baseDir)];
      await this.loadFile(file, null);
    }
    await this.followImports();
    if (this.problems.length) throw new StartupError(this.problems);
    this.buildOperations();
    if (this.problems.length) throw new StartupError(this.problems);
    if (this.options.typePrefix) prefixTypes(this.plan, this.options.typePrefix);
    this.plan.files = this.remoteBase ? [this.remoteBase] : [...this.loaded];
    const sdl = printSoapSdl(this.plan);
    const operations: OperationInfo[] = this.plan.operations.map((o) => ({ field: `${o.root}.${o.field}`, upstream: o.name, kind: o.root === 'Query' ? 'query' : 'mutation' }));
    return { sourceName: this.options.name, kind: 'soap', sdl, operations, warnings: this.warnings, plan: this.plan };
  }

  // ---------------------------------------------------------------- loading

  private fail(file: string, message: string, fix?: string): never {
    throw new StartupError([{ code: 'SPEC_INVALID', file, key: `sources.${this.options.name}.wsdl`, message, fix }]);
  }

  private parse(text: string, file: string): XmlElement {
    try {
      return parseXml(text, { maxDepth: 512, ignoreEncoding: true });
    } catch (e) {
      if (e instanceof XmlError) this.fail(file, `not well-formed XML: ${e.message}`, 'Check that the file is a WSDL/XSD document (no DOCTYPE, valid XML).');
      throw e;
    }
  }

  private async loadFile(file: string, from: string | null): Promise<XmlElement | null> {
    if (this.loaded.has(file)) return null;
    this.loaded.add(file);
    let buf: Buffer;
    try {
      buf = await readFile(file);
    } catch (e) {
      this.fail(from ?? file, `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'Put the imported file next to the WSDL (imports are resolved relative to the importing file).');
    }
    const root = this.parse(decodeFile(buf), file);
    if (from === null) this.addDocument(file, root);
    return root;
  }

  /** Resolves an import location to a local file, refusing anything remote or outside the allowed folders. */
  private localImport(location: string, fromFile: string, what: string): string {
    if (/^[a-z][a-z0-9+.-]*:/i.test(location) && !/^file:/i.test(location) && !/^[a-z]:[\\/]/i.test(location)) {
      this.fail(fromFile, `${what} "${location}" is remote; Switchyard never fetches imports from the network (only the configured WSDL URL itself)`, 'Download the referenced file, put it next to the WSDL, and change the location to a relative path.');
    }
    if (this.remoteBase) {
      this.fail(fromFile, `${what} "${location}" is relative to a remote WSDL; Switchyard does not fetch it`, 'Download the WSDL and its imports into schemas/<source>/upstream/ and point `wsdl` at the local file.');
    }
    const target = path.resolve(path.dirname(fromFile), location.replace(/^file:(\/\/)?/i, ''));
    if (!this.allowedRoots.some((r) => target === r || target.startsWith(r + path.sep))) {
      this.fail(fromFile, `${what} "${location}" resolves outside the WSDL's folder (${target}); refused`, 'Copy the file next to the WSDL and use a relative path inside that folder.');
    }
    return target;
  }

  private addDocument(file: string, root: XmlElement): void {
    if (root.local === 'schema' && XSD_NS.has(root.ns)) {
      this.addSchema(root, file, null);
      return;
    }
    if (root.local !== 'definitions') this.fail(file, `root element is <${root.name}>, expected wsdl:definitions`, 'Point `wsdl` at a WSDL 1.1 document (WSDL 2.0 is not supported).');
    const doc: Doc = { file, root, tns: attr(root, 'targetNamespace') ?? '' };
    this.docs.push(doc);
    for (const c of root.children) {
      const name = attr(c, 'name');
      const key = name !== undefined ? `${doc.tns}|${name}` : '';
      switch (c.local) {
        case 'types':
          for (const s of c.children) if (isXsd(s, 'schema')) this.addSchema(s, file, null);
          break;
        case 'message': this.messages.set(key, { el: c, doc }); break;
        case 'portType': this.portTypes.set(key, { el: c, doc }); break;
        case 'binding': this.bindings.set(key, { el: c, doc }); break;
        case 'service': this.services.push({ el: c, doc }); break;
        default: break;
      }
    }
  }

  private pendingImports: SchemaRef[] = [];

  private addSchema(s: XmlElement, file: string, chameleonTns: string | null): void {
    this.pendingImports.push(...this.xsd.addSchema(s, file, chameleonTns));
  }

  private async followImports(): Promise<void> {
    // wsdl:import of every loaded WSDL document (docs grows while we iterate).
    for (let d = 0, p = 0; d < this.docs.length || p < this.pendingImports.length; ) {
      if (d < this.docs.length) {
        const doc = this.docs[d++]!;
        for (const c of doc.root.children) {
          if (c.local !== 'import' || c.ns !== doc.root.ns) continue;
          const loc = attr(c, 'location');
          if (!loc) continue;
          const file = this.localImport(loc, doc.file, 'wsdl:import');
          const root = await this.loadFile(file, doc.file);
          if (root) this.addDocument(file, root);
        }
        continue;
      }
      const imp = this.pendingImports[p++]!;
      if (imp.kind === 'import' && BUILTIN_NS.has(imp.location)) continue;
      const file = this.localImport(imp.location, imp.from, imp.kind === 'include' ? 'xsd:include' : 'xsd:import');
      const root = await this.loadFile(file, imp.from);
      if (!root) continue;
      if (!isXsd(root, 'schema')) this.fail(file, `expected an xsd:schema root element, found <${root.name}>`);
      this.addSchema(root, file, imp.kind === 'include' ? imp.tns : null);
    }
  }

  // ---------------------------------------------------------------- operations

  private buildOperations(): void {
    interface Candidate { binding: WsdlDecl; bindingOp: XmlElement | null; version: '1.1' | '1.2'; address: string | null }
    const byPortType = new Map<string, { pt: WsdlDecl; candidates: Candidate[] }>();
    const soapVersionOf = (b: WsdlDecl): '1.1' | '1.2' | null => {
      for (const c of b.el.children) if (c.local === 'binding') {
        if (c.ns === WSDL_SOAP11) return '1.1';
        if (c.ns === WSDL_SOAP12) return '1.2';
      }
      return null;
    };
    const useBinding = (bkey: string, address: string | null, where: string) => {
      const b = this.bindings.get(bkey);
      if (!b) {
        this.warnings.push({ location: where, message: `binding ${bkey.split('|')[1]} is not defined; port skipped` });
        return;
      }
      const version = soapVersionOf(b);
      if (!version) return; // HTTP GET/POST or other bindings: not SOAP.
      const ptq = resolveQName(attr(b.el, 'type') ?? '', b.el.scope);
      const ptKey = `${ptq.ns}|${ptq.local}`;
      const pt = this.portTypes.get(ptKey);
      if (!pt) {
        this.warnings.push({ location: where, message: `portType ${ptq.local} of binding ${attr(b.el, 'name')} is not defined; skipped` });
        return;
      }
      let entry = byPortType.get(ptKey);
      if (!entry) byPortType.set(ptKey, (entry = { pt, candidates: [] }));
      entry.candidates.push({ binding: b, bindingOp: null, version, address });
    };
    let ports = 0;
    for (const svc of this.services) {
      for (const port of svc.el.children) {
        if (port.local !== 'port') continue;
        ports++;
        const bq = resolveQName(attr(port, 'binding') ?? '', port.scope);
        let address: string | null = null;
        for (const a of port.children) if (a.local === 'address' && (a.ns === WSDL_SOAP11 || a.ns === WSDL_SOAP12)) address = attr(a, 'location') ?? null;
        useBinding(`${bq.ns}|${bq.local}`, address, `service ${attr(svc.el, 'name')} port ${attr(port, 'name')}`);
      }
    }
    if (ports === 0) for (const key of this.bindings.keys()) useBinding(key, null, `binding ${key.split('|')[1]}`);

    // binding -> its operations by name (economic.wsdl: 1511 operations x 2 bindings; no linear scans).
    const opIndex = new Map<WsdlDecl, Map<string, XmlElement>>();
    const bindingOps = (b: WsdlDecl) => {
      let m = opIndex.get(b);
      if (!m) {
        m = new Map();
        for (const x of b.el.children) if (x.local === 'operation') {
          const n = attr(x, 'name');
          if (n !== undefined && !m.has(n)) m.set(n, x);
        }
        opIndex.set(b, m);
      }
      return m;
    };
    const fieldNames = new NameRegistry();
    const overrides = this.options.operations ?? {};
    const seenOps = new Set<string>();
    for (const [ptKey, { pt, candidates }] of byPortType) {
      const ptName = attr(pt.el, 'name') ?? '';
      for (const op of pt.el.children) {
        if (op.local !== 'operation') continue;
        const opName = attr(op, 'name') ?? '';
        const where = `${ptName}.${opName}`;
        if (seenOps.has(`${ptKey}|${opName}`)) {
          this.warnings.push({ location: where, message: 'overloaded operation name; only the first is exposed' });
          continue;
        }
        seenOps.add(`${ptKey}|${opName}`);
        const withOp: Candidate[] = [];
        for (const c of candidates) {
          const bop = bindingOps(c.binding).get(opName);
          if (bop) withOp.push({ ...c, bindingOp: bop });
        }
        if (withOp.length === 0) {
          this.warnings.push({ location: where, message: 'no SOAP binding binds this operation; skipped' });
          continue;
        }
        const wanted = this.options.soapVersion;
        const chosen = (wanted && withOp.find((c) => c.version === wanted)) || withOp.find((c) => c.version === '1.1') || withOp[0]!;
        try {
          const plan = this.buildOperation(op, opName, ptName, chosen.binding, chosen.bindingOp!, chosen.version, chosen.address, pt.doc);
          if (!plan) continue;
          const ov = overrides[opName];
          plan.root = ov?.type ? (ov.type === 'query' ? 'Query' : 'Mutation') : isReadOperation(opName) ? 'Query' : 'Mutation';
          let base = ov?.field ?? lowerFirst(sanitizeName(opName));
          if (fieldNames.has(base)) base = `${lowerFirst(sanitizeName(ptName))}_${base}`;
          plan.field = fieldNames.take(base);
          this.plan.operations.push(plan);
        } catch (e) {
          if (e instanceof StartupError) throw e;
          this.warnings.push({ location: where, message: `skipped: ${(e as Error).message}` });
        }
      }
    }
    for (const name of Object.keys(overrides)) {
      if (!this.plan.operations.some((o) => o.name === name)) {
        this.problems.push({ code: 'CONFIG_INVALID', key: `sources.${this.options.name}.operations.${name}`, message: `no SOAP operation named ${name} in the WSDL`, fix: `Use one of: ${this.plan.operations.slice(0, 20).map((o) => o.name).join(', ')}` });
      }
    }
  }

  private message(q: string | undefined, scope: XmlElement, where: string, role: string): WsdlDecl | null {
    if (!q) return null;
    const mq = resolveQName(q, scope.scope);
    const m = this.messages.get(`${mq.ns}|${mq.local}`);
    if (!m) throw new Error(`${role} message ${mq.local} is not defined in any WSDL document`);
    return m;
  }

  private buildOperation(op: XmlElement, opName: string, ptName: string, binding: WsdlDecl, bop: XmlElement, version: '1.1' | '1.2', address: string | null, ptDoc: Doc): OperationPlan | null {
    const where = `${ptName}.${opName}`;
    const soapNs = version === '1.1' ? WSDL_SOAP11 : WSDL_SOAP12;
    const bindingSoap = binding.el.children.find((c) => c.local === 'binding' && c.ns === soapNs);
    const soapOp = bop.children.find((c) => c.local === 'operation' && c.ns === soapNs);
    const style = (attr(soapOp ?? bop, 'style') ?? (bindingSoap ? attr(bindingSoap, 'style') : undefined) ?? 'document') === 'rpc' ? 'rpc' : 'document';
    const soapAction = (soapOp && attr(soapOp, 'soapAction')) ?? '';
    const inEl = op.children.find((c) => c.local === 'input');
    const outEl = op.children.find((c) => c.local === 'output');
    for (const f of op.children) {
      if (f.local !== 'fault') continue;
      const q = attr(f, 'message');
      if (q) {
        const mq = resolveQName(q, f.scope);
        if (!this.messages.has(`${mq.ns}|${mq.local}`)) this.warnings.push({ location: where, message: `fault ${attr(f, 'name') ?? ''} refers to message ${mq.local}, which is not defined; the fault is ignored (faults are read generically)` });
      }
    }
    const inMsg = this.message(inEl && attr(inEl, 'message'), inEl ?? op, where, 'input');
    const outMsg = this.message(outEl && attr(outEl, 'message'), outEl ?? op, where, 'output');
    const bIn = bop.children.find((c) => c.local === 'input');
    const bOut = bop.children.find((c) => c.local === 'output');
    const bodyOf = (b: XmlElement | undefined) => b?.children.find((c) => c.local === 'body' && c.ns === soapNs);
    const inBody = bodyOf(bIn);
    const outBody = bodyOf(bOut);
    const encoded = (inBody && attr(inBody, 'use')) === 'encoded' || (outBody && attr(outBody, 'use')) === 'encoded';
    const hint = typeName(opName);

    const parts = (msg: WsdlDecl | null, b: XmlElement | undefined, body: XmlElement | undefined) => {
      if (!msg) return [];
      const headerParts = new Set<string>();
      for (const h of b?.children ?? []) {
        if (h.local !== 'header') continue;
        const hm = resolveQName(attr(h, 'message') ?? '', h.scope);
        const mq = resolveQName(attr(msg.el, 'name') ?? '', msg.el.scope);
        if (hm.local === mq.local) headerParts.add(attr(h, 'part') ?? '');
      }
      const only = body && attr(body, 'parts') !== undefined ? new Set((attr(body, 'parts') ?? '').split(/\s+/).filter(Boolean)) : null;
      return msg.el.children.filter((p) => p.local === 'part' && !headerParts.has(attr(p, 'name') ?? '') && (!only || only.has(attr(p, 'name') ?? '')));
    };
    const inParts = parts(inMsg, bIn, inBody);
    const outParts = parts(outMsg, bOut, outBody);

    const plan: OperationPlan = {
      name: opName, portType: ptName, root: 'Mutation', field: '', soapVersion: version, soapAction, endpoint: address,
      style, encoded,
      input: { wrapper: null, args: [] },
      output: { void: false, path: [], select: null, object: null },
    };
    const argNames = new NameRegistry();

    if (style === 'rpc') {
      const ns = (inBody && attr(inBody, 'namespace')) ?? ptDoc.tns;
      plan.input.wrapper = { ns, local: opName };
      plan.input.args = inParts.map((p) => this.partField(p, argNames, `${hint}Input`, true));
      this.headerFields(plan, bIn, soapNs, argNames, hint, where);
      if (!outMsg) plan.output.void = true;
      else {
        plan.output.path = ['*'];
        const fields = outParts.map((p) => this.partField(p, new NameRegistry(), `${hint}Output`, true));
        this.setOutput(plan, fields, `${hint}Result`, `rpc ${opName}Response`);
      }
      return plan;
    }

    // document style
    const elementParts = (ps: XmlElement[], role: string) => ps.map((p) => {
      const eq = attr(p, 'element');
      if (!eq) return { part: p, decl: null };
      const q = resolveQName(eq, p.scope);
      const decl = this.xsd.elements.get(`${q.ns}|${q.local}`);
      if (!decl) throw new Error(`${role} part ${attr(p, 'name')} refers to element ${q.local} (${q.ns}), which no schema defines`);
      return { part: p, decl, ns: q.ns, local: q.local };
    });
    const ins = elementParts(inParts, 'input');
    if (ins.length === 1 && ins[0]!.decl) {
      const { decl, ns, local } = ins[0]! as { decl: Decl; ns: string; local: string };
      const content = this.xsd.elementContent(decl.el, decl.schema);
      if (content) {
        plan.input.wrapper = { ns, local };
        plan.input.args = this.xsd.fieldsOf(content, argNames, typeName(local));
      } else {
        plan.input.args = [this.xsd.elementField(decl.el, decl.schema, ns, local, 1, 1, argNames, hint)];
      }
    } else {
      plan.input.args = ins.map(({ part, decl }) => decl
        ? this.xsd.elementField(decl.el, decl.schema, resolveQName(attr(part, 'element')!, part.scope).ns, attr(decl.el, 'name')!, 1, 1, argNames, hint)
        : this.partField(part, argNames, hint, true));
    }

    this.headerFields(plan, bIn, soapNs, argNames, hint, where);
    if (!outMsg) {
      plan.output.void = true;
      return plan;
    }
    const outs = elementParts(outParts, 'output');
    if (outs.length === 1 && outs[0]!.decl) {
      const { decl, ns, local } = outs[0]! as { decl: Decl; ns: string; local: string };
      const content = this.xsd.elementContent(decl.el, decl.schema);
      if (content) {
        plan.output.path = [local];
        const fields = this.xsd.fieldsOf(content, new NameRegistry(), typeName(local));
        const onlyElements = content.attrs.length === 0 && !content.simpleBase && !content.hasAny;
        if (fields.length === 0 && onlyElements) plan.output.void = true;
        else if (fields.length === 1 && onlyElements) plan.output.select = fields[0]!;
        else {
          const info = this.xsd.elementType(decl.el, decl.schema, typeName(local));
          if (info.t === 'o') plan.output.object = info.name;
          else plan.output.select = null, plan.output.object = this.xsd.objectFromContent(content, typeName(local), `{${ns}}${local}`);
        }
      } else {
        plan.output.select = this.xsd.elementField(decl.el, decl.schema, ns, local, 1, 1, new NameRegistry(), hint);
      }
    } else if (outs.length === 0) {
      plan.output.void = true;
    } else {
      const fields = outs.map(({ part, decl }) => decl
        ? this.xsd.elementField(decl.el, decl.schema, resolveQName(attr(part, 'element')!, part.scope).ns, attr(decl.el, 'name')!, 1, 1, new NameRegistry(), hint)
        : this.partField(part, new NameRegistry(), hint, true));
      this.setOutput(plan, fields, `${hint}Result`, `document ${opName} output parts`);
    }
    return plan;
  }

  /** Input soap:header parts (element-typed) as optional arguments, unless marked wsdl:required="true". */
  private headerFields(plan: OperationPlan, bIn: XmlElement | undefined, soapNs: string, names: NameRegistry, hint: string, where: string): void {
    const headers: FieldPlan[] = [];
    for (const h of bIn?.children ?? []) {
      if (h.local !== 'header' || h.ns !== soapNs) continue;
      const mq = resolveQName(attr(h, 'message') ?? '', h.scope);
      const msg = this.messages.get(`${mq.ns}|${mq.local}`);
      const part = msg?.el.children.find((p) => p.local === 'part' && attr(p, 'name') === attr(h, 'part'));
      const eq = part && attr(part, 'element');
      const q = eq ? resolveQName(eq, part.scope) : null;
      const decl = q ? this.xsd.elements.get(`${q.ns}|${q.local}`) : undefined;
      if (!q || !decl) {
        this.warnings.push({ location: where, message: `soap:header ${mq.local}/${attr(h, 'part') ?? ''} is not an element part that a schema defines; not exposed (use the soapHeaders option)` });
        continue;
      }
      const required = Object.entries(h.attrs ?? {}).some(([k, v]) => (k === 'required' || k.endsWith(':required')) && v === 'true');
      headers.push(this.xsd.elementField(decl.el, decl.schema, q.ns, q.local, required ? 1 : 0, 1, names, hint));
    }
    if (headers.length) plan.input.headers = headers;
  }

  private setOutput(plan: OperationPlan, fields: FieldPlan[], objName: string, source: string): void {
    if (fields.length === 0) plan.output.void = true;
    else if (fields.length === 1) plan.output.select = fields[0]!;
    else {
      const name = this.typeNames.take(objName);
      this.plan.objects[name] = { fields, source };
      plan.output.object = name;
    }
  }

  /** A message part as a field (rpc parts, and `type=` parts): unqualified element named after the part. */
  private partField(p: XmlElement, names: NameRegistry, hint: string, _rpc: boolean): FieldPlan {
    const pname = attr(p, 'name')?.trim() || 'part';
    const eq = attr(p, 'element');
    if (eq) {
      const q = resolveQName(eq, p.scope);
      const decl = this.xsd.elements.get(`${q.ns}|${q.local}`);
      if (!decl) throw new Error(`part ${pname} refers to element ${q.local}, which no schema defines`);
      return this.xsd.elementField(decl.el, decl.schema, q.ns, q.local, 1, 1, names, hint);
    }
    const tq = attr(p, 'type');
    const info = tq ? this.xsd.resolveType(tq, p, hint + typeName(pname)) : ({ t: 'j' } as TypeInfo);
    return this.xsd.toField(info, pname, '', names, 1, 1, true);
  }

}

/** Renames every generated object and enum type `<prefix><Name>` (the `typePrefix` option). */
function prefixTypes(plan: SoapPlan, prefix: string): void {
  const fix = (f: FieldPlan) => {
    if (f.kind === 'o' || f.kind === 'e') f.type = prefix + f.type;
  };
  for (const o of Object.values(plan.objects)) {
    o.fields.forEach(fix);
    if (o.text) fix(o.text);
  }
  for (const op of plan.operations) {
    op.input.args.forEach(fix);
    op.input.headers?.forEach(fix);
    if (op.output.select) fix(op.output.select);
    if (op.output.object) op.output.object = prefix + op.output.object;
  }
  plan.objects = Object.fromEntries(Object.entries(plan.objects).map(([k, v]) => [prefix + k, v]));
  plan.enums = Object.fromEntries(Object.entries(plan.enums).map(([k, v]) => [prefix + k, v]));
}

function decodeFile(buf: Buffer): string {
  if (buf[0] === 0xff && buf[1] === 0xfe) return new TextDecoder('utf-16le').decode(buf);
  if (buf[0] === 0xfe && buf[1] === 0xff) return new TextDecoder('utf-16be').decode(buf);
  const head = buf.subarray(0, 200).toString('latin1');
  const enc = /^<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/.exec(head)?.[1]?.toLowerCase();
  if (enc && /^(iso-8859-1|latin1|windows-1252|cp1252)$/.test(enc)) return new TextDecoder('windows-1252').decode(buf);
  return new TextDecoder('utf-8').decode(buf);
}

export async function importWsdl(options: SoapSourceOptions, env: ImportEnv): Promise<ImportedSource<SoapPlan>> {
  return new WsdlImporter(options, env).run();
}


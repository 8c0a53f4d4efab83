import { createHash, randomBytes } from 'node:crypto';
import { escapeXml } from './xml';
import { SOAP11_ENV, SOAP12_ENV, type RField, type RObject, type ROperation } from './link';

/** Request envelopes: GraphQL arguments -> SOAP 1.1/1.2 envelope, per the linked plan. */

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const XSD = 'http://www.w3.org/2001/XMLSchema';
const SOAPENC11 = 'http://schemas.xmlsoap.org/soap/encoding/';
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const UT_PROFILE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0';

export interface EnvelopeOptions {
  soapHeaders: readonly string[];
  security?: { username: string; password: string; passwordType: 'PasswordText' | 'PasswordDigest' } | undefined;
  /** Element that carries the caller's identity (`auth.forward`). @default { element: 'Identity', namespace: IDENTITY_NS } */
  identityHeader?: { element?: string | undefined; namespace?: string | undefined } | undefined;
}

/** Default namespace of the identity header block (`<sy:Identity xmlns:sy="urn:switchyard:identity">`). */
export const IDENTITY_NS = 'urn:switchyard:identity';
/** XML names the identity header may use (ASCII NCName). */
export const XML_NCNAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

class Writer {
  out = '';
  private readonly prefixes = new Map<string, string>();
  usesXsi = false;
  constructor(readonly encoded: boolean) {}
  qname(ns: string, local: string): string {
    if (ns === '') return local;
    let p = this.prefixes.get(ns);
    if (p === undefined) {
      p = `ns${this.prefixes.size + 1}`;
      this.prefixes.set(ns, p);
    }
    return `${p}:${local}`;
  }
  declarations(): string {
    let s = '';
    for (const [ns, p] of this.prefixes) s += ` xmlns:${p}="${escapeXml(ns)}"`;
    if (this.usesXsi || this.encoded) s += ` xmlns:xsi="${XSI}" xmlns:xsd="${XSD}"`;
    return s;
  }

  field(f: RField, v: unknown): void {
    if (v === undefined || f.attr) return;
    if (v === null) {
      if (f.nillable) this.nil(this.qname(f.ns, f.xml));
      return;
    }
    const tag = this.qname(f.ns, f.xml);
    if (f.wrap !== null) {
      this.out += `<${tag}>`;
      const itemTag = this.qname(f.wrap.ns, f.wrap.xml === '*' ? 'item' : f.wrap.xml);
      for (const item of v as unknown[]) this.one(itemTag, f, item);
      this.out += `</${tag}>`;
    } else if (f.list) {
      for (const item of Array.isArray(v) ? v : [v]) this.one(tag, f, item);
    } else {
      this.one(tag, f, v);
    }
  }

  private nil(tag: string): void {
    this.usesXsi = true;
    this.out += `<${tag} xsi:nil="true"/>`;
  }

  private one(tag: string, f: RField, v: unknown): void {
    if (v === null || v === undefined) {
      this.nil(tag);
      return;
    }
    switch (f.kind) {
      case 's':
      case 'e': {
        const type = this.encoded && f.xsd ? ` xsi:type="xsd:${f.xsd}"` : '';
        this.out += `<${tag}${type}>${escapeXml(f.toXml(v))}</${tag}>`;
        return;
      }
      case 'o':
        this.object(tag, f.obj!, v as Record<string, unknown>);
        return;
      default:
        this.out += `<${tag}>`;
        this.json(v);
        this.out += `</${tag}>`;
    }
  }

  object(tag: string, o: RObject, v: Record<string, unknown>): void {
    let attrs = '';
    for (const a of o.attrs) {
      const av = v[a.gql];
      if (av !== undefined && av !== null) attrs += ` ${this.qname(a.ns, a.xml)}="${escapeXml(a.toXml(av))}"`;
    }
    this.out += `<${tag}${attrs}>`;
    if (o.text && v[o.text.gql] !== undefined && v[o.text.gql] !== null) this.out += escapeXml(o.text.toXml(v[o.text.gql]));
    for (const f of o.fields) if (!f.attr) this.field(f, v[f.gql]);
    if (o.any && v[o.any] !== undefined && v[o.any] !== null) this.json(v[o.any]);
    this.out += `</${tag}>`;
  }

  /** JSON -> unqualified XML for xs:any / anyType inputs: keys are element names, arrays repeat. */
  json(v: unknown): void {
    if (v === null || v === undefined) return;
    if (typeof v !== 'object') {
      this.out += escapeXml(String(v));
      return;
    }
    if (Array.isArray(v)) {
      for (const item of v) this.json(item);
      return;
    }
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      if (!/^[A-Za-z_][\w.-]*$/.test(k)) continue;
      for (const item of Array.isArray(val) ? val : [val]) {
        this.out += `<${k}>`;
        this.json(item);
        this.out += `</${k}>`;
      }
    }
  }
}

function securityHeader(s: NonNullable<EnvelopeOptions['security']>, envPrefix: string): string {
  let password: string;
  let extra = '';
  if (s.passwordType === 'PasswordDigest') {
    const nonce = randomBytes(16);
    const created = new Date().toISOString();
    password = createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created + s.password, 'utf8')])).digest('base64');
    extra = `<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${nonce.toString('base64')}</wsse:Nonce><wsu:Created>${created}</wsu:Created>`;
  } else {
    password = s.password;
  }
  return `<wsse:Security xmlns:wsse="${WSSE}" xmlns:wsu="${WSU}" ${envPrefix}:mustUnderstand="1"><wsse:UsernameToken><wsse:Username>${escapeXml(s.username)}</wsse:Username><wsse:Password Type="${UT_PROFILE}#${s.passwordType}">${escapeXml(password)}</wsse:Password>${extra}</wsse:UsernameToken></wsse:Security>`;
}

/**
 * The caller's identity (`auth.forward.<source>`, from ctx.upstreamHeaders) as one soap:Header
 * block: `<sy:Identity xmlns:sy="urn:switchyard:identity"><sy:x-user-id>42</sy:x-user-id></sy:Identity>`.
 * Values are XML-escaped; an empty value (the caller has no such claim) leaves its element out, a
 * caller with none (anonymous) gets no block. Not mustUnderstand: a service that does not read it
 * ignores it.
 */
export function identityHeader(values: Readonly<Record<string, string>> | undefined, options: EnvelopeOptions['identityHeader']): string {
  if (!values) return '';
  let children = '';
  for (const [name, value] of Object.entries(values)) {
    // Names are checked at start-up (config); a name that is no XML name is never written.
    if (value === '' || !XML_NCNAME.test(name)) continue;
    children += `<sy:${name}>${escapeXml(value)}</sy:${name}>`;
  }
  if (!children) return '';
  const element = options?.element ?? 'Identity';
  return `<sy:${element} xmlns:sy="${escapeXml(options?.namespace ?? IDENTITY_NS)}">${children}</sy:${element}>`;
}

/** Builds the request envelope for one call; `identity`: the caller's `auth.forward` values for this source. */
export function buildEnvelope(op: ROperation, args: Record<string, unknown>, options: EnvelopeOptions, identity?: Readonly<Record<string, string>>): string {
  const p = op.plan;
  const w = new Writer(p.encoded);
  const wrapper = p.input.wrapper;
  let body: string;
  if (wrapper) {
    const tag = w.qname(wrapper.ns, wrapper.local);
    const enc = p.encoded ? ` soap:encodingStyle="${SOAPENC11}"` : '';
    let attrs = '';
    for (const a of op.args) {
      const av = args[a.gql];
      if (a.attr && av !== undefined && av !== null) attrs += ` ${w.qname(a.ns, a.xml)}="${escapeXml(a.toXml(av))}"`;
    }
    w.out = '';
    for (const a of op.args) w.field(a, args[a.gql]);
    body = `<${tag}${enc}${attrs}>${w.out}</${tag}>`;
  } else {
    for (const a of op.args) w.field(a, args[a.gql]);
    body = w.out;
  }
  const envNs = p.soapVersion === '1.2' ? SOAP12_ENV : SOAP11_ENV;
  w.out = '';
  for (const h of op.headers) w.field(h, args[h.gql]);
  let header = w.out;
  for (const h of options.soapHeaders) header += h;
  if (options.security) header += securityHeader(options.security, 'soap');
  header += identityHeader(identity, options.identityHeader);
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${envNs}"${w.declarations()}>${header ? `<soap:Header>${header}</soap:Header>` : ''}<soap:Body>${body}</soap:Body></soap:Envelope>`;
}

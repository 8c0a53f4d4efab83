import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { GraphiQLOptions } from 'graphql-yoga';
import type { ServerOptions } from '../config/schema';

/**
 * GraphiQL served entirely by the gateway, so it works offline, in air-gapped clusters and behind
 * a strict Content-Security-Policy. yoga's built-in page loads its JS and CSS from unpkg.com.
 *
 * The page is a small HTML document (rendered per request, per view: its endpoint, title, default
 * query and headers) that loads GraphiQL from the gateway's own origin:
 *
 *   <graphqlPath>/_graphiql/<version>/graphiql.css, graphiql.js   the @graphql-yoga/render-graphiql build
 *   .../editor.worker.js, json.worker.js, graphql.worker.js        Monaco's web workers (no blob: URLs)
 *   .../boot.js                                                    reads the page's options, renders GraphiQL
 *   .../favicon.ico
 *
 * No inline script, so `script-src 'self'` holds. The assets are immutable per version (the
 * version is in the path), gzip-compressed for clients that accept it, and loaded from
 * node_modules only on the first asset request (the build is ~9 MB of strings).
 */

/** Folder under the GraphQL path (and under every view's path) that holds GraphiQL's assets. */
export const GRAPHIQL_ASSETS_DIR = '_graphiql';

/** Example headers shown in the headers tab when the config gives none. */
export const DEFAULT_GRAPHIQL_HEADERS: Record<string, string> = { Authorization: 'Bearer <token>' };

/**
 * The page's Content-Security-Policy. Scripts, workers, fetches (queries, SSE subscriptions) only
 * from the gateway itself. GraphiQL's CSS embeds its fonts and icons as data: URLs, and Monaco
 * injects <style> elements at run time, hence `data:` for fonts/images and inline styles.
 */
const CSP_DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
];
/** As a <meta> element (frame-ancestors is ignored there, and browsers warn about it). */
export const GRAPHIQL_CSP_META = CSP_DIRECTIVES.join('; ');
/** As the HTTP header sent with the page. */
export const GRAPHIQL_CSP = [...CSP_DIRECTIVES, "frame-ancestors 'none'"].join('; ');

/** Headers for the GraphiQL HTML page (src/server/http.ts adds them to yoga's text/html answer). */
export function graphiqlPageHeaders(): Record<string, string> {
  return {
    'content-security-policy': GRAPHIQL_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}

export interface GraphiQLPageOptions {
  /** The GraphQL endpoint of this view (path or absolute URL): queries, introspection and SSE subscriptions go there. */
  endpoint: string;
  /** Where the assets are served, ending in '/': `assetsBase(graphqlPath)`. */
  assets: string;
  title: string;
  defaultQuery?: string | undefined;
  /** Headers prefilled in the headers tab (an example; nothing is sent unless the user keeps them). */
  headers?: Record<string, string> | undefined;
}

const require = createRequire(import.meta.url);
const PACKAGE = '@graphql-yoga/render-graphiql';

/** The version of the GraphiQL build, part of the asset URLs (so they can be cached forever). */
export const GRAPHIQL_VERSION: string = (() => {
  try {
    const main = require.resolve(PACKAGE);
    const pkg = JSON.parse(readFileSync(join(dirname(main), '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0';
  } catch {
    return '0';
  }
})();

/** The asset base for a GraphQL path (or a view's path): `/graphql/_graphiql/5.24.1/`. */
export function assetsBase(graphqlPath: string): string {
  return `${graphqlPath.replace(/\/+$/, '')}/${GRAPHIQL_ASSETS_DIR}/${GRAPHIQL_VERSION}/`;
}

/**
 * The HTML of one GraphiQL page. Any view can render its own: pass that view's endpoint, title,
 * default query and example headers.
 */
export function renderGraphiQLPage(opts: GraphiQLPageOptions): string {
  const headers = opts.headers ?? DEFAULT_GRAPHIQL_HEADERS;
  const headersText = Object.keys(headers).length ? JSON.stringify(headers, null, 2) : '';
  const options: GraphiQLOptions = {
    title: opts.title,
    endpoint: opts.endpoint,
    // GraphQL over SSE on the same endpoint (yoga answers it, the HTTP front streams it): the
    // headers tab's Authorization reaches subscriptions exactly as it reaches queries.
    subscriptionsProtocol: 'GRAPHQL_SSE',
    credentials: 'same-origin',
    favicon: `${opts.assets}favicon.ico`,
    ...(opts.defaultQuery !== undefined ? { defaultQuery: opts.defaultQuery } : {}),
    ...(headersText ? { headers: headersText, defaultHeaders: headersText } : {}),
  };
  const boot = { assets: opts.assets, options };
  const title = escapeHtml(opts.title);
  const a = escapeHtml(opts.assets);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta http-equiv="Content-Security-Policy" content="${GRAPHIQL_CSP_META}" />
    <meta name="generator" content="Switchyard GraphiQL (@graphql-yoga/render-graphiql ${escapeHtml(GRAPHIQL_VERSION)}), served offline" />
    <title>${title}</title>
    <link rel="icon" href="${a}favicon.ico" />
    <link rel="stylesheet" href="${a}graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript. The GraphQL endpoint is ${escapeHtml(opts.endpoint)}.</noscript>
    <div id="root"></div>
    <script id="switchyard-graphiql" type="application/json">${jsonForScript(boot)}</script>
    <script src="${a}boot.js"></script>
    <script src="${a}graphiql.js"></script>
  </body>
</html>
`;
}

/** A client view's GraphiQL settings (`clients.<name>.graphiql`); unset keys inherit `server.graphiql`. */
export interface ViewGraphiQL {
  enabled?: boolean | undefined;
  title?: string | undefined;
  defaultQuery?: string | undefined;
  headers?: Record<string, string> | undefined;
}

/**
 * yoga's `graphiql` option: off, or per request the page's options for the path asked for, so a
 * view at /graphql/<client> gets its own endpoint (its schema in the docs explorer) and, through
 * `viewAt`, its own on/off, title, default query and headers. `renderGraphiQL` makes the page.
 */
export function graphiqlOptions(
  server: ServerOptions,
  viewAt?: (endpoint: string) => ViewGraphiQL | undefined,
): false | ((request: Request) => GraphiQLOptions | false) {
  const g = server.graphiql;
  if (!g.enabled && !viewAt) return false;
  return (request) => {
    const endpoint = new URL(request.url).pathname.replace(/\/+$/, '') || server.graphqlPath;
    const view = endpoint === server.graphqlPath ? undefined : viewAt?.(endpoint);
    if (!(view?.enabled ?? g.enabled)) return false;
    const defaultQuery = view?.defaultQuery ?? g.defaultQuery;
    return {
      endpoint,
      title: view?.title ?? g.title,
      ...(defaultQuery !== undefined ? { defaultQuery } : {}),
      headers: JSON.stringify(view?.headers ?? g.headers ?? DEFAULT_GRAPHIQL_HEADERS),
    };
  };
}

/** yoga's `renderGraphiQL` option: the offline page for the options `graphiqlOptions` chose. */
export function renderGraphiQL(server: ServerOptions): (options: GraphiQLOptions) => string {
  return (o) => {
    const endpoint = o.endpoint ?? server.graphqlPath;
    let headers: Record<string, string> | undefined;
    try {
      headers = o.headers ? (JSON.parse(o.headers) as Record<string, string>) : undefined;
    } catch {
      headers = undefined;
    }
    return renderGraphiQLPage({
      endpoint,
      assets: assetsBase(endpoint),
      title: o.title ?? server.graphiql.title,
      defaultQuery: o.defaultQuery,
      headers: headers ?? {},
    });
  };
}

// ---------------------------------------------------------------------------------------------
// Assets

interface Asset {
  type: string;
  body: Buffer;
  gzip?: Buffer;
  etag: string;
}

const BOOT_JS = `// Switchyard: renders GraphiQL from the options in #switchyard-graphiql (no inline script, for CSP).
(function () {
  var boot = JSON.parse(document.getElementById('switchyard-graphiql').textContent);
  var workers = {
    editorWorkerService: boot.assets + 'editor.worker.js',
    json: boot.assets + 'json.worker.js',
    graphql: boot.assets + 'graphql.worker.js',
  };
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (_moduleId, label) {
      return workers[label] || workers.editorWorkerService;
    },
  };
  document.addEventListener('DOMContentLoaded', function () {
    YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), boot.options);
  });
})();
`;

const JS = 'text/javascript; charset=utf-8';
let assets: Promise<Map<string, Asset>> | undefined;

function loadAssets(): Promise<Map<string, Asset>> {
  assets ??= (async () => {
    const b = (await import('@graphql-yoga/render-graphiql/graphiql')) as unknown as Record<string, string>;
    const favicon = /^data:([^;,]+);base64,(.*)$/s.exec(b.favicon ?? '');
    const entries: Array<[string, string, Buffer]> = [
      ['graphiql.js', JS, Buffer.from(b.js!)],
      ['graphiql.css', 'text/css; charset=utf-8', Buffer.from(b.css!)],
      ['editor.worker.js', JS, Buffer.from(b.editorWorkerService!)],
      ['json.worker.js', JS, Buffer.from(b.jsonWorker!)],
      ['graphql.worker.js', JS, Buffer.from(b.graphqlWorker!)],
      ['boot.js', JS, Buffer.from(BOOT_JS)],
    ];
    if (favicon) entries.push(['favicon.ico', favicon[1]!, Buffer.from(favicon[2]!, 'base64')]);
    const map = new Map<string, Asset>();
    await Promise.all(
      entries.map(async ([name, type, body]) => {
        const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
        const asset: Asset = { type, body, etag };
        if (type.startsWith('text/') && body.length > 1024) asset.gzip = await gzipAsync(body, { level: 6 });
        map.set(name, asset);
      }),
    );
    return map;
  })();
  assets.catch(() => (assets = undefined));
  return assets;
}
const gzipAsync = promisify(gzip);

/**
 * Serves `<graphqlPath>/_graphiql/<version>/<name>` (the HTTP front calls this for every path that
 * contains `/_graphiql/`). Returns after the answer is sent.
 */
export async function serveGraphiQLAsset(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
  const i = pathname.lastIndexOf(`/${GRAPHIQL_ASSETS_DIR}/`);
  const rest = i === -1 ? '' : pathname.slice(i + GRAPHIQL_ASSETS_DIR.length + 2);
  const slash = rest.indexOf('/');
  const version = rest.slice(0, slash);
  const name = rest.slice(slash + 1);
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
  const asset = slash > 0 && version === GRAPHIQL_VERSION ? (await loadAssets()).get(name) : undefined;
  if (!asset) return sendText(res, 404, 'not found');
  const headers: Record<string, string | number> = {
    'content-type': asset.type,
    'cache-control': 'public, max-age=31536000, immutable',
    etag: asset.etag,
    vary: 'accept-encoding',
    'x-content-type-options': 'nosniff',
    'cross-origin-resource-policy': 'same-origin',
  };
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const gz = asset.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gz ? asset.gzip! : asset.body;
  if (gz) headers['content-encoding'] = 'gzip';
  headers['content-length'] = body.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendText(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside <script type="application/json">: no `</script>`, no `<!--`. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

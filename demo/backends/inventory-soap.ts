import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths';
import * as soap from 'soap';
import { stockOf } from './data';
import type { DemoBackend } from './users-rest';

const WSDL = resolve(PACKAGE_ROOT, 'schemas/inventory/upstream/inventory.wsdl');
const toArr = <T>(v: T | T[] | undefined): T[] => (v == null ? [] : Array.isArray(v) ? v : [v]);

/**
 * The demo SOAP "inventory" service (contract: schemas/inventory/upstream/inventory.wsdl),
 * document/literal, served by node-soap: GetStock(productId), GetStockBatch(productIds*).
 */
export function startInventoryService(port = 0, host = '127.0.0.1'): Promise<DemoBackend> {
  const calls: Record<string, number> = {};
  const count = (op: string) => (calls[op] = (calls[op] ?? 0) + 1);
  const service = {
    InventoryService: {
      InventoryPort: {
        GetStock(args: { productId: string | number }) {
          count('GetStock');
          const s = stockOf(Number(args.productId));
          if (!s) throw { Fault: { faultcode: 'soap:Client', faultstring: `unknown product ${args.productId}`, statusCode: 500 } };
          return { stock: s };
        },
        GetStockBatch(args: { productIds?: string | number | (string | number)[] }) {
          count('GetStockBatch');
          return { stock: toArr(args.productIds).map(Number).map(stockOf).filter(Boolean) };
        },
      },
    },
  };
  const server = createServer((_req, res) => {
    res.statusCode = 404;
    res.end('not found');
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const actual = (server.address() as AddressInfo).port;
      const wsdl = readFileSync(WSDL, 'utf8').replace('127.0.0.1:4013', `${host}:${actual}`);
      soap.listen(server, '/inventory', service, wsdl);
      ok({
        url: `http://${host}:${actual}/inventory`,
        port: actual,
        calls,
        close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}

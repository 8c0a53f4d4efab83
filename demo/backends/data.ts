/**
 * Deterministic demo data shared by the demo backends: 1,000 users, 200 products, 5,000 orders
 * (1-4 items each) and stock per product. Same generator as the benchmark rig, so the demo and
 * the bench answer alike.
 */
export interface User { id: number; name: string; email: string; country: string; createdAt: string }
export interface OrderItem { productId: number; quantity: number; unitPrice: number }
export interface Order { id: number; userId: number; total: number; status: string; createdAt: string; items: OrderItem[] }
export interface Stock { productId: number; available: number; reserved: number; warehouse: string }
export interface Product { id: number; name: string; price: number }

const N_USERS = 1000, N_PRODUCTS = 200, N_ORDERS = 5000;

function mulberry32(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = mulberry32(20240601);
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;

const FIRST = ['Ada', 'Alan', 'Grace', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken', 'Frances', 'Edsger', 'Radia', 'Tim', 'Hedy', 'Donald', 'Katherine', 'John'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson', 'Allen', 'Dijkstra', 'Perlman', 'Berners-Lee', 'Lamarr', 'Knuth', 'Johnson', 'McCarthy'];
const COUNTRIES = ['DE', 'FR', 'US', 'GB', 'JP', 'BR', 'IN', 'NL', 'SE', 'ES'];
const ADJ = ['Ergonomic', 'Rustic', 'Sleek', 'Refined', 'Handmade', 'Generic', 'Smart', 'Fantastic', 'Practical', 'Gorgeous'];
const NOUN = ['Chair', 'Keyboard', 'Lamp', 'Mug', 'Desk', 'Monitor', 'Backpack', 'Notebook', 'Pen', 'Headphones', 'Cable', 'Mouse'];
const STATUS = ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED'];
const WAREHOUSES = ['FRA-1', 'AMS-2', 'NYC-1', 'TYO-3'];
const BASE = Date.UTC(2024, 0, 1);

export const users: User[] = [];
for (let id = 1; id <= N_USERS; id++) {
  const first = pick(FIRST), last = pick(LAST);
  users.push({
    id,
    name: `${first} ${last}`,
    email: `${first}.${last}.${id}@example.com`.toLowerCase(),
    country: pick(COUNTRIES),
    createdAt: new Date(BASE - int(0, 730) * 86400000).toISOString(),
  });
}

export const products: Product[] = [];
for (let id = 1; id <= N_PRODUCTS; id++) products.push({ id, name: `${pick(ADJ)} ${pick(NOUN)}`, price: int(199, 49999) / 100 });

export const orders: Order[] = [];
const ordersByUser = new Map<number, Order[]>();
for (let id = 1; id <= N_ORDERS; id++) {
  const userId = int(1, N_USERS);
  const nItems = int(1, 4);
  const items: OrderItem[] = [];
  const seen = new Set<number>();
  for (let k = 0; k < nItems; k++) {
    let productId = int(1, N_PRODUCTS);
    while (seen.has(productId)) productId = (productId % N_PRODUCTS) + 1;
    seen.add(productId);
    items.push({ productId, quantity: int(1, 5), unitPrice: products[productId - 1]!.price });
  }
  const total = Math.round(items.reduce((s, it) => s + it.quantity * it.unitPrice * 100, 0)) / 100;
  const o: Order = { id, userId, total, status: pick(STATUS), createdAt: new Date(BASE + int(0, 365 * 86400) * 1000).toISOString(), items };
  orders.push(o);
  const list = ordersByUser.get(userId) ?? [];
  list.push(o);
  ordersByUser.set(userId, list);
}

export const stock: Stock[] = [];
for (let productId = 1; productId <= N_PRODUCTS; productId++) {
  stock.push({ productId, available: int(0, 500), reserved: int(0, 50), warehouse: pick(WAREHOUSES) });
}

export const userById = (id: number): User | null => users[id - 1] ?? null;
export const orderById = (id: number): Order | null => orders[id - 1] ?? null;
export const ordersOfUser = (userId: number): Order[] => ordersByUser.get(userId) ?? [];
export const stockOf = (productId: number): Stock | null => stock[productId - 1] ?? null;

// The demo backends in their own process, for bench/protocols.mjs (ports from the command line).
import { startUsersService } from '../demo/backends/users-rest';
import { startOrdersService } from '../demo/backends/orders-grpc';
import { startInventoryService } from '../demo/backends/inventory-soap';

const [users, orders, inventory] = process.argv.slice(2).map(Number);
await Promise.all([startUsersService(users), startOrdersService(orders), startInventoryService(inventory)]);
process.stdout.write('ready\n');

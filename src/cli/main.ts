import { parseArgs } from 'node:util';
import { StartupError, formatProblem } from '../errors/gateway-error';
import { serveCommand } from './serve';
import { importCommand } from './import';
import { checkCommand } from './check';
import { printSchemaCommand } from './print-schema';
import { explainCommand } from './explain';

const USAGE = `switchyard — GraphQL aggregation gateway

Usage:
  switchyard serve [--config switchyard.config.ts] [--port N] [--host H]
  switchyard demo                        start the bundled demo backends and the gateway
  switchyard import openapi <spec.yaml|json|url> --name <source> [--out schemas]
  switchyard import grpc <file.proto> [--include dir]... --name <source> [--out schemas]
  switchyard import soap <file.wsdl|url> --name <source> [--out schemas]
  switchyard check [--config switchyard.config.ts]
  switchyard print-schema [--client <view>] [--config switchyard.config.ts]
  switchyard explain <query.graphql|-> [--operation Name] [--config switchyard.config.ts]
`;

/** Runs one CLI command; returns the exit code. Start-up problems are printed, never thrown. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        name: { type: 'string', short: 'n' },
        out: { type: 'string' },
        include: { type: 'string', short: 'I', multiple: true },
        operation: { type: 'string' },
        client: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (!command || values.help || command === 'help' || command === '--help') {
      process.stdout.write(USAGE);
      return command ? 0 : 1;
    }
    switch (command) {
      case 'serve':
        return await serveCommand({ config: values.config, port: values.port, host: values.host });
      case 'demo': {
        const { demoCommand } = await import('../../demo/start');
        return await demoCommand({ port: values.port });
      }
      case 'import':
        return await importCommand(positionals, { name: values.name, out: values.out, include: values.include ?? [], config: values.config });
      case 'check':
        return await checkCommand({ config: values.config });
      case 'explain':
        return await explainCommand(positionals[0], { config: values.config, operation: values.operation });
      case 'print-schema':
        return await printSchemaCommand({ config: values.config, client: values.client });
      default:
        process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof StartupError) {
      process.stderr.write(`switchyard: ${e.problems.length} problem(s) found:\n${e.problems.map((p) => formatProblem(p)).join('\n')}\n`);
      return 1;
    }
    const code = (e as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`switchyard: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}

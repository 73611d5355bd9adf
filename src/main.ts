import 'reflect-metadata';
import { createApp } from './app.factory';
import { ConfigError, parseConfig } from './config/config.schema';
import { resolveRuntime } from './config/resolve-runtime';

const log = (line: string): void => void process.stderr.write(`[labelchain] ${line}\n`);

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const runtime = await resolveRuntime(config, log);
  const app = await createApp(runtime.config);
  const shutdown = async (): Promise<void> => {
    await app.close();
    await runtime.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  await app.listen(runtime.config.port, '0.0.0.0');
  log(`ROLE=${runtime.config.role} listening on http://localhost:${runtime.config.port} (GraphQL /graphql, GraphiQL /graphiql)`);
}

main().catch((error: unknown) => {
  // One clear line: config errors name the variable; anything else says what failed at boot.
  log(error instanceof ConfigError ? error.message : `boot failed: ${(error as Error).message}`);
  process.exit(1);
});

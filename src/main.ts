import 'reflect-metadata';
import { createApp } from './app.factory';
import { BootError, bootFailureLine } from './config/boot-error';
import { parseConfig } from './config/config.schema';
import { resolveRuntime, type ResolvedRuntime } from './config/resolve-runtime';

const log = (line: string): void => void process.stderr.write(`[labelchain] ${line}\n`);

let runtime: ResolvedRuntime | undefined;

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  runtime = await resolveRuntime(config, log);
  const app = await createApp(runtime.config);
  const shutdown = async (): Promise<void> => {
    await app.close();
    await runtime?.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  await app.listen(runtime.config.port, '0.0.0.0').catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EADDRINUSE'
      ? new BootError(`port ${config.port} is taken: stop what uses it, or set PORT`)
      : error;
  });
  log(
    `ROLE=${runtime.config.role} listening on http://localhost:${runtime.config.port} (GraphQL /graphql, GraphiQL /graphiql)`,
  );
}

main().catch(async (error: unknown) => {
  // One clear line: config errors name the variable, boot errors say what to do, anything else
  // says what failed. Whatever was thrown (even nothing), never a stack trace.
  log(bootFailureLine(error));
  await runtime?.stop().catch(() => undefined);
  process.exit(1);
});

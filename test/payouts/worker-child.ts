// A real worker process for the crash tests: boots the app with ROLE=worker against the
// parent test's database, Redis queues and chain (the config arrives as JSON in
// LC_CHILD_CONFIG). Run with `node -r @swc-node/register test/payouts/worker-child.ts`.
// FAULT_KILL_* variables (src/payouts/fault-injection.ts) make it SIGKILL itself mid-send.
import 'reflect-metadata';
import { createApp } from '../../src/app.factory';
import type { RuntimeConfig } from '../../src/config/runtime-config';

async function main(): Promise<void> {
  const parsed = JSON.parse(process.env.LC_CHILD_CONFIG ?? 'null') as
    | (Omit<RuntimeConfig, 'payoutMinUnits'> & { payoutMinUnits: string })
    | null;
  if (parsed === null) throw new Error('LC_CHILD_CONFIG is not set');
  // The one bigint of the config travels as a decimal string.
  const config: RuntimeConfig = { ...parsed, payoutMinUnits: BigInt(parsed.payoutMinUnits) };
  const app = await createApp({ ...config, role: 'worker' });
  await app.init();
  process.stdout.write('worker ready\n');
  process.once('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed: ${String(error)}\n`);
  process.exit(1);
});

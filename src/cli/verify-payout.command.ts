import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { isHexString } from 'ethers';
import { connectPayoutVault, contractInterface, unpackBatch } from '../chain/contracts';
import { createChainProvider } from '../chain/chain-provider';
import { parseTokenAmount } from '../common/money';
import { canonicalManifestJson, parseManifest } from '../payouts/manifest';
import { hashText } from '../payouts/manifest-hash';
import { verifyPayout, type VerificationInput } from '../payouts/payout-verification';
import type { CliCommand, CliIo } from './cli-command';
import { CliUsageError, EXIT_FAILURE, EXIT_OK } from './cli-error';

// `verify-payout --batch <batchId> [--api URL] [--rpc URL]`
// Where the manifest comes from: the API's public `payoutBatch` query when --api is given or
// DATABASE_URL is unset (default http://localhost:$PORT), else straight from the database at
// DATABASE_URL. The chain: --rpc, else CHAIN_RPC_URL, else the API's chainInfo.rpcUrl, else
// http://127.0.0.1:8545. The vault address is taken from chainInfo / VAULT_ADDRESS when
// available (so a manifest cannot name a vault of its own), else from the manifest.

const USAGE = 'verify-payout --batch <batchId> [--api URL] [--rpc URL]';

interface BatchRecord {
  batchId: string;
  manifestHash: string;
  total: bigint;
  recipients: number;
  manifest: unknown;
}

export const verifyPayoutCommand: CliCommand = {
  usage: USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const options = parseOptions(args);
    const source =
      options.api !== undefined || !process.env.DATABASE_URL
        ? await fromApi(options.api ?? `http://localhost:${process.env.PORT ?? 3000}`, options.batch)
        : await fromDatabase(process.env.DATABASE_URL, options.batch);
    if (source.record === null) {
      io.stdout.write(`NOT VERIFIED: no payout batch ${options.batch}\n`);
      return EXIT_FAILURE;
    }
    const rpcUrl = options.rpc ?? process.env.CHAIN_RPC_URL ?? source.rpcUrl ?? 'http://127.0.0.1:8545';
    const manifest = parseManifest(source.record.manifest);
    const recomputedHash = recompute(manifest);
    const chain = await readChain({
      rpcUrl,
      vault: source.vault ?? process.env.VAULT_ADDRESS?.toLowerCase() ?? null,
      fallbackVault: manifest.vault,
      batchId: options.batch,
    });
    const checks = verifyPayout({
      requestedBatchId: options.batch,
      record: source.record,
      manifest,
      recomputedHash,
      chain,
    });
    for (const check of checks) io.stdout.write(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}\n`);
    const failed = checks.filter((c) => !c.ok);
    io.stdout.write(
      failed.length === 0
        ? `VERIFIED: batch ${options.batch} paid ${manifest.recipients.length} recipients, total ${manifest.total} base units, in tx ${chain.event?.txHash} (block ${chain.event?.blockNumber})\n`
        : `NOT VERIFIED: ${failed.map((c) => c.name).join(', ')}\n`,
    );
    return failed.length === 0 ? EXIT_OK : EXIT_FAILURE;
  },
};

// A manifest that is not canonical cannot be re-serialised; its check fails on its own.
function recompute(manifest: ReturnType<typeof parseManifest>): string {
  try {
    return hashText(canonicalManifestJson(manifest));
  } catch {
    return 'not computable (manifest is not canonical)';
  }
}

function parseOptions(args: readonly string[]): { batch: string; api?: string; rpc?: string } {
  let values: { batch?: string; api?: string; rpc?: string };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { batch: { type: 'string' }, api: { type: 'string' }, rpc: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error: unknown) {
    throw new CliUsageError((error as Error).message);
  }
  if (values.batch === undefined || !isHexString(values.batch, 32))
    throw new CliUsageError('--batch must be the 0x-prefixed 32-byte batch id');
  return { batch: values.batch.toLowerCase(), api: values.api, rpc: values.rpc };
}

async function fromApi(
  api: string,
  batchId: string,
): Promise<{ record: BatchRecord | null; rpcUrl: string | null; vault: string | null }> {
  const query = `query($id: ID!) { payoutBatch(id: $id) { batchId manifestHash total recipients manifest } chainInfo { rpcUrl vaultAddress decimals } }`;
  let body: {
    data?: {
      payoutBatch: (Omit<BatchRecord, 'total'> & { total: string }) | null;
      chainInfo: { rpcUrl: string; vaultAddress: string; decimals: number } | null;
    };
    errors?: { message: string }[];
  };
  try {
    const response = await fetch(new URL('/graphql', api), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables: { id: batchId } }),
    });
    body = (await response.json()) as typeof body;
  } catch (error) {
    throw new CliUsageError(`cannot reach the API at ${api}: ${(error as Error).message}`);
  }
  const batch = body.data?.payoutBatch ?? null;
  if (!batch && body.errors?.length) throw new CliUsageError(`the API refused: ${body.errors[0].message}`);
  const info = body.data?.chainInfo ?? null;
  // The API shows TokenAmount in the token's own decimals (chainInfo.decimals): the only scale.
  if (batch && !info)
    throw new CliUsageError('the API answered no chainInfo: cannot read the batch total without the token decimals');
  return {
    record: batch && info && { ...batch, total: parseTokenAmount(batch.total, info.decimals) },
    rpcUrl: info?.rpcUrl ?? null,
    vault: info?.vaultAddress.toLowerCase() ?? null,
  };
}

async function fromDatabase(
  url: string,
  batchId: string,
): Promise<{ record: BatchRecord | null; rpcUrl: null; vault: null }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{
      batch_id: string;
      manifest_hash: string;
      total: string;
      recipients: number;
      manifest: string;
    }>(
      `SELECT batch_id, manifest_hash, total, recipients, manifest FROM payout_batches WHERE batch_id = $1 AND kind = 'PAYOUT'`,
      [batchId],
    );
    const row = rows[0];
    return {
      record: row
        ? {
            batchId: row.batch_id,
            manifestHash: row.manifest_hash,
            total: BigInt(row.total),
            recipients: row.recipients,
            manifest: JSON.parse(row.manifest),
          }
        : null,
      rpcUrl: null,
      vault: null,
    };
  } finally {
    await client.end();
  }
}

async function readChain(params: {
  rpcUrl: string;
  vault: string | null;
  fallbackVault: string;
  batchId: string;
}): Promise<VerificationInput['chain']> {
  const probe = await fetch(params.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
  }).catch((e: Error) => {
    throw new CliUsageError(`cannot reach the chain at ${params.rpcUrl}: ${e.message}`);
  });
  const chainId = Number(BigInt(((await probe.json()) as { result: string }).result));
  const provider = createChainProvider(params.rpcUrl, chainId);
  try {
    const vaultAddress = params.vault ?? params.fallbackVault;
    const vault = connectPayoutVault(vaultAddress, provider);
    const paid = await vault.paid(params.batchId);
    const iface = contractInterface('PayoutVault');
    const logs = await provider.getLogs({
      address: vaultAddress,
      topics: [iface.getEvent('BatchPaid')!.topicHash, params.batchId],
      fromBlock: 0,
      toBlock: 'latest',
    });
    const log = logs.at(-1);
    if (!log) return { chainId, vault: params.vault, paid, event: null, call: null };
    const args = iface.parseLog(log)!.args;
    const event = {
      manifestHash: String(args.manifestHash),
      recipients: BigInt(args.recipients),
      total: BigInt(args.total),
      txHash: log.transactionHash,
      blockNumber: log.blockNumber,
    };
    const tx = await provider.getTransaction(log.transactionHash);
    const parsed = tx ? iface.parseTransaction({ data: tx.data }) : null;
    let call: VerificationInput['chain']['call'] = null;
    if (parsed?.name === 'payBatchPacked') {
      const unpacked = unpackBatch({
        unit: BigInt(parsed.args[2]),
        width: Number(parsed.args[3]),
        packed: String(parsed.args[4]),
      });
      call = {
        batchId: String(parsed.args[0]),
        manifestHash: String(parsed.args[1]),
        recipients: unpacked.map((u) => u.recipient),
        amounts: unpacked.map((u) => u.amount),
      };
    } else if (parsed?.name === 'payBatch') {
      call = {
        batchId: String(parsed.args[0]),
        manifestHash: String(parsed.args[1]),
        recipients: [...(parsed.args[2] as string[])],
        amounts: (parsed.args[3] as bigint[]).map((a) => BigInt(a)),
      };
    }
    return { chainId, vault: params.vault, paid, event, call };
  } finally {
    provider.destroy();
  }
}

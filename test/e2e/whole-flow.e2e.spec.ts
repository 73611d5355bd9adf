import { NonceManager, Wallet, parseUnits } from 'ethers';
import {
  connectLabelToken,
  connectPayoutVault,
  type LabelTokenContract,
  type PayoutVaultContract,
} from '../../src/chain/contracts';
import { DEV_KEYS } from '../../src/chain/dev-chain';
import { startTestChain, type TestChain } from '../chain/test-chain';
import { ndjson, upload } from '../datasets/dataset-fixtures';
import { eventually } from '../payouts/payout-fixtures';
import { cli } from '../support/cli';
import { gql } from '../support/gql';
import { signIn, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';

// The whole product once, only through its public interfaces, with every background role running
// as in production: an admin named in ADMIN_ADDRESSES makes a requester, who creates a dataset,
// uploads items with gold, funds it on-chain from their own wallet (dev faucet → approve →
// PayoutVault.deposit), and publishes; labelers sign in with their wallets, claim and submit until
// nothing is left; verdicts, consensus and completion happen in the worker; the payout is batched,
// paid on-chain, confirmed, and verify-payout agrees with the chain.

const CLASSES = ['cat', 'dog'];
const REGULAR = 8;
const GOLD = 6;

// GraphQL answers, checked field by field below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = Record<string, any>;

async function call(
  app: TestApp,
  user: SignedInUser | null,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Answer> {
  const res = await gql(app, { query, variables, token: user?.token });
  if (res.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(res.errors)}`);
  return res.data;
}

describe('the whole flow, end to end, through the public API', () => {
  jest.setTimeout(180_000);
  let chain: TestChain;
  let app: TestApp;
  const adminWallet = Wallet.createRandom();
  // A funded dev-chain account (not one the test chain or the app signs with): pays its own gas.
  const requesterWallet = new Wallet(DEV_KEYS[3]);

  beforeAll(async () => {
    chain = await startTestChain();
    app = await startTestApp({
      chain: chain.settings,
      env: {
        ADMIN_ADDRESSES: adminWallet.address,
        SIGN_IN_RATE_LIMIT: '1000',
        DEPOSIT_POLL_SECONDS: '1',
        PAYOUT_HOLD_SECONDS: '0',
        PAYOUT_INTERVAL_SECONDS: '0',
        PAYOUT_RECONCILE_SECONDS: '1',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      },
    });
  });
  afterAll(async () => {
    await app.close();
    await chain.close();
  });

  it('upload → fund on-chain → publish → claim → submit → verdict → consensus → payout → verify', async () => {
    const admin = await signIn(app, adminWallet as unknown as Wallet);
    expect((await call(app, admin, '{ me { roles } }')).me.roles).toContain('ADMIN');
    const requester = await signIn(app, requesterWallet);
    await call(app, admin, 'mutation($a: ID!) { grantRole(accountId: $a, role: REQUESTER) { roles } }', {
      a: requester.id,
    });

    // Create and upload: regular items with a known truth (for the check at the end), gold with labels.
    const { createDataset: created } = await call(
      app,
      requester,
      'mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id depositKey } }',
      {
        i: {
          name: 'Cats and dogs',
          labelSchema: { kind: 'SINGLE_CHOICE', classes: CLASSES },
          answersPerItem: 2,
          itemsPerTask: 2,
          goldPerTask: 1,
          minGoldAccuracy: 0.5,
          rewardPerAnswer: '1',
          aggregation: 'MAJORITY_VOTE',
        },
      },
    );
    const truth = (i: number) => CLASSES[i % 2];
    const rows = [
      ...Array.from({ length: REGULAR }, (_, i) => ({ externalId: `r${i}`, payload: { text: `picture ${i}` } })),
      ...Array.from({ length: GOLD }, (_, i) => ({
        externalId: `g${i}`,
        payload: { text: `check ${i}` },
        goldLabel: truth(i),
      })),
    ];
    expect((await upload(app, { id: created.id, token: requester.token, body: ndjson(rows) })).body).toMatchObject({
      inserted: REGULAR + GOLD,
      rejectedCount: 0,
    });

    // Fund on-chain from the requester's own wallet, with the addresses chainInfo publishes.
    const { chainInfo } = await call(app, null, '{ chainInfo { chainId tokenAddress vaultAddress decimals } }');
    const amount = parseUnits('50', chainInfo.decimals);
    const faucetTx = (
      await call(app, requester, 'mutation($a: String!) { devFaucet(address: $a, amount: "50") }', {
        a: requester.address,
      })
    ).devFaucet as string;
    await chain.provider.waitForTransaction(faucetTx);
    const signer = new NonceManager(requesterWallet.connect(chain.provider));
    const token = connectLabelToken(chainInfo.tokenAddress, chain.provider).connect(signer) as LabelTokenContract;
    const vault = connectPayoutVault(chainInfo.vaultAddress, chain.provider).connect(signer) as PayoutVaultContract;
    await (await token.approve(chainInfo.vaultAddress, amount)).wait();
    await (await vault.deposit(created.depositKey, amount)).wait();
    await eventually(async () =>
      (await call(app, requester, 'query($d: ID!) { dataset(id: $d) { budget } }', { d: created.id })).dataset
        .budget === '50'
        ? true
        : undefined,
    );

    expect(
      (await call(app, requester, 'mutation($d: ID!) { publishDataset(id: $d) { status } }', { d: created.id }))
        .publishDataset.status,
    ).toBe('OPEN');

    // Three labelers work until the dataset has nothing left for them (the split runs in the worker).
    const labelers = await Promise.all([signIn(app), signIn(app), signIn(app)]);
    const goldLabels = new Map<string, string>();
    const itemTruth = new Map<string, string>();
    const items: { id: string; external_id: string }[] = await app.dataSource.query(
      'SELECT id, external_id FROM items WHERE dataset_id = $1',
      [created.id],
    );
    for (const item of items)
      (item.external_id.startsWith('g') ? goldLabels : itemTruth).set(
        item.id,
        truth(Number(item.external_id.slice(1))),
      );
    await eventually(async () =>
      (
        await gql(app, {
          query: 'mutation($d: ID) { claimTask(datasetId: $d) { id } }',
          variables: { d: created.id },
          token: labelers[0].token,
        })
      ).data?.claimTask
        ? true
        : undefined,
    );
    let submitted = 0;
    for (let busy = true; busy; ) {
      busy = false;
      for (const labeler of labelers) {
        const res = await gql(app, {
          query: 'mutation($d: ID) { claimTask(datasetId: $d) { id items { id } } }',
          variables: { d: created.id },
          token: labeler.token,
        });
        const assignment = res.data?.claimTask;
        if (!assignment) continue;
        busy = true;
        const answers = assignment.items.map((i: { id: string }) => ({
          itemId: i.id,
          label: goldLabels.get(i.id) ?? itemTruth.get(i.id),
        }));
        const sent = await call(
          app,
          labeler,
          'mutation($a: ID!, $x: [AnswerInput!]!) { submitAssignment(assignmentId: $a, answers: $x) { status } }',
          { a: assignment.id, x: answers },
        );
        expect(sent.submitAssignment.status).toBe('SUBMITTED');
        submitted++;
      }
    }
    // Four tasks of two slots each.
    expect(submitted).toBe(8);

    // Verdicts, consensus and completion happen in the worker.
    const done = await eventually(async () => {
      const { dataset } = await call(
        app,
        requester,
        'query($d: ID!) { dataset(id: $d) { status spent committed budget progress { labeledItems answers } } }',
        { d: created.id },
      );
      return dataset.status === 'COMPLETED' ? dataset : undefined;
    }, 60_000);
    // 8 accepted assignments x 3 answers (2 items + 1 gold) x 1 token. What stays committed is the
    // 10% dispute reserve, held until the appeal window (7 days) after the last verdict is over.
    expect(done).toMatchObject({
      spent: '24',
      committed: '2.4',
      budget: '50',
      progress: { labeledItems: REGULAR, answers: 24 },
    });
    // The labels themselves come from the consensus job the last verdicts queued.
    const results = await eventually(async () => {
      const { datasetResults } = await call(
        app,
        requester,
        'query($d: ID!) { datasetResults(datasetId: $d, first: 100) { edges { node { itemId label status } } } }',
        { d: created.id },
      );
      return datasetResults.edges.every((e: { node: { label: unknown } }) => e.node.label !== null)
        ? datasetResults.edges
        : undefined;
    });
    expect(results).toHaveLength(REGULAR);
    for (const { node } of results)
      expect([node.itemId, node.label, node.status]).toEqual([node.itemId, itemTruth.get(node.itemId), 'LABELED']);

    // Payout: one batch, paid on-chain and confirmed; each labeler holds what the ledger says.
    const [batch] = (await call(app, admin, 'mutation { runPayouts { id batchId recipients total } }')).runPayouts;
    expect(batch).toMatchObject({ recipients: 3, total: '24' });
    await eventually(
      async () =>
        (await call(app, admin, 'query($id: ID!) { payoutBatch(id: $id) { status } }', { id: batch.id })).payoutBatch
          .status === 'CONFIRMED'
          ? true
          : undefined,
      60_000,
    );
    let paid = 0n;
    for (const labeler of labelers) {
      const { myEarnings } = await call(app, labeler, '{ myEarnings { pending available inFlight paid } }');
      expect(myEarnings).toMatchObject({ pending: '0', available: '0', inFlight: '0' });
      const onChain = await chain.balanceOf(labeler.address);
      expect(onChain).toBe(parseUnits(myEarnings.paid, chainInfo.decimals));
      paid += onChain;
    }
    expect(paid).toBe(parseUnits('24', chainInfo.decimals));

    const verified = await cli(['verify-payout', '--batch', batch.batchId, '--api', app.url]);
    expect(verified.out).toContain('VERIFIED');
    expect(verified.code).toBe(0);
  });
});

import { PayoutStatus } from './payout-status';
import { decideSend, type BatchState, type ChainObservation, type SendAction } from './send-decision';

const now = new Date('2026-11-28T12:00:00Z');
const submitted: BatchState = {
  status: PayoutStatus.SUBMITTED,
  nonce: 5n,
  txHash: '0xt',
  hasRawTx: true,
  submittedAt: new Date(now.getTime() - 10_000),
  failedBlock: null,
  released: false,
};
const quiet: ChainObservation = {
  head: 100,
  minedNonce: 5n,
  pendingNonce: 6n,
  paid: null,
  receipt: null,
  txKnown: true,
};
const failed: BatchState = { ...submitted, status: PayoutStatus.FAILED, failedBlock: 90 };
const WINDOW = 64;
const paidAt = (blockNumber: number) => ({ blockNumber, blockHash: '0xb', txHash: '0xp' });

describe('decideSend', () => {
  it.each<[string, BatchState, ChainObservation, number, SendAction['kind']]>([
    [
      'signs a new batch',
      { ...submitted, status: PayoutStatus.PENDING, nonce: null, txHash: null, hasRawTx: false, submittedAt: null },
      quiet,
      1,
      'sign-new',
    ],
    ['confirms a paid batch with enough confirmations', submitted, { ...quiet, paid: paidAt(99) }, 2, 'confirm'],
    [
      'confirms a PENDING batch found paid (crash after broadcast)',
      { ...submitted, status: PayoutStatus.PENDING },
      { ...quiet, paid: paidAt(100) },
      1,
      'confirm',
    ],
    ['waits for confirmations of a paid batch', submitted, { ...quiet, paid: paidAt(100) }, 2, 'await-confirmations'],
    ['treats 0 confirmations as 1', submitted, { ...quiet, paid: paidAt(100) }, 0, 'confirm'],
    [
      'leaves a confirmed batch alone while still paid',
      { ...submitted, status: PayoutStatus.CONFIRMED },
      { ...quiet, paid: paidAt(10) },
      1,
      'none',
    ],
    ['never touches a released failed batch', { ...failed, released: true }, { ...quiet, paid: paidAt(10) }, 1, 'none'],
    [
      'confirms a FAILED batch a reorg paid after all (inside the window)',
      failed,
      { ...quiet, paid: paidAt(95) },
      2,
      'confirm',
    ],
    [
      'waits for confirmations of a FAILED batch found paid',
      failed,
      { ...quiet, paid: paidAt(100) },
      2,
      'await-confirmations',
    ],
    ['keeps watching a FAILED batch inside the reorg window', failed, quiet, 1, 'wait'],
    [
      'releases a FAILED batch once the failure is older than the reorg window',
      { ...failed, failedBlock: 100 - WINDOW },
      quiet,
      1,
      'release',
    ],
    ['releases a FAILED batch failed before the watch existed', { ...failed, failedBlock: null }, quiet, 1, 'release'],
    [
      'fills a nonce gap below a transaction the node cannot execute',
      submitted,
      { ...quiet, pendingNonce: 4n },
      1,
      'fill-gap',
    ],
    [
      'rebroadcasts first when the node lost the transaction above a gap',
      submitted,
      { ...quiet, pendingNonce: 4n, txKnown: false },
      1,
      'rebroadcast',
    ],
    [
      'fails a reverted transaction once it is final',
      submitted,
      { ...quiet, receipt: { status: 0, blockNumber: 99 } },
      2,
      'fail',
    ],
    [
      'waits on a fresh revert (it could be reorged away)',
      submitted,
      { ...quiet, receipt: { status: 0, blockNumber: 100 } },
      2,
      'await-confirmations',
    ],
    [
      'waits when mined but not (yet) seen as paid',
      submitted,
      { ...quiet, receipt: { status: 1, blockNumber: 100 } },
      1,
      'wait',
    ],
    ['re-signs when the nonce went to another transaction', submitted, { ...quiet, minedNonce: 6n }, 1, 'sign-new'],
    [
      'rebroadcasts a transaction the node lost (crash before broadcast, reorg)',
      submitted,
      { ...quiet, txKnown: false },
      1,
      'rebroadcast',
    ],
    [
      're-sends a CONFIRMED batch whose block was reorged away',
      { ...submitted, status: PayoutStatus.CONFIRMED },
      { ...quiet, txKnown: false },
      1,
      'rebroadcast',
    ],
    ['waits on a pending transaction within the timeout', submitted, quiet, 1, 'wait'],
    [
      'replaces a transaction stuck past the timeout',
      { ...submitted, submittedAt: new Date(now.getTime() - 60_000) },
      quiet,
      1,
      'replace',
    ],
    [
      're-signs a SUBMITTED batch missing its stored transaction',
      { ...submitted, hasRawTx: false },
      quiet,
      1,
      'sign-new',
    ],
  ])('%s', (_name, batch, chain, confirmations, expected) => {
    expect(decideSend({ batch, chain, now, confirmations, txTimeoutMs: 30_000, reorgWindow: WINDOW }).kind).toBe(
      expected,
    );
  });

  it('confirms with the block and transaction of the BatchPaid event, not the stored hash', () => {
    expect(
      decideSend({
        batch: submitted,
        chain: { ...quiet, paid: paidAt(90) },
        now,
        confirmations: 1,
        txTimeoutMs: 1,
        reorgWindow: WINDOW,
      }),
    ).toEqual({ kind: 'confirm', blockNumber: 90, blockHash: '0xb', txHash: '0xp' });
  });
});

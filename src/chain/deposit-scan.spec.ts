import { DepositStatus } from './deposit-status';
import { planDepositScan, scanRange, type RecordedDeposit, type SeenDeposit } from './deposit-scan';

const KEY = '0x' + 'd'.repeat(64);
const seen = (tx: string, block: number, hash = `0xh${block}`): SeenDeposit => ({
  txHash: tx,
  logIndex: 0,
  blockNumber: block,
  blockHash: hash,
  datasetKey: KEY,
  from: '0xf',
  amount: 10n,
});
const rec = (tx: string, block: number, status: DepositStatus, hash = `0xh${block}`): RecordedDeposit => ({
  id: `id-${tx}`,
  txHash: tx,
  logIndex: 0,
  blockNumber: block,
  blockHash: hash,
  datasetKey: KEY,
  datasetId: status === DepositStatus.UNMATCHED ? null : 'ds',
  amount: 10n,
  status,
});
const datasets = new Map([[KEY, 'ds']]);
const range = { from: 10, to: 20 };

describe('planDepositScan', () => {
  it.each<
    [string, SeenDeposit[], RecordedDeposit[], Partial<Record<'inserts' | 'restores' | 'moves' | 'reversals', number>>]
  >([
    ['credits a new deposit', [seen('0xa', 12)], [], { inserts: 1 }],
    [
      'credits nothing twice: a recorded deposit seen again',
      [seen('0xa', 12)],
      [rec('0xa', 12, DepositStatus.CREDITED)],
      {},
    ],
    ['ignores a log the node returned twice', [seen('0xa', 12), seen('0xa', 12)], [], { inserts: 1 }],
    ['reverses a credited deposit that left the chain', [], [rec('0xa', 12, DepositStatus.CREDITED)], { reversals: 1 }],
    ['keeps deposits older than the re-read window', [], [rec('0xa', 5, DepositStatus.CREDITED)], {}],
    [
      'moves a deposit re-mined in another block',
      [seen('0xa', 13, '0xother')],
      [rec('0xa', 12, DepositStatus.CREDITED)],
      { moves: 1 },
    ],
    [
      'restores a reversed deposit that came back',
      [seen('0xa', 14)],
      [rec('0xa', 12, DepositStatus.REVERSED)],
      { restores: 1 },
    ],
    ['does not reverse an already reversed deposit again', [], [rec('0xa', 12, DepositStatus.REVERSED)], {}],
  ])('%s', (_name, seenLogs, recorded, counts) => {
    const plan = planDepositScan({ seen: seenLogs, recorded, range, datasetByKey: datasets });
    expect({
      inserts: plan.inserts.length,
      restores: plan.restores.length,
      moves: plan.moves.length,
      reversals: plan.reversals.length,
    }).toEqual({ inserts: 0, restores: 0, moves: 0, reversals: 0, ...counts });
  });

  it('records a deposit to an unknown key as UNMATCHED (no credit)', () => {
    const plan = planDepositScan({
      seen: [{ ...seen('0xa', 12), datasetKey: '0x' + 'e'.repeat(64) }],
      recorded: [],
      range,
      datasetByKey: datasets,
    });
    expect(plan.inserts[0]).toMatchObject({ datasetId: null, status: DepositStatus.UNMATCHED });
  });

  it('matches deposit keys case-insensitively', () => {
    const plan = planDepositScan({
      seen: [{ ...seen('0xa', 12), datasetKey: KEY.toUpperCase().replace('0X', '0x') }],
      recorded: [],
      range,
      datasetByKey: datasets,
    });
    expect(plan.inserts[0]).toMatchObject({ datasetId: 'ds', status: DepositStatus.CREDITED });
  });
});

describe('scanRange', () => {
  it.each([
    [
      'starts at the start block',
      { cursor: null, head: 100, confirmations: 1, window: 10, startBlock: 0, maxRange: 1000 },
      { from: 0, to: 100 },
    ],
    [
      're-reads the window below the cursor',
      { cursor: 50, head: 100, confirmations: 1, window: 10, startBlock: 0, maxRange: 1000 },
      { from: 41, to: 100 },
    ],
    [
      'stops short of unconfirmed blocks',
      { cursor: 50, head: 100, confirmations: 3, window: 10, startBlock: 0, maxRange: 1000 },
      { from: 41, to: 98 },
    ],
    [
      'never reads below the start block',
      { cursor: 5, head: 100, confirmations: 1, window: 10, startBlock: 3, maxRange: 1000 },
      { from: 3, to: 100 },
    ],
    [
      'caps one read',
      { cursor: null, head: 100_000, confirmations: 1, window: 10, startBlock: 0, maxRange: 2000 },
      { from: 0, to: 1999 },
    ],
  ])('%s', (_name, params, expected) => {
    expect(scanRange(params)).toEqual(expected);
  });

  it('has nothing to read before enough confirmations', () => {
    expect(scanRange({ cursor: null, head: 1, confirmations: 5, window: 10, startBlock: 0, maxRange: 10 })).toBeNull();
  });
});

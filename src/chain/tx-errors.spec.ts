import { classifyBroadcastError, describeError, isUnreachable } from './tx-errors';

describe('classifyBroadcastError', () => {
  it.each([
    ['geth: already known', { message: 'already known' }, 'already-known'],
    ['hardhat: known transaction', { error: { message: 'Known transaction: 0xabc' } }, 'already-known'],
    ['ethers NONCE_EXPIRED', { code: 'NONCE_EXPIRED', message: 'nonce has already been used' }, 'nonce-used'],
    [
      'hardhat: nonce too low',
      { info: { error: { message: 'Nonce too low. Expected nonce to be 5 but got 4.' } } },
      'nonce-used',
    ],
    ['ethers REPLACEMENT_UNDERPRICED', { code: 'REPLACEMENT_UNDERPRICED', message: 'x' }, 'underpriced'],
    ['hardhat: replacement fee too low', { message: 'Replacement transaction underpriced' }, 'underpriced'],
    [
      'connection refused',
      { message: 'request failed', error: { message: 'connect ECONNREFUSED 127.0.0.1:8545' } },
      'unreachable',
    ],
    ['ethers TIMEOUT', { code: 'TIMEOUT', message: 'timeout' }, 'unreachable'],
    ['anything else', { message: 'insufficient funds for gas * price + value' }, 'rejected'],
  ])('%s', (_name, error, outcome) => {
    expect(classifyBroadcastError(error)).toBe(outcome);
  });

  it('sees a 5xx as unreachable, a revert as not', () => {
    expect(isUnreachable({ code: 'SERVER_ERROR' })).toBe(true);
    expect(isUnreachable({ code: 'CALL_EXCEPTION', message: 'execution reverted' })).toBe(false);
  });

  it('shortens long hex blobs and caps the length', () => {
    const text = describeError({ message: `bad tx 0x${'ab'.repeat(500)} ${'x'.repeat(1000)}` });
    expect(text).toContain('0x…');
    expect(text.length).toBeLessThanOrEqual(480);
  });
});

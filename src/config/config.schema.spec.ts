import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, jwtSecretWeakness, parseConfig, tokenTerms } from './config.schema';

describe('parseConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      port: 3000,
      role: 'all',
      databaseUrl: null,
      redisUrl: 'redis://127.0.0.1:6379',
      chainRpcUrl: null,
      siweDomain: 'localhost',
      adminAddresses: [],
      payoutHoldSeconds: 86400,
      payoutMinAmount: '1',
      payoutMaxRecipients: 500,
      dbMigrateOnBoot: true,
      chainConfirmations: 1,
    });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ ROLE: 'both' }, 'ROLE'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ CHAIN_RPC_URL: 'http://127.0.0.1:8545' }, 'CHAIN_ID'],
    [{ CHAIN_RPC_URL: 'http://127.0.0.1:8545', CHAIN_ID: '1' }, 'TOKEN_ADDRESS'],
    [{ TOKEN_ADDRESS: '0x123' }, 'TOKEN_ADDRESS'],
    [{ PAYOUT_SIGNER_KEY: 'secret' }, 'PAYOUT_SIGNER_KEY'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
    [{ ADMIN_ADDRESSES: '0xabc' }, 'ADMIN_ADDRESSES'],
    [{ PAYOUT_MIN_AMOUNT: '-1' }, 'PAYOUT_MIN_AMOUNT'],
    [{ DB_MIGRATE_ON_BOOT: 'maybe' }, 'DB_MIGRATE_ON_BOOT'],
    [{ CHAIN_CONFIRMATIONS: '-2' }, 'CHAIN_CONFIRMATIONS'],
    [{ PAYOUT_TX_TIMEOUT_SECONDS: '0' }, 'PAYOUT_TX_TIMEOUT_SECONDS'],
    [{ DEPOSIT_POLL_SECONDS: 'often' }, 'DEPOSIT_POLL_SECONDS'],
    [{ CHAIN_REORG_WINDOW: '0' }, 'CHAIN_REORG_WINDOW'],
    [{ TRUSTED_PROXIES: 'lb.internal' }, 'TRUSTED_PROXIES'],
    [{ TRUSTED_PROXIES: '10.0.0.0/33' }, 'TRUSTED_PROXIES'],
    [{ TRUSTED_PROXIES: '10.0.0.1,*' }, 'TRUSTED_PROXIES'],
    [{ CHAIN_PUBLIC_RPC_URL: 'ftp://rpc.example.org' }, 'CHAIN_PUBLIC_RPC_URL'],
    [{ DEV_CHAIN_PORT: '65536' }, 'DEV_CHAIN_PORT'],
  ])('refuses %p naming %s', (env, variable) => {
    let error: unknown;
    try {
      parseConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toContain(variable);
    expect((error as ConfigError).message.split('\n')).toHaveLength(1);
  });

  it('normalises admin addresses to lower case', () => {
    const a = '0xAbCdEf0123456789aBcDeF0123456789ABCDEF01';
    expect(parseConfig({ ADMIN_ADDRESSES: ` ${a} ,` }).adminAddresses).toEqual([a.toLowerCase()]);
  });

  it.each<[string | undefined, string[]]>([
    [undefined, ['loopback']],
    ['none', []],
    [' 10.0.0.0/8, 192.168.1.7 ,loopback', ['10.0.0.0/8', '192.168.1.7', 'loopback']],
    ['fd00::/8,::1', ['fd00::/8', '::1']],
  ])('reads TRUSTED_PROXIES=%p as %p', (raw, proxies) => {
    expect(parseConfig({ TRUSTED_PROXIES: raw }).trustedProxies).toEqual(proxies);
  });

  it('uses 2 confirmations on an external chain', () => {
    const config = parseConfig({
      CHAIN_RPC_URL: 'http://127.0.0.1:8545',
      CHAIN_ID: '5',
      TOKEN_ADDRESS: '0x' + '1'.repeat(40),
      VAULT_ADDRESS: '0x' + '2'.repeat(40),
      PAYOUT_SIGNER_KEY: '0x' + 'a'.repeat(64),
    });
    expect(config.chainConfirmations).toBe(2);
    expect(config.chainId).toBe(5);
  });

  it('treats an external CHAIN_IS_DEV chain as a dev chain, never in production', () => {
    const external = {
      CHAIN_RPC_URL: 'http://127.0.0.1:8545',
      CHAIN_ID: '31337',
      TOKEN_ADDRESS: '0x' + '1'.repeat(40),
      VAULT_ADDRESS: '0x' + '2'.repeat(40),
      PAYOUT_SIGNER_KEY: '0x' + 'a'.repeat(64),
    };
    const dev = parseConfig({ ...external, CHAIN_IS_DEV: 'true' });
    expect([dev.chainIsDev, dev.chainConfirmations]).toEqual([true, 1]);
    expect(parseConfig(external).chainIsDev).toBe(false);
    expect(() =>
      parseConfig({
        ...external,
        CHAIN_IS_DEV: 'true',
        NODE_ENV: 'production',
        JWT_SECRET: 'f3a9c1d07be24e6895ad0c7b1e2f4a6d',
      }),
    ).toThrow(/CHAIN_IS_DEV/);
  });

  describe('JWT_SECRET in production', () => {
    const production = (secret: string) => () => parseConfig({ NODE_ENV: 'production', JWT_SECRET: secret });

    it.each([
      [
        'the old docker-compose placeholder',
        'change-me-change-me-change-me-change-me',
        /placeholder \(contains "change"\)/,
      ],
      ['a sample value', 'my-super-secret-jwt-signing-key-for-prod', /placeholder \(contains "secret"\)/],
      ['one character repeated', 'x'.repeat(64), /too little variety/],
      ['a short pattern repeated', 'abcd'.repeat(10), /too little variety/],
    ])('refuses %s, saying how to make a real one', (_name, secret, reason) => {
      expect(production(secret)).toThrow(ConfigError);
      expect(production(secret)).toThrow(reason);
      expect(production(secret)).toThrow(/JWT_SECRET .*openssl rand -hex 32/);
    });

    it.each([
      ['openssl rand -hex 32', '3f9c1e0b7a5d2c4e8f6a1b3d5c7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e'],
      ['openssl rand -base64 33', 'qZ3v+9KfT1xWm2LpR8bN0cYdHs5Ea7UgJ4oViX6tC1wQ'],
    ])('accepts a random one (%s)', (_name, secret) => {
      expect(parseConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).jwtSecret).toBe(secret);
      expect(jwtSecretWeakness(secret)).toBeNull();
    });

    it('lets development use anything long enough (npm start makes its own when none is given)', () => {
      expect(parseConfig({ JWT_SECRET: 'change-me-change-me-change-me-change-me' }).jwtSecret).toBe(
        'change-me-change-me-change-me-change-me',
      );
    });

    it('docker-compose.yml ships no secret: it requires one from the environment', () => {
      const compose = readFileSync(join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8');
      const lines = compose.split('\n').filter((line) => /^\s*JWT_SECRET:/.test(line));
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line).toMatch(/JWT_SECRET: "?\$\{JWT_SECRET:\?[^}]+\}"?\s*$/);
    });
  });
});

describe('tokenTerms', () => {
  it.each([
    ['1', 18, 10n ** 18n],
    ['1', 6, 1_000_000n],
    ['0.01', 6, 10_000n],
    ['0.000001', 6, 1n],
    ['0', 6, 0n],
    ['25', 0, 25n],
  ])('reads PAYOUT_MIN_AMOUNT %s in the token decimals (%i)', (amount, decimals, units) => {
    expect(tokenTerms({ payoutMinAmount: amount }, decimals)).toEqual({
      tokenDecimals: decimals,
      payoutMinUnits: units,
    });
  });

  it.each([
    ['0.0000001', 6, 'PAYOUT_MIN_AMOUNT'],
    ['0.5', 0, 'PAYOUT_MIN_AMOUNT'],
    ['1', 80, 'TOKEN_ADDRESS'],
  ])('refuses %s at %i decimals, naming %s', (amount, decimals, variable) => {
    let error: unknown;
    try {
      tokenTerms({ payoutMinAmount: amount }, decimals);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message.split('\n')).toHaveLength(1);
  });
});

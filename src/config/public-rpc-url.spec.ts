import { publishableRpcUrl } from './public-rpc-url';

describe('publishableRpcUrl', () => {
  it.each([
    ['http://127.0.0.1:8545', 'http://127.0.0.1:8545', false],
    ['https://rpc.example.org/', 'https://rpc.example.org/', false],
    ['https://mainnet.infura.io/v3/0123456789abcdef', 'https://mainnet.infura.io', true],
    ['https://eth.example.com/rpc?apikey=s3cr3t', 'https://eth.example.com', true],
    ['https://user:s3cr3t@node.example.com:8545', 'https://node.example.com:8545', true],
    ['wss://ws.example.com/ws/s3cr3t', 'wss://ws.example.com', true],
  ])('publishes %s as %s', (given, published, trimmed) => {
    expect(publishableRpcUrl(given)).toEqual({ url: published, trimmed });
  });
});

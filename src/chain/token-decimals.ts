import { createChainProvider } from './chain-provider';
import { connectLabelToken } from './contracts';

/**
 * The token's decimals(), read from the chain. TokenAmount is parsed and shown in this scale
 * everywhere (API, CLI, config), so it is read once when the chain is connected, never assumed.
 * Throws when the RPC or the token does not answer: the service cannot show money without it.
 */
export async function readTokenDecimals(params: {
  rpcUrl: string;
  chainId: number;
  tokenAddress: string;
}): Promise<number> {
  const provider = createChainProvider(params.rpcUrl, params.chainId);
  try {
    return Number(await connectLabelToken(params.tokenAddress, provider).decimals());
  } finally {
    provider.destroy();
  }
}

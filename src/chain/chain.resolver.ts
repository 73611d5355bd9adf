import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Public } from '../auth/current-account';
import { TokenAmountScalar } from '../common/graphql-types';
import { publishableRpcUrl } from '../config/public-rpc-url';
import { ChainInfoModel } from './chain-info.model';
import { ChainService } from './chain.service';
import { FaucetService } from './faucet.service';

@Resolver()
export class ChainResolver {
  constructor(
    private readonly chain: ChainService,
    private readonly faucet: FaucetService,
  ) {}

  // Public: a client needs the chain id before it can build its sign-in message. The RPC URL is
  // the public one (CHAIN_PUBLIC_RPC_URL): the one the service uses may carry a provider key.
  @Public()
  @Query(() => ChainInfoModel)
  async chainInfo(): Promise<ChainInfoModel> {
    const { settings } = this.chain.require();
    const token = await this.chain.tokenInfo();
    return {
      chainId: settings.chainId,
      rpcUrl: settings.publicRpcUrl ?? publishableRpcUrl(settings.rpcUrl).url,
      tokenAddress: settings.tokenAddress,
      vaultAddress: settings.vaultAddress,
      decimals: token.decimals,
      symbol: token.symbol,
      confirmations: Math.max(1, settings.confirmations),
      isDevChain: settings.isDevChain,
    };
  }

  @Mutation(() => String, {
    description:
      'Dev chain only: mints LabelToken to address (at most 10000 a call), and sends it 1 dev ETH for gas when it holds less than 0.1; returns the hash of the mint transaction.',
  })
  devFaucet(
    @Args('address') address: string,
    @Args('amount', { type: () => TokenAmountScalar }) amount: bigint,
  ): Promise<string> {
    return this.faucet.mint({ address, amount });
  }
}

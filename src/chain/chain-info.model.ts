import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('ChainInfo')
export class ChainInfoModel {
  @Field(() => Int) chainId: number;
  @Field({ description: "The JSON-RPC URL clients should use (the dev chain's in dev)." }) rpcUrl: string;
  @Field() tokenAddress: string;
  @Field() vaultAddress: string;
  @Field(() => Int) decimals: number;
  @Field() symbol: string;
  @Field(() => Int, { description: 'Confirmations before a deposit or payout counts.' }) confirmations: number;
  @Field({ description: 'true on the local dev chain (devFaucet works only there).' }) isDevChain: boolean;
}

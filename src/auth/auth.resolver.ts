import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Public, CurrentAccount, Roles, type Principal } from './current-account';
import { AccountModel, ApiKeySecretModel, AuthPayloadModel } from './account.model';
import { AuthService } from './auth.service';
import { ApiKeysService } from './api-keys.service';
import { AccountsService } from './accounts.service';
import { SignInRateLimiter } from './sign-in-rate-limiter';
import { Role } from './role';

@Resolver(() => AccountModel)
export class AuthResolver {
  constructor(
    private readonly auth: AuthService,
    private readonly apiKeys: ApiKeysService,
    private readonly accounts: AccountsService,
    private readonly rateLimiter: SignInRateLimiter,
  ) {}

  @Public()
  @Mutation(() => String, { description: 'A single-use nonce for a Sign-In with Ethereum message.' })
  async requestSignInNonce(
    @Args('address') address: string,
    @Context() context: { req: { ip?: string } },
  ): Promise<string> {
    await this.rateLimiter.hit(context.req.ip ?? 'unknown');
    return this.auth.requestNonce(address);
  }

  @Public()
  @Mutation(() => AuthPayloadModel)
  async signIn(
    @Args('message') message: string,
    @Args('signature') signature: string,
    @Context() context: { req: { ip?: string } },
  ): Promise<AuthPayloadModel> {
    await this.rateLimiter.hit(context.req.ip ?? 'unknown');
    const result = await this.auth.signIn(message, signature);
    return { accessToken: result.accessToken, expiresAt: result.expiresAt, account: AccountModel.from(result.account) };
  }

  @Query(() => AccountModel)
  async me(@CurrentAccount() principal: Principal): Promise<AccountModel> {
    return AccountModel.from(await this.accounts.get(principal.id));
  }

  @Mutation(() => ApiKeySecretModel)
  createApiKey(@CurrentAccount() principal: Principal, @Args('name') name: string): Promise<ApiKeySecretModel> {
    return this.apiKeys.create(principal.id, name);
  }

  @Mutation(() => Boolean)
  revokeApiKey(@CurrentAccount() principal: Principal, @Args('id', { type: () => ID }) id: string): Promise<boolean> {
    return this.apiKeys.revoke(principal.id, id);
  }

  @Roles(Role.ADMIN)
  @Mutation(() => AccountModel)
  async grantRole(
    @CurrentAccount() principal: Principal,
    @Args('accountId', { type: () => ID }) accountId: string,
    @Args('role', { type: () => Role }) role: Role,
  ): Promise<AccountModel> {
    return AccountModel.from(await this.accounts.changeRole({ actorId: principal.id, accountId, role, grant: true }));
  }

  @Roles(Role.ADMIN)
  @Mutation(() => AccountModel)
  async revokeRole(
    @CurrentAccount() principal: Principal,
    @Args('accountId', { type: () => ID }) accountId: string,
    @Args('role', { type: () => Role }) role: Role,
  ): Promise<AccountModel> {
    return AccountModel.from(await this.accounts.changeRole({ actorId: principal.id, accountId, role, grant: false }));
  }

  @Roles(Role.ADMIN)
  @Mutation(() => AccountModel)
  async setAccountBlocked(
    @CurrentAccount() principal: Principal,
    @Args('accountId', { type: () => ID }) accountId: string,
    @Args('blocked') blocked: boolean,
  ): Promise<AccountModel> {
    return AccountModel.from(await this.accounts.setBlocked({ actorId: principal.id, accountId, blocked }));
  }
}

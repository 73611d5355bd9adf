import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Role } from './role';
import type { AccountEntity } from './account.entity';

registerEnumType(Role, { name: 'Role' });

@ObjectType('Account')
export class AccountModel {
  @Field(() => ID) id: string;
  @Field() address: string;
  @Field(() => [Role]) roles: Role[];
  @Field() blocked: boolean;

  static from(entity: AccountEntity): AccountModel {
    return Object.assign(new AccountModel(), {
      id: entity.id,
      address: entity.address,
      roles: entity.roles,
      blocked: entity.blocked,
    });
  }
}

@ObjectType('AuthPayload')
export class AuthPayloadModel {
  @Field() accessToken: string;
  @Field() expiresAt: Date;
  @Field(() => AccountModel) account: AccountModel;
}

@ObjectType('ApiKeySecret')
export class ApiKeySecretModel {
  @Field(() => ID) id: string;
  @Field({ description: 'The key itself: shown once, store it now.' }) key: string;
  @Field() prefix: string;
}

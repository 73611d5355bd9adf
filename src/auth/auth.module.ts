import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { ApiKeysService } from './api-keys.service';
import { AuthGuard } from './auth.guard';
import { AuthResolver } from './auth.resolver';
import { AuthNoncesRepository } from './auth-nonces.repository';
import { AuthService } from './auth.service';
import { RequestAuthenticator } from './request-authenticator';
import { SignInRateLimiter } from './sign-in-rate-limiter';

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [RUNTIME_CONFIG],
      useFactory: (config: RuntimeConfig) => ({ secret: config.jwtSecret, signOptions: { algorithm: 'HS256' } }),
    }),
  ],
  providers: [
    AccountsRepository,
    AuthService,
    AuthNoncesRepository,
    ApiKeysService,
    AccountsService,
    RequestAuthenticator,
    SignInRateLimiter,
    AuthResolver,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AccountsService],
})
export class AuthModule {}

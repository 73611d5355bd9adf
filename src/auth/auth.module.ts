import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { AccountsService } from './accounts.service';
import { ApiKeyStrategy } from './api-key.strategy';
import { ApiKeysService } from './api-keys.service';
import { AuthGuard } from './auth.guard';
import { AuthResolver } from './auth.resolver';
import { AuthService } from './auth.service';
import { JwtStrategy } from './jwt.strategy';
import { SignInRateLimiter } from './sign-in-rate-limiter';

@Module({
  imports: [
    PassportModule,
    JwtModule.registerAsync({
      inject: [RUNTIME_CONFIG],
      useFactory: (config: RuntimeConfig) => ({ secret: config.jwtSecret, signOptions: { algorithm: 'HS256' } }),
    }),
  ],
  providers: [AuthService, ApiKeysService, AccountsService, JwtStrategy, ApiKeyStrategy, SignInRateLimiter, AuthResolver, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AccountsService],
})
export class AuthModule {}

import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { RedisService } from '../queues/redis.service';

const WINDOW_SECONDS = 60;

// Fixed-window counter in Redis, shared by every api replica: at most SIGN_IN_RATE_LIMIT
// sign-in calls per client IP per minute.
@Injectable()
export class SignInRateLimiter {
  constructor(
    private readonly redis: RedisService,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  async hit(clientKey: string): Promise<void> {
    const window = Math.floor(Date.now() / 1000 / WINDOW_SECONDS);
    const key = `${this.config.queuePrefix}:ratelimit:signin:${clientKey}:${window}`;
    const count = await this.redis.client.incr(key);
    if (count === 1) await this.redis.client.expire(key, WINDOW_SECONDS * 2);
    if (count > this.config.signInRateLimit)
      throw new DomainError('RATE_LIMITED', 'Too many sign-in attempts; try again in a minute');
  }
}

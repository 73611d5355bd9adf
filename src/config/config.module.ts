import { type DynamicModule, Global, Module } from '@nestjs/common';
import { CLOCK, type Clock, systemClock } from '../common/clock';
import { RUNTIME_CONFIG, type RuntimeConfig } from './runtime-config';

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: RuntimeConfig, clock: Clock = systemClock): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: RUNTIME_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
      ],
      exports: [RUNTIME_CONFIG, CLOCK],
    };
  }
}

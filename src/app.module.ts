import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from './auth/auth.module';
import { ChainModule } from './chain/chain.module';
import { ChainWorkersModule } from './chain/chain-workers.module';
import type { Clock } from './common/clock';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { ConfigModule } from './config/config.module';
import { DatasetsModule } from './datasets/datasets.module';
import { DisputesModule, DisputesWorkersModule } from './disputes/disputes.module';
import type { RuntimeConfig } from './config/runtime-config';
import { typeormOptions } from './database/typeorm-options';
import { GraphiqlModule } from './graphiql/graphiql.module';
import { graphqlOptions } from './graphql.options';
import { ConsensusWorkersModule } from './consensus/consensus.module';
import { HealthModule } from './health/health.module';
import { LedgerModule } from './ledger/ledger.module';
import { PayoutsModule } from './payouts/payouts.module';
import { PayoutsWorkersModule } from './payouts/payouts-workers.module';
import { QueueWorkersModule } from './queues/queue-workers.module';
import { QueuesModule } from './queues/queues.module';
import { ResultsModule } from './results/results.module';
import { TasksModule } from './tasks/tasks.module';
import { TasksWorkersModule } from './tasks/tasks-workers.module';

// Domain modules (resolvers, services, controllers) and their worker-only processor modules.
// Each domain adds itself to these two lists.
const DOMAIN_MODULES: Type[] = [
  AuthModule,
  DatasetsModule,
  TasksModule,
  ChainModule,
  LedgerModule,
  PayoutsModule,
  ResultsModule,
  DisputesModule,
];
const WORKER_MODULES: Type[] = [
  QueueWorkersModule,
  ConsensusWorkersModule,
  TasksWorkersModule,
  ChainWorkersModule,
  PayoutsWorkersModule,
  DisputesWorkersModule,
];

@Module({})
export class AppModule {
  static forRoot(config: RuntimeConfig, options: { clock?: Clock } = {}): DynamicModule {
    const runsWorkers = config.role !== 'api';
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, options.clock),
        TypeOrmModule.forRoot(typeormOptions(config.databaseUrl)),
        QueuesModule,
        HealthModule,
        GraphQLModule.forRoot(graphqlOptions(config)),
        ...(config.nodeEnv !== 'production' ? [GraphiqlModule] : []),
        ...DOMAIN_MODULES,
        ...(runsWorkers ? WORKER_MODULES : []),
      ],
      providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
    };
  }
}

import { Module } from '@nestjs/common';
import { DatasetsModule } from '../datasets/datasets.module';
import { AssignmentsRepository } from './assignments.repository';
import { ClaimRepository } from './claim.repository';
import { ClaimService } from './claim.service';
import { LeaseReaper } from './lease-reaper.service';
import { SplitRepository } from './split.repository';
import { SubmissionRepository } from './submission.repository';
import { SubmissionService } from './submission.service';
import { SubmitFactsCache } from './submit-facts.cache';
import { TaskSplitService } from './task-split.service';
import { LateAcceptanceRepository } from './late-acceptance.repository';
import { LateAcceptanceService } from './late-acceptance.service';
import { TasksResolver } from './tasks.resolver';
import { VerdictRepository } from './verdict.repository';
import { VerdictService } from './verdict.service';

// Task splitting and the assignment engine (claim / lease / submit / release). The services are
// here so any role can call them; their bull processor is in TasksWorkersModule.
@Module({
  imports: [DatasetsModule],
  providers: [
    ClaimRepository,
    AssignmentsRepository,
    SubmissionRepository,
    SplitRepository,
    ClaimService,
    SubmissionService,
    SubmitFactsCache,
    LeaseReaper,
    TaskSplitService,
    TasksResolver,
    VerdictRepository,
    VerdictService,
    LateAcceptanceRepository,
    LateAcceptanceService,
  ],
  exports: [TaskSplitService, LeaseReaper, VerdictService, LateAcceptanceService],
})
export class TasksModule {}

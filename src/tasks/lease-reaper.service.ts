import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { inTransaction } from '../database/transaction';
import { AssignmentsRepository } from './assignments.repository';

const BATCH = 1000;

// Ends leases that ran out and returns their slots. Safe on every worker replica at once (see
// AssignmentsRepository.markLeasesExpired); "now" is the injected clock, the same one submit
// compares expires_at with, so both agree on what has expired.
@Injectable()
export class LeaseReaper {
  private readonly logger = new Logger(LeaseReaper.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly assignments: AssignmentsRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async reap(): Promise<number> {
    let total = 0;
    for (;;) {
      const now = this.clock.now();
      const expired = await inTransaction(this.dataSource, (manager) =>
        this.assignments.markLeasesExpired(manager, { now, limit: BATCH }),
      );
      total += expired;
      if (expired < BATCH) break;
    }
    if (total) this.logger.log({ expired: total }, 'leases expired');
    return total;
  }
}

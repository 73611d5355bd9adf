// Crash points for the fault tests (test/payouts/sigkill.spec.ts, test/quality/verdict-sigkill.spec.ts,
// test/disputes/rescore-sigkill.spec.ts): with the variable set to
// "1", the process SIGKILLs itself at that point — no cleanup, no finally blocks, exactly like
// a power cut. Ignored when NODE_ENV=production.
export type FaultPoint = 'before-broadcast' | 'after-broadcast' | 'mid-verdict' | 'mid-rescore';

const VARIABLES: Record<FaultPoint, string> = {
  'before-broadcast': 'FAULT_KILL_BEFORE_BROADCAST',
  'after-broadcast': 'FAULT_KILL_AFTER_BROADCAST',
  'mid-verdict': 'FAULT_KILL_MID_VERDICT',
  'mid-rescore': 'FAULT_KILL_MID_RESCORE',
};

export function faultPoint(point: FaultPoint): void {
  if (process.env.NODE_ENV === 'production') return;
  if (process.env[VARIABLES[point]] === '1') process.kill(process.pid, 'SIGKILL');
}

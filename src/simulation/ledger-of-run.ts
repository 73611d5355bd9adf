import type { SimItem } from './crowd';

// What the simulation itself saw happen, to check the product against at the end: every answer
// the product confirmed, submits whose confirmation was lost with a killed process, when
// labelers were refused as blocked, double submits, and refusals nobody expected.

export interface SubmittedAnswer {
  labeler: string;
  ref: string;
  itemId: string;
  label: string;
}

export class RunLedger {
  readonly startedAt = Date.now();
  /** assignment id -> its answers, for every submit the product answered SUBMITTED. */
  readonly confirmed = new Map<string, SubmittedAnswer[]>();
  /** assignment id -> its answers, for submits whose answer was lost (a process died mid-request). */
  readonly unconfirmed = new Map<string, SubmittedAnswer[]>();
  readonly blockedAt = new Map<string, { t: number; reason: string }>();
  /** Second submits of an assignment already submitted (a double click): the product answers them as
   * already submitted or refuses them, and never counts their answers again (checked at the end). */
  replaysSent = 0;
  replaysAccepted = 0;
  /** Refusals nobody expected, by message: shown in the report, never silently dropped. */
  readonly notes = new Map<string, number>();
  readonly refs = new Map<string, SimItem>();

  constructor(items: readonly SimItem[]) {
    for (const item of items) this.refs.set(item.ref, item);
  }

  seconds(): number {
    return Math.round((Date.now() - this.startedAt) / 100) / 10;
  }

  note(what: string): void {
    this.notes.set(what, (this.notes.get(what) ?? 0) + 1);
  }
}

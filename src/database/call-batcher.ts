// Calls of one kind that arrive within one turn of the event loop go to the database together, as
// one statement and one transaction (a commit, a round trip and a wake-up of a backend for them
// all), instead of one each: under load many requests are read in the same turn, and each claim or
// submit's own work inside PostgreSQL is small next to what every statement costs around it. A
// lone call goes alone, as before, with no wait beyond the turn it arrived in.
//
// A batch is all or nothing: when it fails (one bad call, say), each of its calls runs again on
// its own, so one call's error is that call's alone and the others still get their answers.
export interface CallBatcherOptions<In, Out> {
  // Runs several calls in one statement; answers in the order of the inputs.
  many: (inputs: In[]) => Promise<Out[]>;
  // Runs one call on its own.
  one: (input: In) => Promise<Out>;
  // A batch holds at most this many calls (the rest go in further batches, run alongside): its
  // calls wait for each other, so a batch as long as the whole queue would make every call as slow
  // as the slowest batch.
  maxBatch: number;
  // When the calls gathered so far go out; the next turn of the event loop by default.
  schedule?: (flush: () => void) => void;
  // Told when a batch failed and its calls are run alone (a batch statement that always fails
  // would otherwise double every call's work unseen).
  onBatchError?: (error: unknown, calls: number) => void;
}

interface Waiting<In, Out> {
  input: In;
  resolve: (out: Out) => void;
  reject: (error: unknown) => void;
}

export class CallBatcher<In, Out> {
  private waiting: Waiting<In, Out>[] = [];
  private readonly schedule: (flush: () => void) => void;

  constructor(private readonly options: CallBatcherOptions<In, Out>) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1)
      throw new Error(`maxBatch must be a positive integer, not ${options.maxBatch}`);
    this.schedule = options.schedule ?? ((flush) => setImmediate(flush));
  }

  call(input: In): Promise<Out> {
    if (this.options.maxBatch === 1) return this.options.one(input);
    return new Promise<Out>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      if (this.waiting.length === 1) this.schedule(() => this.flush());
    });
  }

  private flush(): void {
    const all = this.waiting;
    this.waiting = [];
    for (let start = 0; start < all.length; start += this.options.maxBatch)
      void this.run(all.slice(start, start + this.options.maxBatch));
  }

  private async run(batch: Waiting<In, Out>[]): Promise<void> {
    if (batch.length === 1) return this.runAlone(batch[0]);
    let outs: Out[];
    try {
      outs = await this.options.many(batch.map((w) => w.input));
      if (!answersEach(outs, batch.length)) throw new Error(`a batch of ${batch.length} calls answered ${outs.length}`);
    } catch (error) {
      try {
        this.options.onBatchError?.(error, batch.length);
      } catch {
        // Telling is best effort: the calls still run.
      }
      await Promise.all(batch.map((w) => this.runAlone(w)));
      return;
    }
    batch.forEach((w, i) => w.resolve(outs[i]));
  }

  private async runAlone(waiting: Waiting<In, Out>): Promise<void> {
    try {
      waiting.resolve(await this.options.one(waiting.input));
    } catch (error) {
      waiting.reject(error);
    }
  }
}

// One answer for each call: no more, no fewer, no hole in a sparse array.
function answersEach(outs: unknown[], calls: number): boolean {
  if (outs.length !== calls) return false;
  for (let i = 0; i < calls; i++) if (!(i in outs) || outs[i] === undefined) return false;
  return true;
}

// Calls `report` with what happened since it last did, at most once per `intervalMs`: a failing
// batch statement shows in the logs without a line per request.
export function throttled(
  report: (count: number, last: unknown) => void,
  intervalMs: number,
  now: () => number = Date.now,
): (event: unknown) => void {
  let count = 0;
  let lastReport = -Infinity;
  return (event) => {
    count++;
    if (now() - lastReport < intervalMs) return;
    lastReport = now();
    report(count, event);
    count = 0;
  };
}

// onBatchError for a service: a warning with the last error and how many batches of `calls`
// failed since the previous one, at most once in 10 s.
export function failedBatchWarning(
  warn: (fields: object, message: string) => void,
  calls: string,
): (error: unknown) => void {
  return throttled(
    (count, error) => warn({ err: error, failedBatches: count }, `${calls} batches failed; their ${calls}s ran alone`),
    10_000,
  );
}

import { Histogram, Registry, type Metric } from 'prom-client';
import { RequestDurations } from './request-durations';

const NAME = 'labelchain_http_request_duration_seconds';
const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

// The same observations through prom-client's Histogram and through RequestDurations: the
// /metrics text must be the same, byte for byte (JSON too).
function both(): {
  ours: Registry;
  theirs: Registry;
  observe(r: Parameters<RequestDurations['observe']>[0], s: number): void;
} {
  const ours = new Registry();
  const theirs = new Registry();
  const fast = new RequestDurations(NAME, 'HTTP request duration', BOUNDS);
  ours.registerMetric(fast as unknown as Metric);
  const reference = new Histogram({
    name: NAME,
    help: 'HTTP request duration',
    labelNames: ['method', 'route', 'status'],
    buckets: BOUNDS,
    registers: [theirs],
  });
  return {
    ours,
    theirs,
    observe(request, seconds) {
      fast.observe(request, seconds);
      reference.observe({ method: request.method, route: request.route, status: String(request.status) }, seconds);
    },
  };
}

describe('RequestDurations', () => {
  it("exposes what prom-client's Histogram exposes for the same observations", async () => {
    const { ours, theirs, observe } = both();
    // On a bound, between bounds, past the last bound, zero; three series, one seen again later.
    observe({ method: 'POST', route: '/graphql', status: 200 }, 0.005);
    observe({ method: 'POST', route: '/graphql', status: 200 }, 0.0051);
    observe({ method: 'GET', route: '/health/live', status: 200 }, 0);
    observe({ method: 'POST', route: '/graphql', status: 400 }, 12.5);
    observe({ method: 'POST', route: '/graphql', status: 200 }, 0.3);
    for (let i = 0; i < 100; i++) observe({ method: 'GET', route: 'unmatched', status: 404 }, i / 37);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    expect(await ours.metrics()).toContain(`${NAME}_count{method="GET",route="unmatched",status="404"} 100`);
  });

  it('forgets everything on reset, as the registry asks', async () => {
    const { ours, theirs, observe } = both();
    observe({ method: 'POST', route: '/graphql', status: 200 }, 0.01);
    ours.resetMetrics();
    theirs.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).not.toContain('_count{');
  });
});

import * as path from 'path';
import { loadObjects, manifestFiles, REPO } from './harness';
import { unitTests } from './promtool';
import { observedPlatform, referenceSubjects } from './promtool-subjects';

describe('the promtool stage\'s subjects', () => {
  test('the test platform: series derived from each instrumentation and objective', () => {
    const { subjects } = observedPlatform();
    const byJob = new Map(subjects.map((s) => [s.job, s]));
    expect(byJob.get('shop/products')).toMatchObject({
      availabilityBudget: expect.closeTo(0.001, 12), latencyBudget: expect.closeTo(0.01, 12),
      convention: { requests: 'http_server_request_duration_seconds_count', error: 'http_response_status_code="500"',
        bucket: 'http_server_request_duration_seconds_bucket', les: ['0.25', '1.0', '2.5'], redLe: '1.0', sloLe: '0.25' },
    });
    expect(byJob.get('shop/auth')).toMatchObject({
      availabilityBudget: expect.closeTo(0.0005, 12), latencyBudget: undefined,
      convention: { requests: 'rpc_server_duration_milliseconds_count', ok: 'rpc_grpc_status_code="0"', les: ['1000.0', '2500.0'], redLe: '1000.0' },
    });
    expect(byJob.get('shop/relay')?.convention).toBeUndefined();
  });

  test('dist/prod: every PrometheusRule has a subject, and the burn inputs scale with each objective', () => {
    const objects = loadObjects(manifestFiles(path.join(REPO, 'dist', 'prod'))).map((o) => o.obj);
    const { subjects, skipped } = referenceSubjects('prod', objects);
    expect(skipped).toEqual([]);
    const rules = objects.filter((o) => o.kind === 'PrometheusRule').map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`);
    expect(subjects.map((s) => s.job).sort()).toEqual(rules.sort());
    // orders: 99.5% available, so the slow burn feeds 1% failures (2x its budget), the fast one 25% (50x)
    const orders = unitTests(subjects.find((s) => s.job === 'orders/orders')!);
    const failing = (name: string) => {
      const t = orders.find((u) => u.name === `orders/orders ${name}`) as { input_series: Array<{ series: string; values: string }> };
      return t.input_series.find((i) => i.series.includes('="500"'))!.values;
    };
    expect(failing('availability burn: tickets a slow burn')).toBe('0+10x120');
    expect(failing('availability burn: pages and tickets')).toBe('0+250x120');
    expect(orders.map((u) => u.name)).not.toContain('orders/orders latency burn: pages and tickets');
  });

  test('an environment the reference platform does not have is reported, not guessed', () => {
    expect(referenceSubjects('qa', []).skipped).toEqual([expect.stringContaining('environment qa: not one of the reference platform\'s (dev, staging, prod)')]);
  });
});

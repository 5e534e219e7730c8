/**
 * The promtool stage of `npm run conformance` (issue 22): every PrometheusRule the library
 * renders is checked by `promtool check rules` (PromQL syntax, templates, duplicate rules),
 * and the alert families are unit-tested with `promtool test rules`: each fires on a
 * synthetic bad series and stays quiet on a healthy one.
 *
 * The rules checked are those of the directory under test (dist/) and of a test platform
 * built here (`observedPlatform`): an HTTP service with an availability and a latency
 * objective (OpenTelemetry HTTP conventions), a gRPC service with an availability objective
 * (OpenTelemetry RPC conventions, milliseconds) and a worker alerted on without request
 * metrics. The unit tests are generated from the rendered rules: the expected labels and
 * annotations are the rendered ones, so a change of the rules is tested as rendered.
 *
 *   npx tsx test/conformance/promtool.ts      the stage alone (builds promtool first if needed)
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Testing, Yaml } from 'cdk8s';
import {
  BoundedContext, Image, Instrumentation, Microservice, Platform, PlatformMonitoring, Port, Probe, ServiceAlerts, Slo, Worker, WorkloadMetrics,
} from '../../lib';
import { ensureTools, K8sObject, LoadedObject, makeTemp, progress, removeTemp, run, toolPath, Tools } from './harness';

/** What an alert family's test feeds in: the request counters and histogram of a service. */
interface Convention {
  requests: string;
  ok: string;
  error: string;
  bucket?: string;
  /** `le` values of the synthetic histogram, ascending, without +Inf */
  les: string[];
  /** the `le` of the RED latency threshold and of the latency objective's threshold */
  redLe?: string;
  sloLe?: string;
}

interface Subject { job: string; rule: K8sObject; convention?: Convention }

/** The test platform: services scraped and alerted on, as the README's observability section declares them. */
export function observedPlatform(app: App = Testing.app()): { rules: K8sObject[]; subjects: Subject[] } {
  const platform = new Platform(app, 'observed');
  new PlatformMonitoring(platform, 'monitoring');
  const shop = new BoundedContext(app, 'shop', { platform, team: 'shop-team' });
  const probes = { readiness: Probe.http('/ready'), liveness: Probe.http('/live') };
  const products = new Microservice(shop, 'products', { image: Image.fromTag('ghcr.io/acme/products', '1.0.0'), ports: [Port.http(8080)], ...probes });
  new WorkloadMetrics(products, 'metrics', { port: 'http' });
  new ServiceAlerts(products, 'alerts', {
    instrumentation: Instrumentation.openTelemetryHttp(),
    slos: [Slo.availability(99.9), Slo.latency(99, Duration.millis(250))],
  });
  const auth = new Microservice(shop, 'auth', {
    image: Image.fromTag('ghcr.io/acme/auth', '1.0.0'), ports: [Port.grpc(9090), Port.http(9464, { name: 'metrics' })],
    readiness: Probe.grpc(), liveness: Probe.tcp(),
  });
  new WorkloadMetrics(auth, 'metrics', { port: 'metrics', interval: Duration.seconds(15) });
  new ServiceAlerts(auth, 'alerts', { instrumentation: Instrumentation.openTelemetryGrpc(), slos: [Slo.availability(99.95, { window: Duration.days(28) })] });
  const relay = new Worker(shop, 'relay', {
    image: Image.fromTag('ghcr.io/acme/relay', '1.0.0'), ports: [Port.http(9090, { name: 'metrics' })],
    readiness: Probe.http('/ready', { port: 'metrics' }), liveness: Probe.http('/live', { port: 'metrics' }),
  });
  new WorkloadMetrics(relay, 'metrics', { port: 'metrics' });
  new ServiceAlerts(relay, 'alerts');
  const objects = Testing.synth(shop) as K8sObject[];
  const rule = (name: string) => objects.find((o) => o.kind === 'PrometheusRule' && o.metadata?.name === name)!;
  return {
    rules: objects.filter((o) => o.kind === 'PrometheusRule'),
    subjects: [
      { job: 'shop/products', rule: rule('products'), convention: {
        requests: 'http_server_request_duration_seconds_count', ok: 'http_response_status_code="200"', error: 'http_response_status_code="500"',
        bucket: 'http_server_request_duration_seconds_bucket', les: ['0.25', '1.0', '2.5'], redLe: '1.0', sloLe: '0.25',
      } },
      { job: 'shop/auth', rule: rule('auth'), convention: {
        requests: 'rpc_server_duration_milliseconds_count', ok: 'rpc_grpc_status_code="0"', error: 'rpc_grpc_status_code="14"',
        bucket: 'rpc_server_duration_milliseconds_bucket', les: ['250.0', '1000.0', '2500.0'], redLe: '1000.0',
      } },
      { job: 'shop/relay', rule: rule('relay') },
    ],
  };
}

type Rule = { alert?: string; record?: string; labels?: Record<string, string>; annotations?: Record<string, string> };

/** The firing alerts a test expects: the rendered rules of that name (and `match` labels), with `extra` labels of the series. */
function expected(rule: K8sObject, alert: string, match: Record<string, string>, extra: Record<string, string> = {}) {
  const rules = ((rule as { spec: { groups: Array<{ rules: Rule[] }> } }).spec.groups).flatMap((g) => g.rules)
    .filter((r) => r.alert === alert && Object.entries(match).every(([k, v]) => r.labels?.[k] === v));
  if (rules.length === 0) throw new Error(`no rendered alert ${alert} with ${JSON.stringify(match)}`);
  return rules.map((r) => ({ exp_labels: { ...r.labels, ...extra }, exp_annotations: r.annotations ?? {} }));
}

/** Cumulative counter values: `perMinute` more every minute for two hours. */
const grows = (perMinute: number) => `0+${perMinute}x120`;

/** Requests of a service, `errorShare` of them failing, one minute apart. */
function traffic(job: string, c: Convention, errorShare: number): Array<{ series: string; values: string }> {
  const total = 1000;
  const errors = Math.round(total * errorShare);
  return [
    { series: `${c.requests}{job="${job}",${c.ok}}`, values: grows(total - errors) },
    { series: `${c.requests}{job="${job}",${c.error}}`, values: grows(errors) },
  ];
}

/** A histogram of a service: `fastShare` of the requests in the first bucket, the rest between the last two boundaries. */
function latency(job: string, c: Convention, fastShare: number): Array<{ series: string; values: string }> {
  const total = 1000;
  const fast = Math.round(total * fastShare);
  return [
    ...c.les.map((le, n) => ({ series: `${c.bucket}{job="${job}",le="${le}"}`, values: grows(n === c.les.length - 1 ? total : fast) })),
    { series: `${c.bucket}{job="${job}",le="+Inf"}`, values: grows(total) },
    { series: `${c.requests}{job="${job}",${c.ok}}`, values: grows(total) },
  ];
}

/** The unit tests of one service's alert families: each fires on a bad series and is quiet on a healthy one. */
export function unitTests(s: Subject): Array<Record<string, unknown>> {
  const { job, rule, convention: c } = s;
  const test = (name: string, input: Array<{ series: string; values: string }>, evalMinutes: number, alertname: string, alerts: unknown[]) =>
    ({ name: `${job} ${name}`, interval: '1m', input_series: input, alert_rule_test: [{ eval_time: `${evalMinutes}m`, alertname, exp_alerts: alerts }] });
  const instance = { job, instance: '10.0.0.1:8080' };
  const up = (v: number) => [{ series: `up{job="${job}",instance="10.0.0.1:8080"}`, values: `${v}x40` }];
  const tests = [
    test('target down: fires', up(0), 15, 'ServiceTargetDown', expected(rule, 'ServiceTargetDown', {}, instance)),
    test('target down: quiet', up(1), 15, 'ServiceTargetDown', []),
  ];
  if (!c) return tests;
  tests.push(
    test('error ratio: fires', traffic(job, c, 0.1), 20, 'ServiceErrorRatioHigh', expected(rule, 'ServiceErrorRatioHigh', {})),
    test('error ratio: quiet', traffic(job, c, 0), 20, 'ServiceErrorRatioHigh', []),
    test('availability burn: pages and tickets', traffic(job, c, 0.05), 30, 'SloErrorBudgetBurn', expected(rule, 'SloErrorBudgetBurn', { slo: 'availability' })),
    test('availability burn: tickets a slow burn', traffic(job, c, 0.002), 30, 'SloErrorBudgetBurn',
      expected(rule, 'SloErrorBudgetBurn', { slo: 'availability', slo_severity: 'ticket' })),
    test('availability burn: quiet', traffic(job, c, 0), 30, 'SloErrorBudgetBurn', []),
  );
  if (c.bucket && c.redLe) {
    tests.push(
      test('latency: fires', latency(job, c, 0.5), 20, 'ServiceLatencyHigh', expected(rule, 'ServiceLatencyHigh', {})),
      test('latency: quiet', latency(job, c, 1), 20, 'ServiceLatencyHigh', []),
    );
  }
  if (c.bucket && c.sloLe) {
    tests.push(
      test('latency burn: pages and tickets', latency(job, c, 0.5), 30, 'SloErrorBudgetBurn', expected(rule, 'SloErrorBudgetBurn', { slo: 'latency' })),
      test('latency burn: quiet', latency(job, c, 1), 30, 'SloErrorBudgetBurn', []),
    );
  }
  return tests;
}

/** Writes a PrometheusRule's groups as a Prometheus rules file; `alter` rewrites every alert's expression. */
function writeRules(dir: string, obj: K8sObject, alter?: (expr: string) => string, suffix = ''): string {
  const file = path.join(dir, `${obj.metadata?.namespace ?? 'cluster'}-${obj.metadata?.name}${suffix}.rules.yaml`);
  const groups = (obj as { spec: { groups: Array<{ rules: Rule[] }> } }).spec.groups;
  const altered = alter ? groups.map((g) => ({ ...g, rules: g.rules.map((r) => (r.alert ? { ...r, expr: alter(String((r as { expr: unknown }).expr)) } : r)) })) : groups;
  fs.writeFileSync(file, Yaml.stringify({ groups: altered }));
  return file;
}

/**
 * The unit tests must be able to fail: with every alert condition made unreachable, each
 * test that expects an alert fails; with every condition always true, each quiet test fails.
 */
async function selfTest(promtool: string, dir: string, s: Subject): Promise<number> {
  const tests = unitTests(s);
  const firing = (t: Record<string, unknown>) => (t.alert_rule_test as Array<{ exp_alerts: unknown[] }>)[0].exp_alerts.length > 0;
  const cases = [
    { what: 'never fire', alter: (e: string) => e.replace(/> [-0-9.e+]+/g, '> 1e+30').replace(/== 0$/, '== 42'), mustFail: tests.filter(firing) },
    { what: 'always fire', alter: (e: string) => e.replace(/> [-0-9.e+]+/g, '> -1e+30').replace(/== 0$/, '>= 0'), mustFail: tests.filter((t) => !firing(t)) },
  ];
  let failures = 0;
  for (const c of cases) {
    const tag = c.what.replace(' ', '-');
    const testFile = path.join(dir, `self-test-${tag}.test.yaml`);
    fs.writeFileSync(testFile, Yaml.stringify({ rule_files: [writeRules(dir, s.rule, c.alter, `-${tag}`)], evaluation_interval: '1m', tests }));
    const r = await run(promtool, ['test', 'rules', testFile]);
    const failed = new Set([...r.out.matchAll(/^\s*name: (.*),$/gm)].map((m) => m[1]));
    const missed = c.mustFail.map((t) => String(t.name)).filter((n) => !failed.has(n));
    if (missed.length > 0) failures++;
    progress(`promtool self-test: ${s.job}'s alerts made to ${c.what}: ${missed.length === 0
      ? `all ${c.mustFail.length} tests that must fail do` : `${missed.length} tests still PASS: ${missed.join('; ')}`}`);
  }
  return failures;
}

/**
 * The stage: `promtool check rules` on every PrometheusRule of `objects` and of the test
 * platform, then `promtool test rules` on the generated unit tests. Returns the failures.
 */
export async function promtoolStage(tools: Tools, objects: LoadedObject[]): Promise<number> {
  const promtool = toolPath(tools, 'promtool');
  const dir = makeTemp('cdk8s-ms-promtool-');
  try {
    const fixture = observedPlatform();
    const fromDist = objects.filter((o) => o.obj.kind === 'PrometheusRule' && o.obj.apiVersion === 'monitoring.coreos.com/v1').map((o) => o.obj);
    const files = [...fromDist, ...fixture.rules].map((o) => writeRules(dir, o));
    const check = await run(promtool, ['check', 'rules', ...files]);
    let failures = 0;
    if (check.code !== 0) {
      failures++;
      process.stderr.write(check.out);
    }
    progress(`promtool check rules: ${files.length} PrometheusRules (${fromDist.length} of the directory, ${fixture.rules.length} of the test platform): ${check.code === 0 ? 'ok' : 'FAILED'} in ${check.seconds.toFixed(1)}s`);
    let count = 0;
    for (const s of fixture.subjects) {
      const tests = unitTests(s);
      count += tests.length;
      const testFile = path.join(dir, `${s.job.replace('/', '-')}.test.yaml`);
      fs.writeFileSync(testFile, Yaml.stringify({ rule_files: [writeRules(dir, s.rule)], evaluation_interval: '1m', tests }));
      const r = await run(promtool, ['test', 'rules', testFile]);
      if (r.code !== 0) {
        failures++;
        process.stderr.write(r.out);
      }
      progress(`promtool test rules: ${s.job}, ${tests.length} tests (${[...new Set(tests.map((t) => String(t.name).split(' ').slice(1).join(' ').split(':')[0]))].join(', ')}): ${r.code === 0 ? 'ok' : 'FAILED'}`);
    }
    failures += await selfTest(promtool, dir, fixture.subjects[0]);
    process.stdout.write(`promtool: ${files.length} rule files checked, ${count} unit tests; ${failures === 0 ? 'all passed' : `${failures} failed`}\n`);
    return failures;
  } finally {
    removeTemp(dir);
  }
}

if (require.main === module) {
  const tools = ensureTools(undefined, ['promtool']);
  promtoolStage(tools, []).then((f) => process.exit(f ? 1 : 0), (err: Error) => {
    process.stderr.write(`promtool stage: ${err.message}\n`);
    process.exit(2);
  });
}

/**
 * The promtool stage of `npm run conformance` (issue 22): every PrometheusRule the library
 * renders is checked by `promtool check rules` (PromQL syntax, templates, duplicate rules),
 * and the alert families are unit-tested with `promtool test rules`: each fires on a
 * synthetic bad series and stays quiet on a healthy one.
 *
 * The rules checked are those of the directory under test (dist/) and of a test platform
 * (`observedPlatform` in promtool-subjects.ts): an HTTP service with an availability and a
 * latency objective (OpenTelemetry HTTP conventions), a gRPC service with an availability
 * objective over 28 days (OpenTelemetry RPC conventions, milliseconds) and a worker
 * alerted on without request metrics. Both sets are unit-tested (the directory's when it
 * is dist/<env>/, whose code says what each rule was rendered from). The unit tests are
 * generated from the rendered rules: the expected labels and annotations are the rendered
 * ones, so a change of the rules is tested as rendered.
 *
 *   npx tsx test/conformance/promtool.ts      the stage alone, on dist/prod/ (builds promtool first if needed)
 */
import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { ensureTools, K8sObject, LoadedObject, loadObjects, makeTemp, manifestFiles, progress, removeTemp, REPO, run, toolPath, Tools } from './harness';
import { Convention, observedPlatform, referenceSubjects, Subject } from './promtool-subjects';

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

/** The share of bad requests that burns `budget` 50 times as fast as it lasts (at most half the requests). */
const fastBurn = (budget: number) => Math.min(0.5, 50 * budget);

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
  );
  if (s.availabilityBudget !== undefined) {
    // a fast burn at 50x the budget (above every page factor), a slow one at 2x (above the
    // 1x ticket, below the 3x ticket and both pages, whatever the objective)
    tests.push(
      test('availability burn: pages and tickets', traffic(job, c, fastBurn(s.availabilityBudget)), 30, 'SloErrorBudgetBurn',
        expected(rule, 'SloErrorBudgetBurn', { slo: 'availability' })),
      test('availability burn: tickets a slow burn', traffic(job, c, 2 * s.availabilityBudget), 30, 'SloErrorBudgetBurn',
        expected(rule, 'SloErrorBudgetBurn', { slo: 'availability', slo_severity: 'ticket' })),
      test('availability burn: quiet', traffic(job, c, 0), 30, 'SloErrorBudgetBurn', []),
    );
  }
  if (c.bucket && c.redLe) {
    tests.push(
      test('latency: fires', latency(job, c, 0.5), 20, 'ServiceLatencyHigh', expected(rule, 'ServiceLatencyHigh', {})),
      test('latency: quiet', latency(job, c, 1), 20, 'ServiceLatencyHigh', []),
    );
  }
  if (c.bucket && c.sloLe && s.latencyBudget !== undefined) {
    tests.push(
      test('latency burn: pages and tickets', latency(job, c, 1 - fastBurn(s.latencyBudget)), 30, 'SloErrorBudgetBurn', expected(rule, 'SloErrorBudgetBurn', { slo: 'latency' })),
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
export async function promtoolStage(tools: Tools, objects: LoadedObject[], reference?: { subjects: Subject[]; skipped: string[] }): Promise<number> {
  const promtool = toolPath(tools, 'promtool');
  const dir = makeTemp('cdk8s-ms-promtool-');
  try {
    const fixture = observedPlatform();
    for (const why of reference?.skipped ?? []) progress(`promtool test rules: ${why}`);
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
    for (const s of [...fixture.subjects, ...(reference?.subjects ?? [])]) {
      const tests = unitTests(s);
      count += tests.length;
      const origin = fixture.subjects.includes(s) ? 'test platform' : 'directory';
      const testFile = path.join(dir, `${s.job.replace('/', '-')}-${origin.replace(' ', '-')}.test.yaml`);
      fs.writeFileSync(testFile, Yaml.stringify({ rule_files: [writeRules(dir, s.rule)], evaluation_interval: '1m', tests }));
      const r = await run(promtool, ['test', 'rules', testFile]);
      if (r.code !== 0) {
        failures++;
        process.stderr.write(r.out);
      }
      progress(`promtool test rules: ${s.job} (${origin}), ${tests.length} tests (${[...new Set(tests.map((t) => String(t.name).split(' ').slice(1).join(' ').split(':')[0]))].join(', ')}): ${r.code === 0 ? 'ok' : 'FAILED'}`);
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
  // the rules of dist/prod/ (checked and unit-tested) beside the test platform's
  const dir = path.join(REPO, 'dist', 'prod');
  const objects = fs.existsSync(dir) ? loadObjects(manifestFiles(dir)) : [];
  promtoolStage(tools, objects, objects.length ? referenceSubjects('prod', objects.map((o) => o.obj)) : undefined).then((f) => process.exit(f ? 1 : 0), (err: Error) => {
    process.stderr.write(`promtool stage: ${err.message}\n`);
    process.exit(2);
  });
}

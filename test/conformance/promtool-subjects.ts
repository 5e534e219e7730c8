/**
 * What the promtool stage unit-tests: per `ServiceAlerts`, the job, its rendered
 * PrometheusRule, and the series its alert families read (derived from its
 * instrumentation and objectives, not written per service).
 *
 * Two sets: the observed test platform built here (HTTP with two objectives, gRPC with a
 * 28-day objective, a worker alerted on without request metrics), and the reference
 * platform (charts/) whose rules are the ones in dist/.
 */
import { App, Duration, Testing } from 'cdk8s';
import { ENVIRONMENTS, buildSalesPlatform } from '../../charts';
import {
  BoundedContext, Image, Instrumentation, Microservice, Platform, PlatformMonitoring, Port, Probe, ServiceAlerts, Slo, Worker, WorkloadMetrics,
} from '../../lib';
import type { K8sObject } from './harness';

/** What an alert family's test feeds in: the request counters and histogram of a service. */
export interface Convention {
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

export interface Subject {
  job: string;
  rule: K8sObject;
  convention?: Convention;
  /** the error budgets (1 - objective) of the availability and latency objectives, if declared */
  availabilityBudget?: number;
  latencyBudget?: number;
}

/**
 * A request that succeeds and one that fails, as label pairs, per instrumentation
 * convention. A custom instrumentation's failing values are the user's own: its rules
 * are checked (`promtool check rules`), not unit-tested.
 */
const SAMPLE_LABELS: { [convention: string]: { ok: string; error: string } } = {
  'OpenTelemetry HTTP server': { ok: 'http_response_status_code="200"', error: 'http_response_status_code="500"' },
  'OpenTelemetry RPC server': { ok: 'rpc_grpc_status_code="0"', error: 'rpc_grpc_status_code="14"' },
};

/** The subject of `alerts` whose rendered rule is `rule`, or why its alert families cannot be unit-tested. */
export function subjectOf(alerts: ServiceAlerts, rule: K8sObject): Subject | string {
  const job = WorkloadMetrics.of(alerts.workload)!.job;
  const i = alerts.instrumentation;
  if (!i) return { job, rule };
  const labels = SAMPLE_LABELS[i.convention];
  if (!labels) return `${job}: ${i.convention} instrumentation (its failing label values are the user's own): checked, not unit-tested`;
  const availability = alerts.slos.find((s) => s.name === 'availability');
  const latency = alerts.slos.find((s) => s.name === 'latency');
  const convention: Convention = { requests: i.requestsMetric, ...labels, les: [] };
  if (i.latencyBucketMetric) {
    const le = (d: Duration) => i._le(alerts, 'latencyThreshold', d);
    const red = alerts.latencyThreshold;
    // a boundary above the RED threshold, where the synthetic slow requests fall
    const above = i.latencyBuckets.map((b) => b * i.latencyUnitSeconds).find((s) => s > red.toSeconds());
    convention.bucket = i.latencyBucketMetric;
    convention.redLe = le(red);
    convention.sloLe = latency?.threshold ? le(latency.threshold) : undefined;
    const les = [convention.sloLe, convention.redLe, above === undefined ? undefined : le(Duration.millis(Math.round(above * 1000)))];
    convention.les = [...new Set(les.filter((l): l is string => l !== undefined))].sort((a, b) => Number(a) - Number(b));
  }
  return { job, rule, convention, availabilityBudget: availability?.errorBudget, latencyBudget: latency?.errorBudget };
}

/** The subjects of every ServiceAlerts under `scope`, their rules taken from `objects` (rendered or loaded). */
function subjectsIn(app: App, objects: K8sObject[]): { subjects: Subject[]; skipped: string[] } {
  const subjects: Subject[] = [];
  const skipped: string[] = [];
  for (const alerts of app.node.findAll().filter((c): c is ServiceAlerts => c instanceof ServiceAlerts)) {
    const w = alerts.workload;
    const rule = objects.find((o) => o.kind === 'PrometheusRule' && o.metadata?.namespace === w.namespace && o.metadata?.name === w.name);
    const s = rule ? subjectOf(alerts, rule) : `${w.namespace}/${w.name}: no PrometheusRule ${w.namespace}/${w.name} in the directory (is it stale? npm run synth)`;
    if (typeof s === 'string') skipped.push(s);
    else subjects.push(s);
  }
  return { subjects, skipped };
}

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
  return { rules: objects.filter((o) => o.kind === 'PrometheusRule'), subjects: subjectsIn(app, objects).subjects };
}

/**
 * The reference platform's subjects in `environment`, with the rules of `objects` (the
 * directory under test, dist/<environment>/): the code says which instrumentation and
 * objectives each rule was rendered from, the directory gives the rule as it ships.
 */
export function referenceSubjects(environment: string, objects: K8sObject[]): { subjects: Subject[]; skipped: string[] } {
  const env = ENVIRONMENTS.find((e) => e.name === environment);
  if (!env) return { subjects: [], skipped: [`environment ${environment}: not one of the reference platform's (${ENVIRONMENTS.map((e) => e.name).join(', ')})`] };
  const app = Testing.app();
  buildSalesPlatform(app, env);
  return subjectsIn(app, objects);
}

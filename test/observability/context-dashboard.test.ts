import { Duration } from 'cdk8s';
import {
  BoundedContext, ContextDashboard, PlatformMonitoring, ErrorCode, Image, Instrumentation, Microservice, Platform, ServiceAlerts, Slo, Worker, WorkloadMetrics,
} from '../../lib';
import { find, Manifest, microservice, objects, setup, thrown } from '../_helpers';
import { observed } from './_observed';

/** A scraped microservice with alerts of `instrumentation` and `slos`. */
function alerted(context: BoundedContext, id: string, instrumentation?: Instrumentation, slos: Slo[] = []): Microservice {
  const s = microservice(context, id);
  new WorkloadMetrics(s, 'metrics', { port: 'http' });
  new ServiceAlerts(s, 'alerts', { instrumentation, slos });
  return s;
}

/** The rendered dashboard ConfigMap and the dashboard parsed from it. */
function rendered(context: BoundedContext): { configMap: Manifest; dashboard: Manifest; out: Manifest[] } {
  const out = objects(context);
  const configMap = find(out, 'ConfigMap', 'catalog-dashboard');
  return { configMap, dashboard: JSON.parse(configMap.data['catalog.json']), out };
}

/** The expression of the rule `name` (an alert or a record) of a service's PrometheusRule, without its comparison. */
function ruleExpr(out: Manifest[], service: string, name: string, labels: { [key: string]: string } = {}): string {
  const rules: Manifest[] = find(out, 'PrometheusRule', service).spec.groups.flatMap((g: Manifest) => g.rules);
  const rule = rules.find(r => (r.alert ?? r.record) === name && Object.entries(labels).every(([k, v]) => r.labels?.[k] === v))!;
  return rule.expr.replace(/ > [0-9.e-]+$/, '');
}

const panels = (d: Manifest) => d.panels.filter((p: Manifest) => p.type === 'timeseries');

describe('ContextDashboard', () => {
  test('defaults: the sidecar label, the context\'s namespace, title and uid from the context, a Prometheus datasource variable', () => {
    const { context, monitoring } = observed();
    alerted(context, 'products', Instrumentation.openTelemetryHttp());
    const d = new ContextDashboard(context, 'dashboard');
    expect(monitoring.dashboardLabels).toEqual({ grafana_dashboard: '1' });
    expect([d.title, d.uid, d.configMapName, d.fileName]).toEqual(['catalog services', 'catalog', 'catalog-dashboard', 'catalog.json']);
    const { configMap, dashboard } = rendered(context);
    expect(configMap.metadata).toEqual({
      name: 'catalog-dashboard', namespace: 'catalog',
      labels: { 'app.kubernetes.io/managed-by': 'cdk8s', 'app.kubernetes.io/part-of': 'shop', 'cdk8s-microservices.io/context': 'catalog', 'grafana_dashboard': '1' },
    });
    expect(Object.keys(configMap.data)).toEqual(['catalog.json']);
    expect(dashboard).toMatchObject({ title: 'catalog services', uid: 'catalog', editable: false, tags: ['cdk8s-microservices', 'catalog'] });
    expect(dashboard.templating.list).toEqual([expect.objectContaining({ type: 'datasource', name: 'datasource', query: 'prometheus', label: 'Prometheus' })]);
    for (const p of panels(dashboard)) {
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const t of p.targets) expect(t.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
  });

  test('a label, title and uid of one\'s own', () => {
    const { context } = observed({ dashboardLabels: { 'grafana_dashboard': 'shop', 'example.com/team': 'sre' } });
    alerted(context, 'products', Instrumentation.openTelemetryHttp());
    new ContextDashboard(context, 'dashboard', { title: 'Catalog', uid: 'shop-catalog' });
    const { configMap, dashboard } = rendered(context);
    expect(configMap.metadata.labels).toMatchObject({ 'grafana_dashboard': 'shop', 'example.com/team': 'sre' });
    expect(dashboard).toMatchObject({ title: 'Catalog', uid: 'shop-catalog' });
  });

  test('a row of RED panels per service, whose queries are the expressions its alerts compare', () => {
    const { context } = observed();
    alerted(context, 'products', Instrumentation.openTelemetryHttp());
    alerted(context, 'ratings', Instrumentation.openTelemetryGrpc());
    new ContextDashboard(context, 'dashboard');
    const { dashboard, out } = rendered(context);
    expect(dashboard.panels.map((p: Manifest) => p.title)).toEqual([
      'products', 'products: requests', 'products: error ratio', 'products: latency p99',
      'ratings', 'ratings: requests', 'ratings: error ratio', 'ratings: latency p99',
    ]);
    const byTitle = Object.fromEntries(panels(dashboard).map((p: Manifest) => [p.title, p]));
    for (const service of ['products', 'ratings']) {
      expect(byTitle[`${service}: error ratio`].targets[0].expr).toBe(ruleExpr(out, service, 'ServiceErrorRatioHigh'));
      expect(byTitle[`${service}: latency p99`].targets[0].expr).toBe(ruleExpr(out, service, 'ServiceLatencyHigh'));
      // the request rate is the error ratio's denominator
      expect(ruleExpr(out, service, 'ServiceErrorRatioHigh').endsWith(` / ${byTitle[`${service}: requests`].targets[0].expr}`)).toBe(true);
      expect(byTitle[`${service}: requests`].fieldConfig.defaults.unit).toBe('reqps');
      expect(byTitle[`${service}: error ratio`].fieldConfig.defaults.unit).toBe('percentunit');
    }
    expect(byTitle['products: requests'].targets[0].expr).toBe('sum(rate(http_server_request_duration_seconds_count{job="catalog/products"}[5m]))');
    expect(byTitle['products: latency p99'].fieldConfig.defaults.unit).toBe('s');
    expect(byTitle['ratings: latency p99'].fieldConfig.defaults.unit).toBe('ms');
    // three panels side by side under each row
    expect(panels(dashboard).slice(0, 3).map((p: Manifest) => p.gridPos)).toEqual([
      { h: 8, w: 8, x: 0, y: 1 }, { h: 8, w: 8, x: 8, y: 1 }, { h: 8, w: 8, x: 16, y: 1 }]);
  });

  test('no latency panel without a latency histogram; services without instrumentation or alerts are left out', () => {
    const { context } = observed();
    alerted(context, 'products', Instrumentation.custom({ requestsMetric: 'http_requests_total', errorMatchers: 'code=~"5.."' }));
    alerted(context, 'legacy');
    microservice(context, 'search');
    const d = new ContextDashboard(context, 'dashboard');
    expect(d.services.map(s => s.name)).toEqual(['products']);
    const { dashboard } = rendered(context);
    expect(dashboard.panels.map((p: Manifest) => p.title)).toEqual(['products', 'products: requests', 'products: error ratio']);
    expect(panels(dashboard).map((p: Manifest) => p.gridPos.w)).toEqual([12, 12]);
  });

  test('one burn-rate panel per objective, from the recording rules the burn-rate alerts read', () => {
    const { context } = observed();
    alerted(context, 'products', Instrumentation.openTelemetryHttp(), [Slo.availability(99.9), Slo.latency(99, Duration.millis(250))]);
    alerted(context, 'ratings', Instrumentation.openTelemetryHttp(), [Slo.availability(99, { window: Duration.days(28) })]);
    new ContextDashboard(context, 'dashboard');
    const { dashboard, out } = rendered(context);
    const burn = panels(dashboard).filter((p: Manifest) => p.title.endsWith('burn rate'));
    expect(burn.map((p: Manifest) => p.title)).toEqual([
      'products: availability 99.9% error budget burn rate', 'products: latency 99% error budget burn rate', 'ratings: availability 99% error budget burn rate']);
    const [availability, latency, ratings] = burn;
    expect(availability.targets.map((t: Manifest) => [t.expr, t.legendFormat])).toEqual([
      ['slo:sli_error:ratio_rate1h{job="catalog/products",slo="availability"} / 0.001', 'over 1h (page at 14.4x)'],
      ['slo:sli_error:ratio_rate6h{job="catalog/products",slo="availability"} / 0.001', 'over 6h (page at 6x)'],
      ['slo:sli_error:ratio_rate1d{job="catalog/products",slo="availability"} / 0.001', 'over 1d (ticket at 3x)'],
      ['slo:sli_error:ratio_rate3d{job="catalog/products",slo="availability"} / 0.001', 'over 3d (ticket at 1x)'],
    ]);
    expect(latency.targets[0].expr).toBe('slo:sli_error:ratio_rate1h{job="catalog/products",slo="latency"} / 0.01');
    // each recording rule read is one the PrometheusRule renders, with the labels selected
    const records: Manifest[] = find(out, 'PrometheusRule', 'products').spec.groups.flatMap((g: Manifest) => g.rules).filter((r: Manifest) => r.record);
    for (const t of [...availability.targets, ...latency.targets]) {
      const [, record, slo] = /^([^{]+)\{job="catalog\/products",slo="([a-z]+)"\}/.exec(t.expr)!;
      expect(records.some(r => r.record === record && r.labels.slo === slo && r.labels.job === 'catalog/products')).toBe(true);
    }
    // the page alert fires at 14.4 times the budget: the panel's threshold lines at the lowest factors
    expect(ruleExpr(out, 'products', 'SloErrorBudgetBurn', { slo: 'availability', slo_severity: 'page' })).toContain('slo:sli_error:ratio_rate1h{job="catalog/products",slo="availability"} > 0.0144');
    expect(availability.fieldConfig.defaults.thresholds.steps).toEqual([{ value: null, color: 'green' }, { value: 1, color: 'orange' }, { value: 6, color: 'red' }]);
    // a 28-day window scales the factors
    expect(ratings.targets[0].legendFormat).toBe('over 1h (page at 13.44x)');
    expect(ratings.gridPos.w).toBe(12);
    // every row and panel has its own id, in order
    expect(dashboard.panels.map((p: Manifest) => p.id)).toEqual(dashboard.panels.map((_: Manifest, n: number) => n + 1));
  });

  test('the JSON is the same on every synth', () => {
    const build = () => {
      const { context } = observed();
      alerted(context, 'products', Instrumentation.openTelemetryHttp(), [Slo.availability(99.9)]);
      new ContextDashboard(context, 'dashboard');
      return rendered(context).configMap.data['catalog.json'];
    };
    expect(build()).toBe(build());
  });

  test('services declared after the dashboard are shown', () => {
    const { context } = observed();
    new ContextDashboard(context, 'dashboard');
    alerted(context, 'products', Instrumentation.openTelemetryHttp());
    expect(rendered(context).dashboard.panels[0].title).toBe('products');
  });

  test('fails on a context with nothing to show', () => {
    const { context } = observed();
    alerted(context, 'products');
    new ContextDashboard(context, 'dashboard');
    const e = thrown(() => objects(context));
    expect(e.message).toContain("catalog/dashboard: 'context' ('catalog') must have a service to show: no workload of the context has ServiceAlerts with an instrumentation; declare new ServiceAlerts(service, 'alerts', { instrumentation: Instrumentation.openTelemetryHttp() }) on a scraped service, or remove the dashboard");
  });

  test('fails on two dashboards in a context, outside a context, and without the platform\'s monitoring', () => {
    const { context } = observed();
    new ContextDashboard(context, 'dashboard');
    const twice = thrown(() => new ContextDashboard(context, 'dashboard2'));
    expect(twice.code).toBe(ErrorCode.DUPLICATE);
    expect(twice.message).toBe("catalog/dashboard2: 'id' ('dashboard2') must be the context's only dashboard, but catalog/dashboard is declared already; declare ContextDashboard once per bounded context");
    expect(thrown(() => new ContextDashboard(microservice(context, 'products') as any, 'dashboard')).code).toBe(ErrorCode.WRONG_SCOPE);
    const unmonitored = setup().context;
    const e = thrown(() => new ContextDashboard(unmonitored, 'dashboard'));
    expect(e.code).toBe(ErrorCode.MISSING_REQUIRED);
    expect(e.message).toContain("catalog/dashboard: 'platform' ('shop') must declare the platform's monitoring before a dashboard");
  });

  test.each([
    [{ uid: 'a'.repeat(41) }, 'uid', ErrorCode.INVALID_VALUE], [{ uid: 'shop/catalog' }, 'uid', ErrorCode.INVALID_VALUE],
    [{ title: ' ' }, 'title', ErrorCode.MISSING_REQUIRED], [{ title: 7 as any }, 'title', ErrorCode.WRONG_TYPE],
  ])('fails on %o', (props, prop, code) => {
    const { context } = observed();
    const e = thrown(() => new ContextDashboard(context, 'dashboard', props));
    expect([e.prop, e.code]).toEqual([prop, code]);
  });

  test('fails on a namespace too long for the default uid', () => {
    const { app, platform } = observed();
    const long = new BoundedContext(app, 'catalog-of-every-product-we-sell-anywhere', { platform, team: 'catalog-team' });
    const e = thrown(() => new ContextDashboard(long, 'dashboard'));
    expect(e.message).toBe("catalog-of-every-product-we-sell-anywhere/dashboard: 'uid' ('catalog-of-every-product-we-sell-anywhere') must be a Grafana dashboard uid: 1 to 40 letters, digits, '-' and '_'; set uid to a shorter name, such as 'catalog-of-every-product-we-sell-anywher'");
  });

  test('fails on a dashboard beyond the 1 MiB limit of a ConfigMap', () => {
    const { context } = observed();
    alerted(context, 'products', Instrumentation.custom({ requestsMetric: `r${'x'.repeat(400_000)}`, errorMatchers: 'code=~"5.."' }));
    new ContextDashboard(context, 'dashboard');
    const e = thrown(() => objects(context));
    expect(e.message).toMatch(/catalog\/dashboard: 'dashboard' \('\d+ bytes'\) must fit the 1 MiB limit of a ConfigMap \(1048576 bytes\); split the context/);
  });

  test('fails when the context\'s ConfigMap quota leaves no room for the dashboard', () => {
    const { platform, context: tight } = setup({ quota: { configMaps: 2 } });
    new PlatformMonitoring(platform, 'monitoring');
    alerted(tight, 'products', Instrumentation.openTelemetryHttp());
    new ContextDashboard(tight, 'dashboard');
    expect(() => objects(tight)).not.toThrow();
    const worker = new Worker(tight, 'indexer', { image: Image.fromTag('ghcr.io/acme/indexer', '2.0.0'), withoutProbes: 'a queue consumer with no port' });
    worker.addEnv('QUEUE', 'orders');
    const e = thrown(() => objects(tight));
    expect(e.message).toContain("catalog/dashboard: 'quota.configMaps' (2) is below the number of ConfigMaps in the context's namespace with the dashboard's");
  });

  test('PlatformMonitoring fails on dashboard labels that are no labels', () => {
    const app = setup().app;
    expect(thrown(() => new PlatformMonitoring(new Platform(app, 'p2'), 'monitoring', { dashboardLabels: {} })).prop).toBe('dashboardLabels');
  });
});

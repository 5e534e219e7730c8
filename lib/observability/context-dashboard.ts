import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { _addValidation } from '../internal/chart';
import { ErrorCode } from '../internal/configuration-error';
import { _checkType, _invalid } from '../internal/errors';
import { k8s } from '../internal/k8s';
import { LABEL, MANAGED_BY } from '../internal/labels';
import { BoundedContext } from '../platform/bounded-context';
import { Workload } from '../workloads/workload';
import type { _DashboardService } from './dashboard-panels';
import { PlatformMonitoring } from './platform-monitoring';
import { ServiceAlerts } from './service-alerts';
import { WorkloadMetrics } from './workload-metrics';
import { _attachOnce } from './attachment';

/**
 * Properties of a bounded context's dashboard.
 */
export interface ContextDashboardProps {
  /**
   * The dashboard's title in Grafana.
   *
   * @default - '<context> services', such as 'catalog services'
   */
  readonly title?: string;

  /**
   * The dashboard's uid, its address in Grafana (`/d/<uid>`): at most 40 letters,
   * digits, '-' and '_'.
   *
   * @default - the context's namespace
   */
  readonly uid?: string;
}

/** A ConfigMap holds at most 1 MiB of data. */
const CONFIGMAP_MAX_BYTES = 1024 * 1024;
const UID = /^[A-Za-z0-9_-]{1,40}$/;

/**
 * One Grafana dashboard of a bounded context, as a ConfigMap that the Grafana
 * sidecar loads: per service that has `ServiceAlerts` with an instrumentation, a row
 * of RED panels (requests per second, error ratio and p99 latency over 5 minutes,
 * the very expressions its RED alerts compare) and one panel per objective with its
 * error budget's burn rate over each burn-rate alert's long window (from the
 * recording rules the alerts read, thresholds at the alerts' factors); every query
 * reads a Prometheus datasource template variable. The dashboard is built with the
 * Grafana Foundation SDK, at synth, from the services declared by then.
 *
 * The ConfigMap `<context>-dashboard` lives in the context's namespace, with the
 * platform's `dashboardLabels` (`grafana_dashboard: "1"` unless told) and the
 * dashboard in the key `<context>.json`. kube-prometheus-stack's Grafana sidecar reads
 * every namespace (`grafana.sidecar.dashboards.searchNamespace: ALL`); the Grafana
 * chart alone reads only its own namespace unless its `sidecar.dashboards.searchNamespace`
 * lists the contexts' namespaces or is `ALL`.
 *
 * @example
 * new ContextDashboard(catalog, 'dashboard');
 */
export class ContextDashboard extends Construct {
  /** The dashboard declared on `context`, if any. */
  public static of(context: BoundedContext): ContextDashboard | undefined {
    return context.node.children.find((c): c is ContextDashboard => c instanceof ContextDashboard);
  }

  /** The bounded context shown. */
  public readonly context: BoundedContext;
  /** The dashboard's title. */
  public readonly title: string;
  /** The dashboard's uid. */
  public readonly uid: string;
  /** The name of the ConfigMap that holds the dashboard. */
  public readonly configMapName: string;
  /** The key of the dashboard's JSON in the ConfigMap (the file name the sidecar writes). */
  public readonly fileName: string;

  constructor(scope: BoundedContext, id: string, props: ContextDashboardProps = {}) {
    super(scope, id);
    _attachOnce(this, scope, id, {
      accepts: s => s instanceof BoundedContext, scopeKind: 'a BoundedContext: a dashboard shows one context\'s services',
      example: 'new ContextDashboard(context, \'dashboard\')', only: 'the context\'s only dashboard', per: 'bounded context',
    });
    this.context = scope;
    const monitoring = PlatformMonitoring.of(scope.platform);
    if (!monitoring) {
      throw _invalid(this, 'platform', scope.platform.node.path, 'must declare the platform\'s monitoring before a dashboard',
        'declare new PlatformMonitoring(platform, \'monitoring\', { ... }) once, right after the Platform', ErrorCode.MISSING_REQUIRED);
    }
    const ns = scope.namespaceName;
    this.title = props.title ?? `${ns} services`;
    _checkType(this, 'title', this.title, 'string', 'give the title as a string');
    if (this.title.trim() === '') {
      throw _invalid(this, 'title', this.title, 'must not be blank', 'leave title out for the default, or name the context', ErrorCode.MISSING_REQUIRED);
    }
    this.uid = props.uid ?? ns;
    if (typeof this.uid !== 'string' || !UID.test(this.uid)) {
      throw _invalid(this, 'uid', this.uid, 'must be a Grafana dashboard uid: 1 to 40 letters, digits, \'-\' and \'_\'',
        `set uid to a shorter name, such as '${ns.slice(0, 40).replace(/-+$/, '')}'`, ErrorCode.INVALID_VALUE);
    }
    this.configMapName = `${ns}-dashboard`;
    this.fileName = `${ns}.json`;

    new k8s.KubeConfigMap(this, 'Resource', {
      metadata: {
        name: this.configMapName,
        namespace: ns,
        labels: { [LABEL.PART_OF]: scope.platform.platformName, [LABEL.MANAGED_BY]: MANAGED_BY, [LABEL.CONTEXT]: ns, ...monitoring.dashboardLabels },
      },
      data: Lazy.any({ produce: () => ({ [this.fileName]: this.json() }) }),
    });
    _addValidation(this, () => this.validate());
  }

  /**
   * The services shown, in the order they were declared: the context's workloads with
   * `ServiceAlerts` and an instrumentation.
   */
  public get services(): Workload[] {
    return this.shown().map(s => s.workload);
  }

  /** The dashboard's JSON model (Grafana's dashboard schema), as rendered now. */
  public get dashboard(): { [key: string]: unknown } {
    // loaded on first use: the Grafana Foundation SDK (some 200 modules) costs a synth without dashboards nothing
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { _dashboardModel } = require('./dashboard-panels') as typeof import('./dashboard-panels');
    return _dashboardModel(this.title, this.uid, ['cdk8s-microservices', this.context.namespaceName], this.shown().map(s => s.service));
  }

  /** The JSON in the ConfigMap. */
  private json(): string {
    return JSON.stringify(this.dashboard, null, 2);
  }

  private shown(): Array<{ workload: Workload; service: _DashboardService }> {
    return Workload.all(this.context).flatMap(w => {
      const alerts = ServiceAlerts.of(w);
      const metrics = WorkloadMetrics.of(w);
      if (!alerts?.instrumentation || !metrics) return [];
      return [{ workload: w, service: { service: w.name, job: metrics.job, instrumentation: alerts.instrumentation, slos: alerts.slos } }];
    });
  }

  private validate() {
    const ns = this.context.namespaceName;
    if (this.shown().length === 0) {
      return [_invalid(this, 'context', ns, 'must have a service to show: no workload of the context has ServiceAlerts with an instrumentation',
        'declare new ServiceAlerts(service, \'alerts\', { instrumentation: Instrumentation.openTelemetryHttp() }) on a scraped service, or remove the dashboard',
        ErrorCode.MISSING_REQUIRED)];
    }
    const errors = [];
    const bytes = Buffer.byteLength(this.fileName) + Buffer.byteLength(this.json());
    if (bytes > CONFIGMAP_MAX_BYTES) {
      errors.push(_invalid(this, 'dashboard', `${bytes} bytes`, `must fit the 1 MiB limit of a ConfigMap (${CONFIGMAP_MAX_BYTES} bytes)`,
        'split the context, or shorten the metric names of its instrumentation', ErrorCode.QUOTA_EXCEEDED));
    }
    // the workloads' ConfigMaps, kube-root-ca.crt, and this one
    const configMaps = Workload.all(this.context).reduce((n, w) => n + w._footprint().configMaps, 0) + 2;
    const quota = Number(this.context.quota.configmaps);
    if (configMaps > quota) {
      errors.push(_invalid(this, 'quota.configMaps', quota, `is below the number of ConfigMaps in the context's namespace with the dashboard's (${configMaps})`,
        `raise the context's quota.configMaps to at least ${configMaps}`, ErrorCode.QUOTA_EXCEEDED));
    }
    return errors;
  }
}

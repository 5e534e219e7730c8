import { Construct } from 'constructs';
import { ErrorCode } from '../internal/configuration-error';
import { _assertDns1123Label, _assertInteger, _instanceOf, _invalid } from '../internal/errors';
import { Platform } from '../platform/platform';
import { _attachOnce } from './attachment';

/**
 * Properties of the platform's monitoring: where its Prometheus runs and which labels
 * make it pick up the monitors and rules the library renders.
 */
export interface PlatformMonitoringProps {
  /**
   * The namespace the platform's Prometheus pods run in. Each scraped workload's
   * NetworkPolicy admits pods of this namespace (and `prometheusPodLabels`) on its
   * metrics port alone.
   *
   * @default 'monitoring'
   */
  readonly prometheusNamespace?: string;

  /**
   * Labels selecting the Prometheus pods in `prometheusNamespace`.
   *
   * @default { 'app.kubernetes.io/name': 'prometheus' } (what prometheus-operator puts on every Prometheus pod)
   */
  readonly prometheusPodLabels?: { [key: string]: string };

  /**
   * Labels on every ServiceMonitor and PodMonitor, for the Prometheus'
   * `serviceMonitorSelector` and `podMonitorSelector`. kube-prometheus-stack selects
   * monitors by its Helm release name in the `release` label, unless its
   * `prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues` (and the
   * podMonitor one) are set to false: give the release name you installed it as.
   *
   * @default { release: 'kube-prometheus-stack' }
   */
  readonly monitorLabels?: { [key: string]: string };

  /**
   * Labels on every PrometheusRule, for the Prometheus' `ruleSelector`
   * (kube-prometheus-stack: the `release` label again, unless
   * `ruleSelectorNilUsesHelmValues` is false).
   *
   * @default - the monitorLabels
   */
  readonly ruleLabels?: { [key: string]: string };

  /**
   * Labels on every dashboard ConfigMap (`ContextDashboard`), for the Grafana
   * sidecar that loads dashboards: kube-prometheus-stack's Grafana sidecar picks up
   * ConfigMaps labelled `grafana_dashboard: "1"` (its `grafana.sidecar.dashboards.label`
   * and `labelValue`) in every namespace (`searchNamespace: ALL`).
   *
   * @default { grafana_dashboard: '1' }
   */
  readonly dashboardLabels?: { [key: string]: string };

  /**
   * The OTLP endpoint of the platform's OpenTelemetry collector, an http or https URL
   * with its port, such as 'http://otel-collector.observability.svc:4318'.
   *
   * @default - none: no workload is pointed at a collector
   */
  readonly otlpEndpoint?: string;

  /**
   * The OTLP transport the collector serves at `otlpEndpoint`.
   *
   * @default OtlpProtocol.HTTP_PROTOBUF (the OpenTelemetry SDKs' default, port 4318)
   */
  readonly otlpProtocol?: OtlpProtocol;

  /**
   * The namespace the collector's pods run in: the traced workloads' NetworkPolicy
   * lets them reach pods of this namespace (and `collectorPodLabels`) on the
   * collector's port alone.
   *
   * @default - the namespace in the endpoint's in-cluster host name (`<service>.<namespace>.svc`)
   */
  readonly collectorNamespace?: string;

  /**
   * Labels selecting the collector's pods in `collectorNamespace`.
   *
   * @default { 'app.kubernetes.io/name': 'opentelemetry-collector' } (what the OpenTelemetry Collector Helm chart puts on its pods)
   */
  readonly collectorPodLabels?: { [key: string]: string };

  /**
   * The port the collector's pods receive OTLP on (a Service may map another port to it).
   *
   * @default - the endpoint's port (80 for http and 443 for https when it names none)
   */
  readonly collectorPort?: number;
}

/** The OTLP transport of the collector (`OTEL_EXPORTER_OTLP_PROTOCOL`). */
export class OtlpProtocol {
  /** OTLP over HTTP with protobuf payloads, 'http/protobuf'. */
  public static readonly HTTP_PROTOBUF = new OtlpProtocol('http/protobuf');
  /** OTLP over gRPC, 'grpc'. */
  public static readonly GRPC = new OtlpProtocol('grpc');

  private constructor(
    /** The value of `OTEL_EXPORTER_OTLP_PROTOCOL`. */
    public readonly value: string,
  ) {}
}

/** Where the collector runs, resolved from the props. */
export interface OtlpCollector {
  /** The OTLP endpoint, an http or https URL. */
  readonly endpoint: string;
  /** The OTLP transport. */
  readonly protocol: OtlpProtocol;
  /** The namespace of the collector's pods. */
  readonly namespace: string;
  /** Labels selecting the collector's pods. */
  readonly podLabels: { [key: string]: string };
  /** The port the collector's pods receive OTLP on. */
  readonly port: number;
}

/**
 * The platform's monitoring, declared once on the Platform: the Prometheus that
 * scrapes the workloads (namespace and pod labels), the labels its selectors look
 * for, and the OpenTelemetry collector. `WorkloadMetrics` and `ServiceAlerts` read it.
 * It renders nothing itself.
 *
 * @example
 * new PlatformMonitoring(platform, 'monitoring', { monitorLabels: { release: 'prom' } });
 */
export class PlatformMonitoring extends Construct {
  /** The monitoring declared on `platform`, if any. */
  public static of(platform: Platform): PlatformMonitoring | undefined {
    return platform.node.children.find((c): c is PlatformMonitoring => c instanceof PlatformMonitoring);
  }

  /** The platform it belongs to. */
  public readonly platform: Platform;
  /** The namespace of the Prometheus pods. */
  public readonly prometheusNamespace: string;
  /** The OTLP endpoint of the collector, if any. */
  public readonly otlpEndpoint?: string;
  /** The OpenTelemetry collector, when `otlpEndpoint` is declared. */
  public readonly collector?: OtlpCollector;
  private readonly _prometheusPodLabels: { [key: string]: string };
  private readonly _monitorLabels: { [key: string]: string };
  private readonly _ruleLabels: { [key: string]: string };
  private readonly _dashboardLabels: { [key: string]: string };

  constructor(scope: Platform, id: string, props: PlatformMonitoringProps = {}) {
    super(scope, id);
    _attachOnce(this, scope, id, {
      accepts: s => Platform.isPlatform(s), scopeKind: 'a Platform: monitoring is declared once per platform',
      example: 'new PlatformMonitoring(platform, \'monitoring\', { ... })', only: 'the platform\'s only monitoring', per: 'platform',
    });
    this.platform = scope;
    this.prometheusNamespace = props.prometheusNamespace ?? 'monitoring';
    _assertDns1123Label(this, 'prometheusNamespace', this.prometheusNamespace);
    this._prometheusPodLabels = _labels(this, 'prometheusPodLabels', props.prometheusPodLabels ?? { 'app.kubernetes.io/name': 'prometheus' });
    this._monitorLabels = _labels(this, 'monitorLabels', props.monitorLabels ?? { release: 'kube-prometheus-stack' });
    this._ruleLabels = _labels(this, 'ruleLabels', props.ruleLabels ?? this._monitorLabels);
    this._dashboardLabels = _labels(this, 'dashboardLabels', props.dashboardLabels ?? { grafana_dashboard: '1' });
    this.otlpEndpoint = props.otlpEndpoint === undefined ? undefined : _checkOtlpEndpoint(this, props.otlpEndpoint);
    this.collector = this.otlpEndpoint === undefined ? undefined : _collector(this, this.otlpEndpoint, props);
  }

  /** Labels selecting the Prometheus pods (a copy). */
  public get prometheusPodLabels(): { [key: string]: string } {
    return { ...this._prometheusPodLabels };
  }

  /** Labels on every ServiceMonitor and PodMonitor (a copy). */
  public get monitorLabels(): { [key: string]: string } {
    return { ...this._monitorLabels };
  }

  /** Labels on every PrometheusRule (a copy). */
  public get ruleLabels(): { [key: string]: string } {
    return { ...this._ruleLabels };
  }

  /** Labels on every dashboard ConfigMap (a copy). */
  public get dashboardLabels(): { [key: string]: string } {
    return { ...this._dashboardLabels };
  }
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** A non-empty set of valid Kubernetes labels, copied. */
function _labels(scope: Construct, prop: string, labels: { [key: string]: string }): { [key: string]: string } {
  if (labels === null || typeof labels !== 'object' || Object.keys(labels).length === 0) {
    throw _invalid(scope, prop, labels, 'must hold at least one label', 'pass the labels your Prometheus selects by, or leave the prop out for the default',
      ErrorCode.MISSING_REQUIRED);
  }
  for (const [key, value] of Object.entries(labels)) {
    if (!LABEL_KEY.test(key) || typeof value !== 'string' || !LABEL_VALUE.test(value)) {
      throw _invalid(scope, prop, `${key}=${String(value)}`, 'must be a Kubernetes label (a key such as \'release\' or \'example.com/team\', and a value of at most 63 letters, digits, \'-\', \'_\' or \'.\')',
        'correct the label', ErrorCode.INVALID_NAME);
    }
  }
  return { ...labels };
}

/** The endpoint when it is an http(s) URL with a host and nothing after the port but '/'. */
function _checkOtlpEndpoint(scope: Construct, endpoint: string): string {
  let url: URL | undefined;
  try {
    url = typeof endpoint === 'string' ? new URL(endpoint) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '' || url.username !== '' || url.search !== '' || url.hash !== '') {
    throw _invalid(scope, 'otlpEndpoint', endpoint, 'must be an http or https URL of the collector, without credentials, query or fragment',
      'use a URL such as \'http://otel-collector.observability.svc:4318\'', ErrorCode.INVALID_VALUE);
  }
  return endpoint;
}

/** The collector of an endpoint already checked, with the props' defaults resolved. */
function _collector(scope: Construct, endpoint: string, props: PlatformMonitoringProps): OtlpCollector {
  const url = new URL(endpoint);
  const protocol = props.otlpProtocol === undefined ? OtlpProtocol.HTTP_PROTOBUF
    : _instanceOf(scope, 'otlpProtocol', props.otlpProtocol, OtlpProtocol, 'use OtlpProtocol.HTTP_PROTOBUF or OtlpProtocol.GRPC');
  const inCluster = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?$/.exec(url.hostname);
  const namespace = props.collectorNamespace ?? inCluster?.[2];
  if (namespace === undefined) {
    throw _invalid(scope, 'collectorNamespace', 'none', `must be given: the endpoint's host '${url.hostname}' is no in-cluster Service name (<service>.<namespace>.svc) to read it from`,
      'give the namespace of the collector\'s pods, or an endpoint such as \'http://otel-collector.observability.svc:4318\'', ErrorCode.MISSING_REQUIRED);
  }
  _assertDns1123Label(scope, 'collectorNamespace', namespace);
  const port = props.collectorPort ?? (url.port !== '' ? Number(url.port) : (url.protocol === 'https:' ? 443 : 80));
  _assertInteger(scope, 'collectorPort', port, 1, 65535, 'give the port the collector\'s pods receive OTLP on, such as 4318');
  const podLabels = _labels(scope, 'collectorPodLabels', props.collectorPodLabels ?? { 'app.kubernetes.io/name': 'opentelemetry-collector' });
  return { endpoint, protocol, namespace, podLabels, port };
}

import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import * as mon from '../imports/monitoring.coreos.com';
import { ErrorCode } from '../internal/configuration-error';
import { _addValidation } from '../internal/chart';
import { _wholeSeconds } from '../internal/duration';
import { _invalid } from '../internal/errors';
import { k8s } from '../internal/k8s';
import { _meshAwarePorts } from '../platform/service-mesh';
import { LABEL } from '../internal/labels';
import { Port, PortProtocol } from '../pod/port';
import { CallableWorkload } from '../workloads/callable-workload';
import { Workload } from '../workloads/workload';
import { _sameLabels } from '../workloads/workload-connections';
import { _promDuration } from './alert-rules';
import { PlatformMonitoring } from './platform-monitoring';
import { _attachOnce } from './attachment';

/** The shortest window an alert of the library computes a rate over. */
const SHORTEST_ALERT_WINDOW = Duration.minutes(5);
/** The samples a rate over the shortest window needs, at least. */
const SAMPLES_PER_WINDOW = 4;

/**
 * Properties of a workload's metrics endpoint.
 */
export interface WorkloadMetricsProps {
  /**
   * The name of the port that serves the metrics: a port of the main container, or of
   * one of its sidecars (an exporter).
   */
  readonly port: string;

  /**
   * The HTTP path of the metrics.
   *
   * @default '/metrics'
   */
  readonly path?: string;

  /**
   * How often Prometheus scrapes, from 5 seconds to 75 seconds (a rate over the 5
   * minutes of the shortest alert window needs four samples).
   *
   * @default Duration.seconds(30)
   */
  readonly interval?: Duration;
}

/**
 * The metrics of a workload, scraped by the platform's Prometheus (declared by
 * `PlatformMonitoring`): a `ServiceMonitor` when the port is on the workload's
 * Service, a `PodMonitor` otherwise (a Worker, a sidecar's port), labelled for the
 * Prometheus' selector; and a NetworkPolicy that admits the Prometheus pods on the
 * metrics port and nothing else. Every series scraped gets the `job` label
 * `<namespace>/<name>`, which the alerts of `ServiceAlerts` select by.
 *
 * A workload without it is not scraped: nothing is scraped by accident.
 *
 * @example
 * new WorkloadMetrics(checkout, 'metrics', { port: 'http' });
 */
export class WorkloadMetrics extends Construct {
  /** The metrics declared on `workload`, if any. */
  public static of(workload: Workload): WorkloadMetrics | undefined {
    return workload.node.children.find((c): c is WorkloadMetrics => c instanceof WorkloadMetrics);
  }

  /** The scraped workload. */
  public readonly workload: Workload;
  /** The port serving the metrics. */
  public readonly port: Port;
  /** The HTTP path of the metrics. */
  public readonly path: string;
  /** How often Prometheus scrapes. */
  public readonly interval: Duration;
  /** The `job` label of every series scraped from the workload: `<namespace>/<name>`. */
  public readonly job: string;
  /** 'ServiceMonitor' or 'PodMonitor': what scrapes the workload. */
  public readonly monitorKind: string;
  /** The platform's monitoring. */
  public readonly monitoring: PlatformMonitoring;

  constructor(scope: Workload, id: string, props: WorkloadMetricsProps) {
    super(scope, id);
    _attachOnce(this, scope, id, {
      accepts: s => s instanceof Workload, scopeKind: 'a workload (a Microservice, Worker or StatefulService)',
      example: 'new WorkloadMetrics(workload, \'metrics\', { port })', only: 'the workload\'s only metrics endpoint', per: 'workload',
    });
    this.workload = scope;
    const monitoring = PlatformMonitoring.of(scope.context.platform);
    if (!monitoring) {
      throw _invalid(this, 'platform', scope.context.platform.node.path, 'must declare the platform\'s monitoring before a workload is scraped',
        `declare new PlatformMonitoring(platform, 'monitoring', { ... }) once, right after the Platform`, ErrorCode.MISSING_REQUIRED);
    }
    this.monitoring = monitoring;
    this.path = props?.path ?? '/metrics';
    this.interval = props?.interval ?? Duration.seconds(30);
    this.job = `${scope.namespace}/${scope.name}`;
    if (typeof this.path !== 'string' || !/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(this.path)) {
      throw _invalid(this, 'path', this.path, 'must be an absolute HTTP path such as \'/metrics\'', 'start it with \'/\' and leave out the query', ErrorCode.INVALID_VALUE);
    }
    const seconds = _wholeSeconds(this, 'interval', this.interval, 5, 'Prometheus scrapes at most every 5 seconds here');
    const most = SHORTEST_ALERT_WINDOW.toSeconds() / SAMPLES_PER_WINDOW;
    if (seconds > most) {
      throw _invalid(this, 'interval', `${seconds}s`, `must be at most ${most}s: the alerts compute rates over ${_promDuration(SHORTEST_ALERT_WINDOW)}, which need ${SAMPLES_PER_WINDOW} samples`,
        `use Duration.seconds(${most}) or less`, ErrorCode.OUT_OF_RANGE);
    }
    const found = this.findPort(scope, props?.port);
    this.port = found.port;
    const onService = scope instanceof CallableWorkload && !found.sidecar;
    this.monitorKind = onService ? 'ServiceMonitor' : 'PodMonitor';
    this.render(onService);
    _addValidation(this, () => Workload.all(scope.context).filter(o => o.name === this.policyName).map(o =>
      _invalid(this, 'port', this.port.name, `renders the NetworkPolicy '${this.policyName}', which ${o.node.path} renders too`,
        `rename ${o.node.path}: its name ends in '-metrics' after this workload's`, ErrorCode.DUPLICATE)));
  }

  /** The name of the NetworkPolicy that admits Prometheus. */
  public get policyName(): string {
    return `${this.workload.name}-metrics`;
  }

  /** The port named `name` among the main container's and the sidecars' ports. */
  private findPort(w: Workload, name: string): { port: Port; sidecar: boolean } {
    const sidecars = w.pod.initContainers.filter(c => c.sidecar);
    const all = [...w.ports.map(port => ({ port, sidecar: false })), ...sidecars.flatMap(c => c.ports.map(port => ({ port, sidecar: true })))];
    const found = all.find(p => p.port.name === name);
    if (!found) {
      throw _invalid(this, 'port', name, `must name a port of ${w.node.path} or of its sidecars (${all.map(p => `'${p.port.name}'`).join(', ') || 'none'})`,
        'name the port that serves the metrics, or add it to the workload (or to its exporter sidecar) first', ErrorCode.UNKNOWN_REFERENCE);
    }
    if (found.port.protocol === PortProtocol.GRPC) {
      throw _invalid(this, 'port', name, 'must serve HTTP: Prometheus scrapes over HTTP, and this is a gRPC port',
        'name the HTTP port that serves the metrics', ErrorCode.INVALID_VALUE);
    }
    return found;
  }

  private render(onService: boolean): void {
    const w = this.workload;
    const relabelings = [{ action: mon.ServiceMonitorSpecEndpointsRelabelingsAction.REPLACE, targetLabel: 'job', replacement: this.job }];
    const meta = { name: w.name, namespace: w.namespace, labels: { ...w._labels, ...this.monitoring.monitorLabels } };
    const interval = _promDuration(this.interval);
    if (onService) {
      new mon.ServiceMonitor(this, 'Resource', {
        metadata: meta,
        spec: {
          selector: { matchLabels: { [LABEL.INSTANCE]: w.name } },
          endpoints: [{ port: this.port.name, path: this.path, interval, scheme: mon.ServiceMonitorSpecEndpointsScheme.HTTP, relabelings }],
        },
      });
    } else {
      new mon.PodMonitor(this, 'Resource', {
        metadata: meta,
        spec: {
          selector: { matchLabels: w.selectorLabels },
          podMetricsEndpoints: [{
            port: this.port.name, path: this.path, interval, scheme: mon.PodMonitorSpecPodMetricsEndpointsScheme.HTTP,
            relabelings: relabelings.map(r => ({ ...r, action: mon.PodMonitorSpecPodMetricsEndpointsRelabelingsAction.REPLACE })),
          }],
        },
      });
    }
    // a policy of its own: policies add up, and this one admits Prometheus on the metrics port alone (and a mesh's tunnel port)
    new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: { name: this.policyName, namespace: w.namespace, labels: { ...w._labels } },
      spec: {
        // the pods of every track of a release (the Service scrapes them all), as the workload's own policy selects them
        podSelector: { matchLabels: _sameLabels(w.everyTrackSelectorLabels, w.selectorLabels) ? { [LABEL.INSTANCE]: w.name } : w.everyTrackSelectorLabels },
        policyTypes: ['Ingress'],
        ingress: [{
          from: [{
            namespaceSelector: { matchLabels: { [LABEL.NAMESPACE_NAME]: this.monitoring.prometheusNamespace } },
            podSelector: { matchLabels: this.monitoring.prometheusPodLabels },
          }],
          // a mesh that tunnels calls between pods (Istio ambient: HBONE, 15008) carries the scrape through that port
          ports: _meshAwarePorts(w.context.platform.mesh, [this.port.containerPort]),
        }],
      },
    });
  }
}

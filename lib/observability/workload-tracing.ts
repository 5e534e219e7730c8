import { Construct } from 'constructs';
import { _addValidation } from '../internal/chart';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';
import { _instanceOf, _invalid } from '../internal/errors';
import { k8s } from '../internal/k8s';
import { LABEL } from '../internal/labels';
import { PodField } from '../pod/pod-field';
import { BoundedContext } from '../platform/bounded-context';
import { Workload } from '../workloads/workload';
import { _sameLabels } from '../workloads/workload-connections';
import { OtlpCollector, PlatformMonitoring } from './platform-monitoring';
import { _attachOnce } from './attachment';

/**
 * Which traces a service's OpenTelemetry SDK keeps (`OTEL_TRACES_SAMPLER` and
 * `OTEL_TRACES_SAMPLER_ARG`).
 *
 * @see https://opentelemetry.io/docs/languages/sdk-configuration/general/#otel_traces_sampler
 */
export class TraceSampler {
  /** Every trace the caller keeps, and every trace started here ('parentbased_always_on', the SDKs' default). */
  public static readonly PARENT_BASED_ALWAYS_ON = new TraceSampler('parentbased_always_on');
  /** Every trace ('always_on'). */
  public static readonly ALWAYS_ON = new TraceSampler('always_on');
  /** No trace ('always_off'). */
  public static readonly ALWAYS_OFF = new TraceSampler('always_off');

  /**
   * Every trace the caller keeps, and `percent` of the traces started here
   * ('parentbased_traceidratio'): the choice for a service with heavy traffic.
   */
  public static parentBasedRatio(percent: number): TraceSampler {
    return new TraceSampler('parentbased_traceidratio', percent);
  }

  /** `percent` of all traces, whatever the caller decided ('traceidratio'). */
  public static ratio(percent: number): TraceSampler {
    return new TraceSampler('traceidratio', percent);
  }

  private constructor(
    /** The value of `OTEL_TRACES_SAMPLER`. */
    public readonly name: string,
    /** The share of traces kept, in percent, for a ratio sampler. */
    public readonly percent?: number,
  ) {}

  /**
   * The value of `OTEL_TRACES_SAMPLER_ARG` (a ratio from 0 to 1), for a ratio
   * sampler; throws when its percent is not from 0 to 100.
   * @internal
   */
  public _arg(scope: Construct, prop: string): string | undefined {
    if (this.percent === undefined) return undefined;
    const p = this.percent;
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 100) {
      throw _invalid(scope, prop, p, 'must be a percent of traces from 0 to 100', 'use a share such as TraceSampler.parentBasedRatio(10)', ErrorCode.OUT_OF_RANGE);
    }
    return String(Number((p / 100).toPrecision(12)));
  }
}

/**
 * Properties of a workload's tracing.
 */
export interface WorkloadTracingProps {
  /**
   * Which traces the service keeps.
   *
   * @default TraceSampler.PARENT_BASED_ALWAYS_ON
   */
  readonly sampler?: TraceSampler;
}

/** The variables the downward API sets for the resource attributes. */
const POD_NAME_ENV = 'K8S_POD_NAME';
const NAMESPACE_ENV = 'K8S_NAMESPACE_NAME';
const VERSION_ENV = 'SERVICE_VERSION';

/**
 * A workload's traces, sent to the platform's OpenTelemetry collector (declared by
 * `PlatformMonitoring`'s `otlpEndpoint`): the OpenTelemetry SDK environment
 * (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES` with service.namespace = the
 * bounded context, service.version, deployment.environment.name, k8s.namespace.name
 * and k8s.pod.name, the last two and the version from the downward API so that every
 * track of a release reports its own; `OTEL_EXPORTER_OTLP_ENDPOINT` and `_PROTOCOL`;
 * `OTEL_TRACES_SAMPLER` and its argument) and a NetworkPolicy `<name>-tracing` that
 * lets the workload reach the collector's pods on the collector's port and nothing else.
 *
 * @example
 * new WorkloadTracing(checkout, 'tracing', { sampler: TraceSampler.parentBasedRatio(10) });
 */
export class WorkloadTracing extends Construct {
  /** The tracing declared on `workload`, if any. */
  public static of(workload: Workload): WorkloadTracing | undefined {
    return workload.node.children.find((c): c is WorkloadTracing => c instanceof WorkloadTracing);
  }

  /**
   * Traces every workload of `context` not traced yet, with `props`, and returns the
   * tracing it declares: call it once the context's workloads are declared, after the
   * `WorkloadTracing` of any service that samples otherwise.
   *
   * @example
   * new WorkloadTracing(search, 'tracing', { sampler: TraceSampler.parentBasedRatio(5) });
   * WorkloadTracing.forEveryWorkload(catalog);
   */
  public static forEveryWorkload(context: BoundedContext, props: WorkloadTracingProps = {}): WorkloadTracing[] {
    if (!(context instanceof BoundedContext)) {
      throw new ConfigurationError({ path: '', prop: 'context', value: String(context), expected: 'must be a BoundedContext',
        fix: 'pass the bounded context whose workloads to trace', code: ErrorCode.WRONG_TYPE });
    }
    return Workload.all(context).filter(w => !WorkloadTracing.of(w)).map(w => new WorkloadTracing(w, 'tracing', props));
  }

  /** The traced workload. */
  public readonly workload: Workload;
  /** Which traces the service keeps. */
  public readonly sampler: TraceSampler;
  /** The collector the traces go to. */
  public readonly collector: OtlpCollector;

  constructor(scope: Workload, id: string, props: WorkloadTracingProps = {}) {
    super(scope, id);
    _attachOnce(this, scope, id, {
      accepts: s => s instanceof Workload, scopeKind: 'a workload (a Microservice, Worker, StatefulService, Job or CronJob)',
      example: 'new WorkloadTracing(workload, \'tracing\')', only: 'the workload\'s only tracing', per: 'workload',
    });
    this.workload = scope;
    const collector = PlatformMonitoring.of(scope.context.platform)?.collector;
    if (!collector) {
      throw _invalid(this, 'platform', scope.context.platform.node.path, 'must declare an OpenTelemetry collector before a workload is traced',
        'declare new PlatformMonitoring(platform, \'monitoring\', { otlpEndpoint: \'http://otel-collector.observability.svc:4318\' }) right after the Platform', ErrorCode.MISSING_REQUIRED);
    }
    this.collector = collector;
    this.sampler = props?.sampler === undefined ? TraceSampler.PARENT_BASED_ALWAYS_ON
      : _instanceOf(this, 'sampler', props.sampler, TraceSampler, 'use TraceSampler.parentBasedRatio(percent), TraceSampler.PARENT_BASED_ALWAYS_ON or another TraceSampler');
    const samplerArg = this.sampler._arg(this, 'sampler');

    const config = scope.configuration;
    config.addFieldEnv(POD_NAME_ENV, PodField.NAME);
    config.addFieldEnv(NAMESPACE_ENV, PodField.NAMESPACE);
    config.addFieldEnv(VERSION_ENV, PodField.label(LABEL.VERSION));
    config.addEnv('OTEL_SERVICE_NAME', scope.name);
    config.addEnv('OTEL_EXPORTER_OTLP_ENDPOINT', collector.endpoint);
    config.addEnv('OTEL_EXPORTER_OTLP_PROTOCOL', collector.protocol.value);
    config.addEnv('OTEL_TRACES_SAMPLER', this.sampler.name);
    if (samplerArg !== undefined) config.addEnv('OTEL_TRACES_SAMPLER_ARG', samplerArg);
    config.addPodSpecEnv('OTEL_RESOURCE_ATTRIBUTES', Object.entries(this.resourceAttributes).map(([k, v]) => `${k}=${v}`).join(','));

    const w = scope;
    new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: { name: this.policyName, namespace: w.namespace, labels: { ...w._labels } },
      spec: {
        // the pods of every track of a release, as the workload's own policy selects them
        podSelector: { matchLabels: _sameLabels(w.everyTrackSelectorLabels, w.selectorLabels) ? { [LABEL.INSTANCE]: w.name } : w.everyTrackSelectorLabels },
        policyTypes: ['Egress'],
        egress: [{
          to: [{
            namespaceSelector: { matchLabels: { [LABEL.NAMESPACE_NAME]: collector.namespace } },
            podSelector: { matchLabels: { ...collector.podLabels } },
          }],
          ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(collector.port) }],
        }],
      },
    });
    _addValidation(this, () => Workload.all(w.context).filter(o => o.name === this.policyName).map(o =>
      _invalid(this, 'id', id, `renders the NetworkPolicy '${this.policyName}', which ${o.node.path} renders too`,
        `rename ${o.node.path}: its name ends in '-tracing' after this workload's`, ErrorCode.DUPLICATE)));
  }

  /** The name of the NetworkPolicy that lets the workload reach the collector. */
  public get policyName(): string {
    return `${this.workload.name}-tracing`;
  }

  /**
   * The OpenTelemetry resource attributes, in the order rendered; `$(NAME)` is a
   * variable the kubelet sets from the pod (the downward API).
   */
  public get resourceAttributes(): { [key: string]: string } {
    const w = this.workload;
    const environment = w.context.platform.environment;
    return {
      'service.namespace': w.context.namespaceName,
      'service.version': `$(${VERSION_ENV})`,
      ...(environment ? { 'deployment.environment.name': environment.name } : {}),
      'k8s.namespace.name': `$(${NAMESPACE_ENV})`,
      'k8s.pod.name': `$(${POD_NAME_ENV})`,
    };
  }
}

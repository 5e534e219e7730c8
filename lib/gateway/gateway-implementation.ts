import { ApiObjectMetadata, Duration, Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { _assertDns1123Label, _assertInteger, _assertLabelValue, _invalid } from '../internal/errors';
import { LABEL } from '../internal/labels';
import { _bytes, _formatBytes, _size } from '../internal/quantity';
import { _gatewayDuration, _UnbufferedRoute } from './gateway-routes';
import { _checkPodSelector } from './pod-selector';
import { _PolicyTarget } from './policy-target';
import * as eg from '../imports/gateway.envoyproxy.io';
import * as gw from '../imports/gateway.networking.k8s.io';
import { CircuitBreaker, ClientTimeouts, RateLimit, Retries } from './traffic-policy';
import { ErrorCode } from '../internal/configuration-error';
import { _duration } from '../internal/duration';

/**
 * The gateway's traffic settings, resolved, that an implementation renders as its
 * own policy resources or refuses. @internal
 */
export interface _PolicySettings {
  readonly rateLimit?: RateLimit;
  readonly maxRequestBodySize?: Size;
  readonly connectTimeout?: Duration;
  readonly retries?: Retries;
  readonly circuitBreaker?: CircuitBreaker;
  readonly clientTimeouts?: ClientTimeouts;
  /** Whether the gateway terminates TLS (false for a plain-HTTP development gateway). */
  readonly tls: boolean;
  /** The client ranges allowed to call; empty when every client may. */
  readonly allowedSourceRanges: string[];
  /** The gateway's proxies, when the gateway sizes them. */
  readonly proxies?: _ProxySettings;
}

/** How many proxies serve a gateway (a fixed count, or autoscaled up to `maxReplicas`), and their priority class. @internal */
export interface _ProxySettings {
  readonly replicas?: number;
  readonly maxReplicas?: number;
  readonly priorityClassName: string;
}

/**
 * Options for Envoy Gateway.
 */
export interface EnvoyGatewayOptions {
  /**
   * The GatewayClass whose controller is Envoy Gateway
   * (`gateway.envoyproxy.io/gatewayclass-controller`), created when Envoy Gateway is installed.
   *
   * @default 'eg'
   */
  readonly className?: string;

  /**
   * The namespace Envoy Gateway runs in. Its proxies (the data plane) run there
   * too (its default deployment mode), so routed services let in pods of this
   * namespace, and only the proxies of this gateway.
   *
   * @default 'envoy-gateway-system'
   */
  readonly namespace?: string;
}

/**
 * Options for a Gateway API implementation used through the standard resources only.
 */
export interface GenericGatewayOptions {
  /** The namespace the implementation's data-plane pods run in. Routed services let in pods of this namespace only. */
  readonly namespace: string;
  /** Labels selecting the data-plane pods in `namespace`. Routed services let in these pods only. */
  readonly podLabels: { [key: string]: string };
}

/** Renders an implementation's policies: on the Gateway, or on one route that must not be buffered (`unbuffered`: its kind). */
/** What an implementation applies where the gateway leaves a setting unset. @internal */
export interface _ImplementationDefaults {
  readonly maxRequestBodySize?: Size;
  readonly connectTimeout?: Duration;
  readonly proxyReplicas?: number;
}

type Renderer = (scope: Construct, target: _PolicyTarget, settings: _PolicySettings, unbuffered?: _UnbufferedRoute['kind']) => void;

/**
 * The Gateway API implementation that serves an `ApiGateway`: its GatewayClass,
 * where its data-plane pods run (routed services let exactly those pods in), and
 * how the gateway's typed traffic settings become its configuration. Everything
 * specific to one implementation lives here: Istio, Cilium or another is one more
 * static factory, without a change to the gateway or its call sites.
 *
 * The implementation itself is installed separately (for example with its Helm
 * chart), with its GatewayClass. With Envoy Gateway each gateway sizes and spreads
 * its own proxies (`proxyReplicas`); with a generic implementation, run its proxies
 * with at least two replicas spread over zones where it is installed.
 *
 * @example
 * GatewayImplementation.envoyGateway()
 * GatewayImplementation.generic('cilium', { namespace: 'kube-system', podLabels: { 'k8s-app': 'cilium-envoy' } })
 */
export class GatewayImplementation {
  /**
   * Envoy Gateway (envoyproxy/gateway). Rate limit, body size, connect timeout,
   * retries and circuit breaker render as one `BackendTrafficPolicy`, client
   * timeouts and the minimum TLS version (1.2) as one `ClientTrafficPolicy`, the
   * allowed source ranges as one `SecurityPolicy`, all attached to the Gateway; the
   * proxies' replicas, spread, disruption budget and priority as the Gateway's own
   * `EnvoyProxy`.
   *
   * @see https://gateway.envoyproxy.io/docs/api/extension_types/
   */
  public static envoyGateway(options: EnvoyGatewayOptions = {}): GatewayImplementation {
    const namespace = options.namespace ?? 'envoy-gateway-system';
    return new GatewayImplementation('Envoy Gateway', options.className ?? 'eg', namespace,
      { [LABEL.NAME]: 'envoy', [LABEL.COMPONENT]: 'proxy', [LABEL.MANAGED_BY]: 'envoy-gateway' },
      (name, ns) => ({ 'gateway.envoyproxy.io/owning-gateway-name': name, 'gateway.envoyproxy.io/owning-gateway-namespace': ns }),
      { maxRequestBodySize: Size.mebibytes(1), connectTimeout: Duration.seconds(5), proxyReplicas: 2 },
      renderEnvoyPolicies, (gateway: string) => ({ parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: gateway } }));
  }

  /**
   * Any conformant implementation, through Gateway API's standard resources only.
   * A setting the standard cannot express (rate limit, body size, connect timeout,
   * retries, circuit breaker, client timeouts, allowed source ranges, proxy
   * replicas) is refused when it is set.
   *
   * @param className the GatewayClass of the implementation
   */
  public static generic(className: string, options: GenericGatewayOptions): GatewayImplementation {
    return new GatewayImplementation(`GatewayClass '${className}'`, className, options.namespace, options.podLabels, () => ({}), {}, refuseExtensions, () => undefined);
  }

  /** The implementation's name, for messages. */
  public readonly name: string;
  /** The GatewayClass of the Gateway. */
  public readonly className: string;
  /** The namespace the data-plane pods run in. */
  public readonly namespace: string;
  /** The settings the implementation applies when the gateway leaves them unset. @internal */
  public readonly _defaults: _ImplementationDefaults;
  private readonly _podLabels: { [key: string]: string };

  private constructor(name: string, className: string, namespace: string, podLabels: { [key: string]: string },
    private readonly gatewayLabels: (gateway: string, namespace: string) => { [key: string]: string },
    defaults: _ImplementationDefaults, private readonly render: Renderer,
    private readonly infrastructure: (gateway: string) => gw.GatewaySpecInfrastructure | undefined) {
    this.name = name;
    this.className = className;
    this.namespace = namespace;
    this._podLabels = { ...podLabels };
    this._defaults = defaults;
  }

  /** Labels selecting the data-plane pods of any gateway of this implementation (a copy). */
  public get podLabels(): { [key: string]: string } {
    return { ...this._podLabels };
  }

  /** @internal */
  public _validate(scope: IConstruct): void {
    _assertDns1123Label(scope, 'implementation.namespace', this.namespace);
    _assertDns1123Label(scope, 'implementation.className', this.className);
    _checkPodSelector(scope, 'implementation.podLabels', this._podLabels, {
      selects: 'the data-plane pods',
      emptyFix: 'pass the labels of the implementation\'s proxy pods, as `kubectl get pods --show-labels` prints them',
      keysOf: 'the proxy pods',
    });
  }

  /**
   * The network peer that is the data plane of one gateway, for NetworkPolicy ingress rules.
   * @internal
   */
  public _peer(gateway: string, gatewayNamespace: string): k8s.NetworkPolicyPeer {
    return {
      namespaceSelector: { matchLabels: { [LABEL.NAMESPACE_NAME]: this.namespace } },
      podSelector: { matchLabels: this.proxyLabels(gateway, gatewayNamespace) },
    };
  }

  /** The labels of one gateway's data-plane pods. */
  private proxyLabels(gateway: string, gatewayNamespace: string): { [key: string]: string } {
    return { ...this._podLabels, ...this.gatewayLabels(gateway, gatewayNamespace) };
  }

  /** The Gateway's `spec.infrastructure`: where the implementation reads the gateway's own settings, if it has any. @internal */
  public _infrastructure(gateway: string): gw.GatewaySpecInfrastructure | undefined {
    return this.infrastructure(gateway);
  }

  /**
   * Renders the implementation's policies for the gateway's settings; throws for a
   * setting it cannot express.
   * @internal
   */
  public _renderPolicies(scope: Construct, target: _PolicyTarget, settings: _PolicySettings): void {
    this.render(scope, { ...target, proxyLabels: this.proxyLabels(target.name, target.namespace) }, settings);
  }

  /**
   * Renders what a route that must not be buffered (a GRPCRoute, a streaming
   * HTTPRoute) needs beyond the Gateway's policies (Envoy Gateway: the same traffic
   * policy without the request buffer, which holds streams back).
   * @internal
   */
  public _renderUnbufferedRoutePolicies(scope: Construct, route: _UnbufferedRoute, settings: _PolicySettings): void {
    this.render(scope, route, settings, route.kind);
  }
}

function refuseExtensions(scope: Construct, _target: _PolicyTarget, s: _PolicySettings, unbuffered?: string): void {
  if (unbuffered) {
    return; // refused, if at all, on the Gateway
  }
  const set: Array<[string, unknown]> = [
    ['rateLimit', s.rateLimit && `${s.rateLimit.requests} per ${s.rateLimit.interval.toSeconds() === 1 ? 'second' : 'minute'}`],
    ['maxRequestBodySize', s.maxRequestBodySize && _formatBytes(_size(scope, 'maxRequestBodySize', s.maxRequestBodySize))],
    ['connectTimeout', s.connectTimeout && `${s.connectTimeout.toSeconds({ integral: false })}s`],
    ['retries', s.retries && `${s.retries.attempts} attempts`],
    ['circuitBreaker', s.circuitBreaker && `${s.circuitBreaker.maxConnections} connections`],
    ['clientTimeouts', s.clientTimeouts && Object.keys(s.clientTimeouts).join(', ')],
    ['allowedSourceRanges', s.allowedSourceRanges.length > 0 ? s.allowedSourceRanges.join(', ') : undefined],
    ['proxyReplicas', s.proxies?.replicas],
    ['proxyMaxReplicas', s.proxies?.maxReplicas],
  ];
  for (const [prop, value] of set) {
    if (value !== undefined) {
      throw _invalid(scope, prop, value,
        'cannot be expressed in Gateway API\'s standard resources, the only ones a generic implementation gets (retries are experimental, the rest is implementation-specific)',
        `remove ${prop}, or use an implementation that has it, such as GatewayImplementation.envoyGateway()`, ErrorCode.UNSUPPORTED_BY_IMPLEMENTATION);
    }
  }
}

/** A duration Envoy accepts (Gateway API's format); throws otherwise. */
function envoyDuration(scope: IConstruct, prop: string, d: Duration): string {
  const out = _gatewayDuration(_duration(scope, prop, d));
  if (out === undefined) {
    throw _invalid(scope, prop, `${d.toMilliseconds({ integral: false })}ms`,
      'cannot be expressed by Envoy Gateway, which takes whole milliseconds from 1 ms to 99999 hours',
      'use a whole number of milliseconds, for example Duration.seconds(5)', ErrorCode.UNSUPPORTED_BY_IMPLEMENTATION);
  }
  return out;
}

/**
 * Envoy Gateway's policies. The body limit is a request buffer, which Envoy Gateway
 * warns hangs streaming calls: a GRPCRoute or a streaming HTTPRoute gets a
 * BackendTrafficPolicy of its own, the Gateway's without the buffer (a route's policy
 * replaces the Gateway's; rate limits count per route either way).
 */
function renderEnvoyPolicies(scope: Construct, target: _PolicyTarget, s: _PolicySettings, unbuffered?: _UnbufferedRoute['kind']): void {
  const targetRefs = [{ group: 'gateway.networking.k8s.io', kind: unbuffered ?? 'Gateway', name: target.name }];
  const metadata: ApiObjectMetadata = { name: target.name, namespace: target.namespace, labels: target.labels };
  if (unbuffered) {
    if (s.maxRequestBodySize !== undefined) {
      new eg.BackendTrafficPolicy(scope, 'BackendTrafficPolicy', { metadata, spec: envoyBackendSpec(scope, targetRefs, { ...s, maxRequestBodySize: undefined }) });
    }
    return;
  }
  if (s.proxies) {
    renderEnvoyProxy(scope, metadata, s.proxies, target.proxyLabels ?? {});
  }
  new eg.BackendTrafficPolicy(scope, 'BackendTrafficPolicy', { metadata, spec: envoyBackendSpec(scope, targetRefs, s) });
  if (s.allowedSourceRanges.length > 0) {
    new eg.SecurityPolicy(scope, 'SecurityPolicy', {
      metadata,
      spec: {
        targetRefs,
        authorization: {
          defaultAction: eg.SecurityPolicySpecAuthorizationDefaultAction.DENY,
          rules: [{ name: 'allowed-source-ranges', action: eg.SecurityPolicySpecAuthorizationRulesAction.ALLOW, principal: { clientCidRs: [...s.allowedSourceRanges] } }],
        },
      },
    });
  }
  const ct = s.clientTimeouts;
  const http = {
    ...(ct?.requestReceived ? { requestReceivedTimeout: envoyDuration(scope, 'clientTimeouts.requestReceived', ct.requestReceived) } : {}),
    ...(ct?.idle ? { idleTimeout: envoyDuration(scope, 'clientTimeouts.idle', ct.idle) } : {}),
  };
  if (s.tls || Object.keys(http).length > 0) {
    new eg.ClientTrafficPolicy(scope, 'ClientTrafficPolicy', {
      metadata,
      spec: {
        targetRefs,
        ...(s.tls ? { tls: { minVersion: eg.ClientTrafficPolicySpecTlsMinVersion.VALUE_1_2 } } : {}),
        ...(Object.keys(http).length > 0 ? { timeout: { http } } : {}),
      },
    });
  }
}

/** The BackendTrafficPolicy spec of the settings, for `targetRefs`; throws for what Envoy Gateway cannot express. */
function envoyBackendSpec(scope: IConstruct, targetRefs: eg.BackendTrafficPolicySpecTargetRefs[], s: _PolicySettings): eg.BackendTrafficPolicySpec {
  const rate = s.rateLimit;
  if (rate && rate._burstGiven && rate.burstMultiplier !== 1) {
    throw _invalid(scope, 'rateLimit.burstMultiplier', rate.burstMultiplier,
      'cannot be expressed by Envoy Gateway: its local rate limit is a token bucket that holds one interval\'s requests, with no burst beyond them',
      'remove burstMultiplier (or set it to 1), and raise the rate if clients need bursts', ErrorCode.UNSUPPORTED_BY_IMPLEMENTATION);
  }
  const body = s.maxRequestBodySize && _size(scope, 'maxRequestBodySize', s.maxRequestBodySize);
  if (body !== undefined && !(Number.isInteger(body) && body > 0)) {
    throw _invalid(scope, 'maxRequestBodySize', _formatBytes(body), 'must be a whole number of bytes greater than zero',
      'set the largest body your APIs accept, for example Size.mebibytes(8)', ErrorCode.OUT_OF_RANGE);
  }
  const cb = s.circuitBreaker;
  if (cb) {
    for (const key of ['maxConnections', 'maxPendingRequests', 'maxParallelRequests'] as const) {
      _assertInteger(scope, `circuitBreaker.${key}`, cb[key], 1, 4294967295, 'use a whole number of at least 1');
    }
  }
  const retries = s.retries;
  if (retries) {
    _assertInteger(scope, 'retries.attempts', retries.attempts, 1, 10, 'retry 1 to 10 times (2 is usual), or leave retries unset');
  }
  const connect = s.connectTimeout && envoyDuration(scope, 'connectTimeout', s.connectTimeout);
  const perTry = retries?.perTryTimeout && envoyDuration(scope, 'retries.perTryTimeout', retries.perTryTimeout);
  const unit = rate?.interval.toSeconds() === 60 ? eg.BackendTrafficPolicySpecRateLimitLocalRulesLimitUnit.MINUTE : eg.BackendTrafficPolicySpecRateLimitLocalRulesLimitUnit.SECOND;
  const perClient = (cidr: string) => ({
    clientSelectors: [{ sourceCidr: { type: eg.BackendTrafficPolicySpecRateLimitLocalRulesClientSelectorsSourceCidrType.DISTINCT, value: cidr } }],
    limit: { requests: rate!.requests, unit },
  });
  return {
    targetRefs,
    ...(rate ? { rateLimit: { local: { rules: [perClient('0.0.0.0/0'), perClient('::/0')] } } } : {}),
    ...(body !== undefined ? { requestBuffer: { limit: eg.BackendTrafficPolicySpecRequestBufferLimit.fromString(_formatBytes(body)) } } : {}),
    ...(connect ? { timeout: { tcp: { connectTimeout: connect } } } : {}),
    ...(retries ? {
      retry: {
        numRetries: retries.attempts,
        ...(perTry ? { perRetry: { timeout: perTry } } : {}),
        retryOn: {
          triggers: retries.triggers as eg.BackendTrafficPolicySpecRetryRetryOnTriggers[],
          ...(retries.statusCodes.length > 0 ? { httpStatusCodes: [...retries.statusCodes] } : {}),
        },
      },
    } : {}),
    ...(cb ? { circuitBreaker: { maxConnections: cb.maxConnections, maxPendingRequests: cb.maxPendingRequests, maxParallelRequests: cb.maxParallelRequests } } : {}),
  };
}

/**
 * The gateway's own EnvoyProxy (its Gateway names it in `infrastructure.parametersRef`;
 * Envoy Gateway merges it over the GatewayClass's): the proxies' replicas (or an
 * autoscaler from that count up to the maximum), spread over zones (preferred) and
 * nodes (required) per revision, a disruption budget that keeps all but one
 * available, and the platform's priority class for the front door.
 */
/** The proxies' autoscaler's CPU target, in percent of their requests (as the library's own workloads). */
const PROXY_CPU_TARGET = 70;

function renderEnvoyProxy(scope: Construct, metadata: ApiObjectMetadata, proxies: _ProxySettings, proxyLabels: { [key: string]: string }): void {
  const replicas = proxies.replicas ?? 1; // always set with Envoy Gateway (the library's default is 2); 1 is Envoy Gateway's own default
  const spread = (topologyKey: string, whenUnsatisfiable: string) => ({
    maxSkew: 1, topologyKey, whenUnsatisfiable, labelSelector: { matchLabels: { ...proxyLabels } }, matchLabelKeys: ['pod-template-hash'], nodeTaintsPolicy: 'Honor',
  });
  new eg.EnvoyProxy(scope, 'EnvoyProxy', {
    metadata,
    spec: {
      provider: {
        type: eg.EnvoyProxySpecProviderType.KUBERNETES,
        kubernetes: {
          envoyDeployment: {
            // with an autoscaler, Envoy Gateway ignores the Deployment's replicas
            ...(proxies.maxReplicas === undefined ? { replicas } : {}),
            pod: {
              priorityClassName: proxies.priorityClassName,
              topologySpreadConstraints: [spread('topology.kubernetes.io/zone', 'ScheduleAnyway'), spread('kubernetes.io/hostname', 'DoNotSchedule')],
            },
          },
          envoyPdb: { maxUnavailable: eg.EnvoyProxySpecProviderKubernetesEnvoyPdbMaxUnavailable.fromNumber(1) },
          ...(proxies.maxReplicas !== undefined ? {
            envoyHpa: {
              minReplicas: replicas,
              maxReplicas: proxies.maxReplicas,
              metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: PROXY_CPU_TARGET } } }],
            },
          } : {}),
        },
      },
    },
  });
}

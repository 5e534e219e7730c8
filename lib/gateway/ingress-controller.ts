import { k8s } from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { _assertDns1123Label, _assertLabelValue, _compare, _invalid } from '../internal/errors';
import type { _Cors } from './gateway-settings';
import { _checkPodSelector } from './pod-selector';
import { LABEL } from '../internal/labels';
import { ErrorCode } from '../internal/configuration-error';

/**
 * The cross-cutting settings of a gateway, resolved to plain numbers and lists,
 * that a controller turns into its own configuration.
 * @internal
 */
export interface _GatewaySettings {
  /** Requests per `rateIntervalSeconds` per client; undefined for no limit. */
  readonly rateLimitRequests?: number;
  /** 1 (per second) or 60 (per minute). */
  readonly rateIntervalSeconds?: number;
  /** How many times the rate a client may burst to. */
  readonly rateBurstMultiplier?: number;
  readonly maxRequestBodyBytes: number;
  readonly connectTimeoutSeconds: number;
  readonly readTimeoutSeconds: number;
  readonly sendTimeoutSeconds: number;
  readonly cors?: _Cors;
  /** CIDRs allowed to call; empty for every client. */
  readonly allowedSourceRanges: string[];
}

/**
 * Options for the ingress-nginx controller.
 */
export interface NginxIngressControllerOptions {
  /**
   * The namespace the controller's pods run in. Routed services accept traffic
   * from pods in this namespace only.
   *
   * @default 'ingress-nginx'
   */
  readonly namespace?: string;

  /**
   * Labels selecting the controller's pods in `namespace`. Routed services accept
   * traffic from these pods only.
   *
   * @default { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } (the labels of the official Helm chart and manifests)
   */
  readonly podLabels?: { [key: string]: string };

  /**
   * The IngressClass the controller watches, rendered as every Ingress's
   * `spec.ingressClassName`.
   *
   * @default 'nginx'
   */
  readonly className?: string;
}

type Renderer = (scope: IConstruct, settings: _GatewaySettings) => { [key: string]: string };

const NGINX = 'nginx.ingress.kubernetes.io';

/**
 * The ingress controller that serves a gateway's routes: which IngressClass it
 * watches, where its pods run (routed services let exactly those pods in), and how
 * the gateway's typed options become its configuration. Everything specific to
 * one controller lives here, so another controller can be added as another static
 * factory without changing the gateway or its call sites.
 *
 * The controller itself is installed separately (for example with its Helm chart);
 * run at least two replicas spread over zones so that the gateway is not a single
 * point of failure. A controller on the host network is not matched by the
 * namespace and pod selectors of the routed services' NetworkPolicies.
 *
 * @example
 * IngressController.nginx()
 * IngressController.nginx({ namespace: 'ingress-public', className: 'nginx-public' })
 */
export class IngressController {
  /**
   * The ingress-nginx controller (kubernetes/ingress-nginx). Options render as
   * `nginx.ingress.kubernetes.io/*` annotations.
   *
   * @see https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/
   */
  public static nginx(options: NginxIngressControllerOptions = {}): IngressController {
    return new IngressController(
      'ingress-nginx',
      options.namespace ?? 'ingress-nginx',
      options.podLabels ?? { [LABEL.NAME]: 'ingress-nginx', [LABEL.COMPONENT]: 'controller' },
      options.className ?? 'nginx',
      nginxAnnotations,
    );
  }

  /** The controller's name, for messages. */
  public readonly name: string;
  /** The namespace the controller's pods run in. */
  public readonly namespace: string;
  /** The IngressClass the controller watches. */
  public readonly className: string;
  private readonly _podLabels: { [key: string]: string };

  private constructor(name: string, namespace: string, podLabels: { [key: string]: string }, className: string, private readonly render: Renderer) {
    this.name = name;
    this.namespace = namespace;
    this._podLabels = { ...podLabels };
    this.className = className;
  }

  /** Labels selecting the controller's pods (a copy). */
  public get podLabels(): { [key: string]: string } {
    return { ...this._podLabels };
  }

  /**
   * Throws when the controller's options are invalid, naming the gateway that uses it.
   * @internal
   */
  public _validate(scope: IConstruct): void {
    _assertDns1123Label(scope, 'controller.namespace', this.namespace);
    _assertDns1123Label(scope, 'controller.className', this.className);
    _checkPodSelector(scope, 'controller.podLabels', this._podLabels, {
      selects: 'the controller pods',
      emptyFix: `pass the labels of the ${this.name} controller pods, for example { 'app.kubernetes.io/name': 'ingress-nginx' }`,
      keysOf: 'the controller pods',
    });
  }

  /**
   * The network peer that is the controller's pods, for NetworkPolicy ingress rules.
   * @internal
   */
  public _peer(): k8s.NetworkPolicyPeer {
    return {
      namespaceSelector: { matchLabels: { [LABEL.NAMESPACE_NAME]: this.namespace } },
      podSelector: { matchLabels: this.podLabels },
    };
  }

  /**
   * The Ingress annotations that configure this controller for the gateway's
   * settings, sorted by key. Throws when the controller cannot do what is asked.
   * @internal
   */
  public _annotations(scope: IConstruct, settings: _GatewaySettings): { [key: string]: string } {
    const annotations = this.render(scope, settings);
    return Object.fromEntries(Object.entries(annotations).sort(([a], [b]) => _compare(a, b)));
  }
}

/** ingress-nginx reads sizes in nginx units: k and m are binary. */
function nginxSize(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) {
    return `${bytes / (1024 * 1024)}m`;
  }
  if (bytes % 1024 === 0) {
    return `${bytes / 1024}k`;
  }
  return `${bytes}`;
}

function nginxAnnotations(scope: IConstruct, s: _GatewaySettings): { [key: string]: string } {
  if (s.connectTimeoutSeconds > 75) {
    throw _invalid(scope, 'connectTimeout', `${s.connectTimeoutSeconds}s`, 'must be at most 75 seconds: nginx cannot wait longer for a connection',
      'use a connect timeout of 75 seconds or less (the default is 5); long requests need readTimeout, not connectTimeout', ErrorCode.OUT_OF_RANGE);
  }
  const a: { [key: string]: string } = {
    [`${NGINX}/force-ssl-redirect`]: 'true',
    [`${NGINX}/proxy-body-size`]: nginxSize(s.maxRequestBodyBytes),
    [`${NGINX}/proxy-connect-timeout`]: `${s.connectTimeoutSeconds}`,
    [`${NGINX}/proxy-read-timeout`]: `${s.readTimeoutSeconds}`,
    [`${NGINX}/proxy-send-timeout`]: `${s.sendTimeoutSeconds}`,
  };
  if (s.rateLimitRequests !== undefined) {
    a[`${NGINX}/${s.rateIntervalSeconds === 60 ? 'limit-rpm' : 'limit-rps'}`] = `${s.rateLimitRequests}`;
    a[`${NGINX}/limit-burst-multiplier`] = `${s.rateBurstMultiplier}`;
  }
  if (s.cors) {
    a[`${NGINX}/enable-cors`] = 'true';
    a[`${NGINX}/cors-allow-origin`] = s.cors.allowOrigins.join(', ');
    a[`${NGINX}/cors-allow-methods`] = s.cors.allowMethods.join(', ');
    a[`${NGINX}/cors-allow-headers`] = s.cors.allowHeaders.join(', ');
    a[`${NGINX}/cors-allow-credentials`] = `${s.cors.allowCredentials}`;
    a[`${NGINX}/cors-max-age`] = `${s.cors.maxAgeSeconds}`;
    if (s.cors.exposeHeaders.length > 0) {
      a[`${NGINX}/cors-expose-headers`] = s.cors.exposeHeaders.join(', ');
    }
  }
  if (s.allowedSourceRanges.length > 0) {
    a[`${NGINX}/whitelist-source-range`] = s.allowedSourceRanges.join(',');
  }
  return a;
}

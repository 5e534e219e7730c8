import { Duration, Lazy, Size } from 'cdk8s';
import { _Chart, _addValidation } from '../internal/chart';
import { _checkPlatformChart } from '../internal/construct';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { _assertDns1123Label, _instanceOf, _invalid, _message, _oneOf } from '../internal/errors';
import { _checkRateLimit, _checkTls, _resolveCors, _resolveSourceRanges } from './gateway-settings';
import { LABEL, MANAGED_BY } from '../internal/labels';
import { _wholeSeconds } from '../internal/duration';
import { _bytes, _formatBytes, _size } from '../internal/quantity';
import { _checkHost, _checkHosts, _checkOperationsPort, _checkRoutePath, _claimRoute, _covers, _routeKey, _routedPort, _routedPortsPolicy, _unique } from './routing';
import { GatewayRoute, RouteOptions, _checkRoutedService } from './gateway-routes';
import { GatewayTls } from './gateway-tls';
import { IngressController, _GatewaySettings } from './ingress-controller';
import { Microservice } from '../workloads/microservice';
import { Workload } from '../workloads/workload';
import { BoundedContext } from '../platform/bounded-context';
import { Platform } from '../platform/platform';
import { Port, PortProtocol } from '../pod/port';
import { PathType } from './route-match';
import { CorsOptions, RateLimit } from './traffic-policy';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';

/**
 * Properties of an Ingress gateway.
 */
export interface IngressGatewayProps {
  /** The platform whose services the gateway routes to. */
  readonly platform: Platform;

  /**
   * The host names the gateway serves (`api.example.com`, or `*.example.com` for
   * every direct subdomain). Every route's host must be one of them, and the TLS
   * certificate must cover them all.
   */
  readonly hosts: string[];

  /** Where the TLS certificate comes from. */
  readonly tls: GatewayTls;

  /**
   * The ingress controller that serves the routes.
   *
   * @default IngressController.nginx()
   */
  readonly controller?: IngressController;

  /**
   * How many requests one client (source address) may send. Behind a load
   * balancer, make sure the controller sees client addresses (for example
   * `externalTrafficPolicy: Local` or the PROXY protocol), or all clients share one limit.
   *
   * @default - no limit
   */
  readonly rateLimit?: RateLimit;

  /**
   * The largest request body accepted; larger requests get 413.
   *
   * @default Size.mebibytes(1)
   */
  readonly maxRequestBodySize?: Size;

  /**
   * How long the gateway waits to connect to a service pod.
   *
   * @default Duration.seconds(5)
   */
  readonly connectTimeout?: Duration;

  /**
   * How long the gateway waits between two reads of a service's response.
   *
   * @default Duration.seconds(60)
   */
  readonly readTimeout?: Duration;

  /**
   * How long the gateway waits between two writes of a request to a service.
   *
   * @default Duration.seconds(60)
   */
  readonly sendTimeout?: Duration;

  /**
   * Cross-origin resource sharing for browser clients.
   *
   * @default - CORS off: browsers only allow calls from pages of the API's own origin
   */
  readonly cors?: CorsOptions;

  /**
   * The client address ranges (CIDRs, IPv4 or IPv6) allowed to call; others get 403.
   *
   * @default - every client address
   */
  readonly allowedSourceRanges?: string[];
}

/** The objects rendered for one routed service. */
interface Backend {
  readonly service: Microservice;
  readonly routes: GatewayRoute[];
}


/**
 * The platform's entry as Kubernetes Ingress objects, for clusters that run an
 * Ingress controller rather than a Gateway API implementation (`ApiGateway` is the
 * default and the recommended front door: ingress-nginx, the controller this class
 * was written for, was retired in March 2026 and gets no security fixes). It is
 * rendered as its own chart after the bounded contexts.
 *
 * Each route sends a host and path to a microservice's HTTP port. Per routed
 * service it renders, in the service's namespace (an Ingress can only point to
 * Services in its own namespace):
 *
 * - an Ingress `<gateway>-<service>` for the controller's IngressClass, with a TLS
 *   entry for every host it routes, HTTP redirected to HTTPS, and the gateway's
 *   rate limit, body size, timeouts, CORS and source ranges;
 * - a NetworkPolicy `<service>-from-<gateway>` that lets the ingress controller's
 *   pods reach exactly the routed ports, on top of the context's default deny.
 *
 * A service without a route has no path in from outside the cluster.
 *
 * @example
 * const gateway = new IngressGateway(app, 'gateway', {
 *   platform,
 *   hosts: ['api.example.com'],
 *   tls: GatewayTls.certManager('letsencrypt-prod'),
 *   rateLimit: RateLimit.perSecond(50),
 * });
 * gateway.addRoute({ host: 'api.example.com', path: '/catalog', service: products });
 */
export class IngressGateway extends _Chart {
  /** The platform the gateway belongs to. */
  public readonly platform: Platform;
  /** The gateway's name (the construct id). */
  public readonly gatewayName: string;
  /** The ingress controller that serves the routes. */
  public readonly controller: IngressController;
  /** Where the TLS certificate comes from. */
  public readonly tls: GatewayTls;
  /** The Secret that holds the TLS certificate in each routed namespace. */
  public readonly tlsSecretName: string;
  /** The per-client rate limit, if any. */
  public readonly rateLimit?: RateLimit;
  /** The largest request body accepted. */
  public readonly maxRequestBodySize: Size;
  /** How long the gateway waits to connect to a service pod. */
  public readonly connectTimeout: Duration;
  /** How long the gateway waits between two reads of a response. */
  public readonly readTimeout: Duration;
  /** How long the gateway waits between two writes of a request. */
  public readonly sendTimeout: Duration;
  private readonly _hosts: string[];
  private readonly _routes: GatewayRoute[] = [];
  private readonly _backends = new Map<Microservice, Backend>();
  private readonly _annotations: { [key: string]: string };

  constructor(scope: Construct, id: string, props: IngressGatewayProps) {
    super(scope, _checkPlatformChart('IngressGateway', scope, id, props, "new IngressGateway(app, 'public', { platform, hosts: ['api.example.com'], tls })"),
      { labels: { [LABEL.PART_OF]: props.platform.platformName, [LABEL.MANAGED_BY]: MANAGED_BY } });
    _assertDns1123Label(this, 'id', id);
    this.platform = props.platform;
    this.gatewayName = id;
    this.controller = _instanceOf(this, 'controller', props.controller ?? IngressController.nginx(), IngressController, 'use IngressController.nginx()');
    this.tls = _instanceOf(this, 'tls', props.tls, GatewayTls, 'use GatewayTls.certManager(issuer) or GatewayTls.fromSecret(name)');
    this.tlsSecretName = props.tls.secretName ?? `${id}-tls`;
    this.rateLimit = props.rateLimit;
    this.maxRequestBodySize = props.maxRequestBodySize ?? Size.mebibytes(1);
    this.connectTimeout = props.connectTimeout ?? Duration.seconds(5);
    this.readTimeout = props.readTimeout ?? Duration.seconds(60);
    this.sendTimeout = props.sendTimeout ?? Duration.seconds(60);
    this._hosts = [...props.hosts];
    this.addDependency(props.platform);

    this.controller._validate(this);
    _checkHosts(this, this._hosts);
    _checkTls(this, this.tls, this.tlsSecretName);
    const settings = this.resolveSettings(props);
    this._annotations = { ...this.controller._annotations(this, settings), ...this.tls._annotations() };
    _addValidation(this, () => this.validateRoutes());
  }

  /** The host names the gateway serves (a copy). */
  public get hosts(): string[] {
    return [...this._hosts];
  }

  /** The routes, in the order they were added (a copy). */
  public get routes(): GatewayRoute[] {
    return [...this._routes];
  }

  /** The IngressClass of every Ingress (the controller's). */
  public get ingressClassName(): string {
    return this.controller.className;
  }

  /**
   * Routes requests for a host and path to a microservice's HTTP port, and lets
   * the ingress controller reach that port.
   */
  public addRoute(options: RouteOptions): GatewayRoute {
    const host = options.host;
    const path = options.path ?? '/';
    const pathType = _oneOf(this, 'addRoute(pathType)', options.pathType ?? PathType.PREFIX, PathType);
    const service = options.service;
    if (host === undefined) {
      throw _invalid(this, 'addRoute(host)', host, 'must be set: an IngressGateway serves its hosts only', `pass one of them, for example host: '${this._hosts[0]}'`, ErrorCode.MISSING_REQUIRED);
    }
    _checkHost(this, 'addRoute(host)', host);
    if (!this._hosts.some(h => _covers(h, host))) {
      throw _invalid(this, 'addRoute(host)', host, `must be covered by the gateway's hosts (${this._hosts.map(h => `'${h}'`).join(', ')}), which the TLS certificate covers`,
        `add '${host}' to the gateway's hosts (and to its certificate), or route one of the hosts`, ErrorCode.UNKNOWN_REFERENCE);
    }
    _checkRoutePath(this, 'addRoute(path)', path);
    const port = this.checkService(service, options.port);
    _checkOperationsPort(this, 'addRoute(port)', service, port, options.operationsPortReason);
    _claimRoute(this, 'addRoute(path)', `${pathType === PathType.EXACT ? 'exactly ' : ''}${host}${path}`, _routeKey(host, path, pathType), `${service.node.path} (port '${port.name}')`);
    const route: GatewayRoute = { host, path, pathType, service, port, url: `https://${host}${path}` };
    this._routes.push(route);
    // after every context known so far, in creation order: the Namespaces exist
    // when the Ingresses are applied, and dist/ keeps the contexts' file order
    for (const context of BoundedContext.all(this.platform)) {
      this.addDependency(context);
    }
    const backend = this._backends.get(service) ?? this.renderBackend(service);
    backend.routes.push(route);
    return route;
  }

  private checkService(service: Microservice, portName: string | undefined): Port {
    _checkRoutedService(this, service, this.platform);
    return _routedPort(this, 'addRoute(port)', service, portName, PortProtocol.HTTP, 'the gateway routes HTTP only');
  }

  private resolveSettings(props: IngressGatewayProps): _GatewaySettings {
    const rate = this.rateLimit;
    if (rate) {
      _checkRateLimit(this, rate);
    }
    const body = _size(this, 'maxRequestBodySize', this.maxRequestBodySize);
    if (!(body > 0)) {
      throw _invalid(this, 'maxRequestBodySize', _formatBytes(body), 'must be greater than zero (zero turns the limit off in ingress-nginx)',
        'set the largest body your APIs accept, for example Size.mebibytes(8)', ErrorCode.OUT_OF_RANGE);
    }
    const seconds = (prop: string, d: Duration, min: number): number => _wholeSeconds(this, prop, d, min, 'ingress-nginx counts this annotation in seconds');
    const cors = props.cors ? _resolveCors(this, props.cors) : undefined;
    return {
      rateLimitRequests: rate?.requests,
      rateIntervalSeconds: rate?.interval.toSeconds(),
      rateBurstMultiplier: rate?.burstMultiplier,
      maxRequestBodyBytes: body,
      connectTimeoutSeconds: seconds('connectTimeout', this.connectTimeout, 1),
      readTimeoutSeconds: seconds('readTimeout', this.readTimeout, 1),
      sendTimeoutSeconds: seconds('sendTimeout', this.sendTimeout, 1),
      cors,
      allowedSourceRanges: _resolveSourceRanges(this, props.allowedSourceRanges),
    };
  }

  private objectLabels(service: Microservice): { [key: string]: string } {
    return {
      [LABEL.NAME]: this.gatewayName,
      [LABEL.INSTANCE]: `${this.gatewayName}-${service.namespace}-${service.name}`.slice(0, 63).replace(/-+$/, ''),
      [LABEL.COMPONENT]: 'gateway',
      [LABEL.CONTEXT]: service.namespace,
    };
  }

  private renderBackend(service: Microservice): Backend {
    const backend: Backend = { service, routes: [] };
    this._backends.set(service, backend);
    const ns = (this.node.tryFindChild(service.namespace) as Construct | undefined) ?? new Construct(this, service.namespace);
    const scope = new Construct(ns, service.name);
    const metadata = { namespace: service.namespace, labels: this.objectLabels(service) };
    new k8s.KubeIngress(scope, 'Resource', {
      metadata: { ...metadata, name: this.ingressName(service), annotations: { ...this._annotations } },
      spec: {
        ingressClassName: this.controller.className,
        tls: Lazy.any({ produce: () => [{ hosts: _unique(backend.routes.map(r => r.host)), secretName: this.tlsSecretName }] }),
        rules: Lazy.any({
          produce: () => _unique(backend.routes.map(r => r.host)).map(host => ({
            host,
            http: {
              paths: backend.routes.filter(r => r.host === host).map(r => ({
                path: r.path,
                pathType: r.pathType.value,
                backend: { service: { name: service.name, port: { number: r.port.servicePort } } },
              })),
            },
          })),
        }),
      },
    });
    _routedPortsPolicy(scope, { ...metadata, name: this.policyName(service) }, service.everyTrackSelectorLabels,
      () => this.controller._peer(), () => backend.routes.map(r => r.port), service.context.platform.mesh);
    return backend;
  }

  private ingressName(service: Microservice): string {
    return `${this.gatewayName}-${service.name}`;
  }

  private policyName(service: Microservice): string {
    return `${service.name}-from-${this.gatewayName}`;
  }

  private validateRoutes(): ConfigurationError[] {
    if (this._routes.length === 0) {
      return [_invalid(this, 'routes', [], 'must hold at least one route; a gateway without routes renders nothing',
        'add routes with gateway.addRoute({ host, path, service }), or remove the gateway', ErrorCode.MISSING_REQUIRED)];
    }
    const errors: ConfigurationError[] = [];
    for (const service of this._backends.keys()) {
      const clash = Workload.all(service.context).find(s => s.name === this.policyName(service));
      if (clash) {
        errors.push(_invalid(this, 'addRoute(service)', service.node.path,
          `must not need the NetworkPolicy name '${this.policyName(service)}', which ${clash.node.path} already uses`,
          'rename the gateway or one of the two services', ErrorCode.CONFLICT));
      }
    }
    return errors;
  }
}


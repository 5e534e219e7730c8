import { Duration, Lazy, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { _Chart, _addValidation } from '../internal/chart';
import { _checkPlatformChart } from '../internal/construct';
import { _assertDns1123Label, _assertInteger, _compare, _instanceOf, _invalid, _oneOf } from '../internal/errors';
import { _Cors, _checkRateLimit, _checkTls, _resolveCors, _resolveSourceRanges } from './gateway-settings';
import { LABEL, MANAGED_BY } from '../internal/labels';
import { _checkHost, _checkHosts, _checkRoutePath, _claimRoute, _covers, _hostSlug, _pathKey, _routedPort } from './routing';
import { GatewayImplementation, _PolicySettings } from './gateway-implementation';
import { _renderGatewayNamespace } from './gateway-namespace';
import {
  GatewayRoute, GrpcRouteOptions, HttpRouteOptions, StreamRoute, TcpRouteOptions, TlsPassthroughRouteOptions,
  _checkRoutedService, _gatewayDuration, _RouteContext, _ServiceRoutes, _UnbufferedRoute,
} from './gateway-routes';
import { GatewayTls } from './gateway-tls';
import * as gw from '../imports/gateway.networking.k8s.io';
import { Microservice } from '../workloads/microservice';
import { Workload } from '../workloads/workload';
import { BoundedContext } from '../platform/bounded-context';
import { Platform } from '../platform/platform';
import { PortProtocol } from '../pod/port';
import { PriorityTier } from '../platform/priority-tier';
import { HeaderChanges, HeaderMatch, PathType, _checkHeaderName } from './route-match';
import { CircuitBreaker, ClientTimeouts, CorsOptions, RateLimit, Retries } from './traffic-policy';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';
import { _duration } from '../internal/duration';

/**
 * Properties of an API gateway.
 */
export interface ApiGatewayProps {
  /** The platform whose services the gateway routes to. */
  readonly platform: Platform;

  /**
   * The host names the gateway serves over HTTPS (`api.example.com`, or
   * `*.example.com` for every direct subdomain), one listener each. Every HTTP or
   * gRPC route's host must be one of them or covered by one, and the certificate
   * must cover them all.
   */
  readonly hosts: string[];

  /**
   * Where the TLS certificate comes from: one certificate for all hosts, in one
   * Secret in the Gateway's namespace.
   *
   * @default - none, which is refused unless allowPlainHttp is true
   */
  readonly tls?: GatewayTls;

  /**
   * Serves the hosts over plain HTTP, without TLS: for local development clusters
   * only. Refused together with `tls`.
   *
   * @default false
   */
  readonly allowPlainHttp?: boolean;

  /**
   * The Gateway API implementation that serves the Gateway.
   *
   * @default GatewayImplementation.envoyGateway()
   */
  readonly implementation?: GatewayImplementation;

  /**
   * Puts the Gateway (and its policies and certificate) in the implementation's
   * namespace instead of a namespace of its own.
   *
   * @default false: the chart renders a namespace named after the gateway, with Pod Security restricted, a quota, a limit range and default-deny
   */
  readonly useImplementationNamespace?: boolean;

  /**
   * How long the gateway waits for a whole response, per route unless the route
   * sets its own (HTTPRoute `timeouts.request`, standard Gateway API).
   *
   * @default Duration.seconds(60)
   */
  readonly requestTimeout?: Duration;

  /**
   * How many requests one client (source address) may send. Behind a load
   * balancer, make sure the proxies see client addresses (for example
   * `externalTrafficPolicy: Local`), or all clients share one limit.
   *
   * @default - no limit
   */
  readonly rateLimit?: RateLimit;

  /**
   * The largest request body accepted; larger requests get 413.
   *
   * @default - Size.mebibytes(1) with Envoy Gateway; with a generic implementation its own default (only an explicit value is refused)
   */
  readonly maxRequestBodySize?: Size;

  /**
   * How long the gateway waits to connect to a service pod.
   *
   * @default - Duration.seconds(5) with Envoy Gateway; with a generic implementation its own default (only an explicit value is refused)
   */
  readonly connectTimeout?: Duration;

  /**
   * Which failed requests are sent again.
   *
   * @default - no retries
   */
  readonly retries?: Retries;

  /**
   * Limits on what the gateway sends to one service at once.
   *
   * @default - the implementation's own limits
   */
  readonly circuitBreaker?: CircuitBreaker;

  /**
   * How long the gateway waits for clients.
   *
   * @default - the implementation's own timeouts
   */
  readonly clientTimeouts?: ClientTimeouts;

  /**
   * Cross-origin resource sharing for browser clients (HTTPRoute `CORS` filter on every HTTP route).
   *
   * @default - CORS off: browsers only allow calls from pages of the API's own origin
   */
  readonly cors?: CorsOptions;

  /**
   * The client address ranges (CIDRs, IPv4 or IPv6) allowed to call; others get 403.
   * With Envoy Gateway this is a `SecurityPolicy` on the Gateway that allows these
   * ranges and denies the rest. The address checked is the one the proxy sees: keep
   * the client's address through the load balancer (Envoy Gateway's proxy Service
   * does, with `externalTrafficPolicy: Local`), or configure client IP detection in
   * Envoy Gateway. A generic implementation refuses it (the standard has no such field).
   *
   * @default - every client address
   */
  readonly allowedSourceRanges?: string[];

  /**
   * How many proxies (data-plane pods) serve the gateway. With Envoy Gateway the
   * Gateway gets an `EnvoyProxy` of its own (`spec.infrastructure.parametersRef`,
   * merged over the GatewayClass's): this many replicas, spread over zones and
   * nodes, a disruption budget that keeps all but one available, and the platform's
   * critical priority class. A generic implementation refuses it: its data plane is
   * sized where it is installed.
   *
   * @default - 2 with Envoy Gateway; with a generic implementation its own (only an explicit value is refused)
   */
  readonly proxyReplicas?: number;

  /**
   * Scales the proxies with their CPU use (70% of their requests), from
   * `proxyReplicas` up to this many (Envoy Gateway: the EnvoyProxy's `envoyHpa`).
   * At least `proxyReplicas`. A generic implementation refuses it.
   *
   * @default - no autoscaler: `proxyReplicas` proxies
   */
  readonly proxyMaxReplicas?: number;
}

/** A listener of the Gateway, and the namespaces whose routes it admits. */
interface Listener {
  readonly name: string;
  readonly protocol: string;
  readonly port: number;
  readonly hostname?: string;
  readonly kinds: string[];
  readonly passthrough?: boolean;
  /** The namespaces of the routes on it; undefined: only the Gateway's own namespace. */
  readonly namespaces?: Set<string>;
}

const GRPC_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * The platform's API gateway on Kubernetes Gateway API: the single entry for
 * clients outside the cluster, rendered as its own chart after the bounded contexts.
 *
 * The platform owns the `Gateway` (in a namespace of its own, or the
 * implementation's): one HTTPS listener per host, terminating TLS with one
 * certificate, and an HTTP listener that only redirects to HTTPS. Each listener
 * admits routes only from the namespaces of the bounded contexts the code routes on
 * its host. Per routed service, in its context's namespace, the gateway renders an
 * `HTTPRoute` (or `GRPCRoute`, `TLSRoute`, `TCPRoute`) per listener, and a
 * NetworkPolicy `<service>-from-<gateway>` that lets only this gateway's proxies
 * reach the routed ports. A service without a route cannot be reached from outside.
 *
 * @example
 * const gateway = new ApiGateway(app, 'gateway', {
 *   platform,
 *   hosts: ['api.example.com'],
 *   tls: GatewayTls.certManager('letsencrypt-prod'),
 *   rateLimit: RateLimit.perSecond(50),
 * });
 * gateway.addRoute({ host: 'api.example.com', path: '/catalog', service: products });
 */
export class ApiGateway extends _Chart implements _RouteContext {
  /** The platform the gateway belongs to. */
  public readonly platform: Platform;
  /** The gateway's name (the construct id), the name of the Gateway object. */
  public readonly gatewayName: string;
  /** The namespace of the Gateway object. */
  public readonly gatewayNamespace: string;
  /** The Gateway API implementation. */
  public readonly implementation: GatewayImplementation;
  /** Where the TLS certificate comes from (undefined for a plain-HTTP gateway). */
  public readonly tls?: GatewayTls;
  /** The Secret that holds the certificate, in the Gateway's namespace (undefined for a plain-HTTP gateway). */
  public readonly tlsSecretName?: string;
  /** Whether the gateway serves plain HTTP (development only). */
  public readonly allowPlainHttp: boolean;
  /** The default request timeout of HTTP routes. */
  public readonly requestTimeout: Duration;
  /** The per-client rate limit, if any. */
  public readonly rateLimit?: RateLimit;
  /** The largest request body accepted, if the gateway sets one. */
  public readonly maxRequestBodySize?: Size;
  /** How long the gateway waits to connect to a service pod, if the gateway sets it. */
  public readonly connectTimeout?: Duration;
  /** The retries, if any. */
  public readonly retries?: Retries;
  /** The circuit breaker, if any. */
  public readonly circuitBreaker?: CircuitBreaker;
  /** The client timeouts, if any. */
  public readonly clientTimeouts?: ClientTimeouts;
  /** How many proxies serve the gateway, if the gateway sizes them. */
  public readonly proxyReplicas?: number;
  /** The most proxies the autoscaler may run, if the proxies autoscale. */
  public readonly proxyMaxReplicas?: number;
  /** @internal */
  public readonly _cors?: _Cors;
  private readonly _hosts: string[];
  private readonly _sourceRanges: string[];
  private readonly _policySettings: _PolicySettings;
  private readonly _routes: GatewayRoute[] = [];
  private readonly _streams: StreamRoute[] = [];
  private readonly _backends = new Map<Microservice, _ServiceRoutes>();
  private readonly _listeners = new Map<string, Listener>();
  private readonly _requestTimeout: string;

  constructor(scope: Construct, id: string, props: ApiGatewayProps) {
    super(scope, _checkPlatformChart('ApiGateway', scope, id, props, "new ApiGateway(app, 'gateway', { platform, hosts: ['api.example.com'], tls })"),
      { labels: { [LABEL.PART_OF]: props.platform.platformName, [LABEL.MANAGED_BY]: MANAGED_BY } });
    _assertDns1123Label(this, 'id', id);
    this.platform = props.platform;
    this.gatewayName = id;
    this.implementation = _instanceOf(this, 'implementation', props.implementation ?? GatewayImplementation.envoyGateway(), GatewayImplementation,
      'use GatewayImplementation.envoyGateway() or GatewayImplementation.generic(...)');
    this.implementation._validate(this);
    const inImplementation = props.useImplementationNamespace ?? false;
    this.gatewayNamespace = inImplementation ? this.implementation.namespace : id;
    this.allowPlainHttp = props.allowPlainHttp ?? false;
    this.tls = props.tls === undefined ? undefined : _instanceOf(this, 'tls', props.tls, GatewayTls, 'use GatewayTls.certManager(issuer) or GatewayTls.fromSecret(name)');
    this.tlsSecretName = props.tls ? props.tls.secretName ?? `${id}-tls` : undefined;
    this.requestTimeout = props.requestTimeout ?? Duration.seconds(60);
    this.rateLimit = props.rateLimit;
    this.maxRequestBodySize = props.maxRequestBodySize ?? this.implementation._defaults.maxRequestBodySize;
    this.connectTimeout = props.connectTimeout ?? this.implementation._defaults.connectTimeout;
    this.retries = props.retries;
    this.circuitBreaker = props.circuitBreaker;
    this.clientTimeouts = props.clientTimeouts;
    this.proxyReplicas = props.proxyReplicas ?? this.implementation._defaults.proxyReplicas;
    this.proxyMaxReplicas = props.proxyMaxReplicas;
    this._hosts = [...props.hosts];
    this.addDependency(props.platform);

    _checkHosts(this, this._hosts);
    if (this.tls === undefined && !this.allowPlainHttp) {
      throw _invalid(this, 'tls', undefined, 'must be set: the gateway serves HTTPS, and plain HTTP only when asked for',
        'set tls: GatewayTls.certManager(issuer) or GatewayTls.fromSecret(name), or allowPlainHttp: true on a local development cluster', ErrorCode.MISSING_REQUIRED);
    }
    if (this.tls !== undefined && this.allowPlainHttp) {
      throw _invalid(this, 'allowPlainHttp', true, 'must not be set together with tls: a gateway serves either HTTPS or, for development, plain HTTP',
        'remove allowPlainHttp, or remove tls on a development cluster', ErrorCode.CONFLICT);
    }
    if (this.tls) {
      _checkTls(this, this.tls, this.tlsSecretName!);
    }
    if (this.rateLimit) {
      _checkRateLimit(this, this.rateLimit);
    }
    if (this.proxyReplicas !== undefined) {
      _assertInteger(this, 'proxyReplicas', this.proxyReplicas, 1, 1000, 'run at least 2 proxies, spread over zones, so that the front door survives a node or zone outage');
    }
    if (this.proxyMaxReplicas !== undefined) {
      const min = this.proxyReplicas ?? 1;
      _assertInteger(this, 'proxyMaxReplicas', this.proxyMaxReplicas, min, 1000,
        `use at least proxyReplicas (${min}), the autoscaler's minimum, or leave proxyMaxReplicas unset for a fixed count`);
    }
    this._requestTimeout = this.duration('requestTimeout', this.requestTimeout);
    this._cors = props.cors ? _resolveCors(this, props.cors) : undefined;
    this._sourceRanges = _resolveSourceRanges(this, props.allowedSourceRanges);

    const labels = { [LABEL.NAME]: id, [LABEL.INSTANCE]: id, [LABEL.COMPONENT]: 'gateway' };
    if (!inImplementation) {
      _renderGatewayNamespace(this, this.gatewayNamespace, labels);
    }
    for (const host of this._hosts) {
      this.addListener({ name: `${this.tls ? 'https' : 'http'}-${_hostSlug(host)}`, protocol: this.tls ? 'HTTPS' : 'HTTP', port: this.tls ? 443 : 80, hostname: host,
        kinds: ['HTTPRoute', 'GRPCRoute'], namespaces: new Set() }, 'hosts', host);
    }
    if (this.tls) {
      this.addListener({ name: 'http', protocol: 'HTTP', port: 80, kinds: ['HTTPRoute'] }, 'hosts', 'http');
    }
    new gw.Gateway(this, 'Resource', {
      metadata: { name: id, namespace: this.gatewayNamespace, labels, annotations: this.tls?._annotations() ?? {} },
      spec: {
        gatewayClassName: this.implementation.className,
        ...(this.proxyReplicas !== undefined ? { infrastructure: this.implementation._infrastructure(id) } : {}),
        listeners: Lazy.any({ produce: () => [...this._listeners.values()].map(l => this.renderListener(l)) }),
      },
    });
    if (this.tls) {
      new gw.HttpRoute(this, 'HttpsRedirect', {
        metadata: { name: `${id}-https-redirect`, namespace: this.gatewayNamespace, labels },
        spec: {
          parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: id, sectionName: 'http' }],
          hostnames: [...this._hosts],
          rules: [{ filters: [{ type: gw.HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT, requestRedirect: { scheme: gw.HttpRouteSpecRulesFiltersRequestRedirectScheme.HTTPS, statusCode: gw.HttpRouteSpecRulesFiltersRequestRedirectStatusCode.VALUE_301 } }] }],
        },
      });
    }
    this._policySettings = {
      rateLimit: this.rateLimit, maxRequestBodySize: this.maxRequestBodySize, connectTimeout: this.connectTimeout,
      retries: this.retries, circuitBreaker: this.circuitBreaker, clientTimeouts: this.clientTimeouts, tls: this.tls !== undefined,
      allowedSourceRanges: this.allowedSourceRanges,
      ...(this.proxyReplicas !== undefined || this.proxyMaxReplicas !== undefined ? {
        proxies: {
          replicas: this.proxyReplicas, maxReplicas: this.proxyMaxReplicas, priorityClassName: this.platform.priorityClassName(PriorityTier.CRITICAL),
        },
      } : {}),
    };
    this.implementation._renderPolicies(this, { name: id, namespace: this.gatewayNamespace, labels }, this._policySettings);
    _addValidation(this, () => this.validateRoutes());
  }

  /** The host names the gateway serves (a copy). */
  public get hosts(): string[] {
    return [...this._hosts];
  }

  /** The client ranges allowed to call (a copy); empty when every client may. */
  public get allowedSourceRanges(): string[] {
    return [...this._sourceRanges];
  }

  /** The HTTP routes, in the order they were added (a copy). */
  public get routes(): GatewayRoute[] {
    return [...this._routes];
  }

  /** The gRPC, TLS passthrough and TCP routes, in the order they were added (a copy). */
  public get streamRoutes(): StreamRoute[] {
    return [...this._streams];
  }

  /** The names of the Gateway's listeners, in order. */
  public get listenerNames(): string[] {
    return [...this._listeners.keys()];
  }

  /**
   * Routes requests for a host and path to a microservice's HTTP port (an
   * `HTTPRoute` rule), and lets the gateway's proxies reach that port.
   */
  public addRoute(options: HttpRouteOptions): GatewayRoute {
    const host = options.host;
    const path = options.path ?? '/';
    const pathType = _oneOf(this, 'addRoute(pathType)', options.pathType ?? PathType.PREFIX, PathType);
    const service = options.service;
    _checkHost(this, 'addRoute(host)', host);
    const listener = this.listenerFor('addRoute(host)', host);
    _checkRoutePath(this, 'addRoute(path)', path);
    _checkRoutedService(this, service, this.platform);
    const port = _routedPort(this, 'addRoute(port)', service, options.port, PortProtocol.HTTP, 'an HTTP route needs an HTTP port (addGrpcRoute routes gRPC)');
    const headers = [...(options.headers ?? [])];
    headers.forEach(h => h._check(this, 'addRoute(headers)'));
    this.checkHeaderChanges('addRoute(requestHeaders)', options.requestHeaders);
    this.checkHeaderChanges('addRoute(responseHeaders)', options.responseHeaders);
    const rewrite = options.rewritePath;
    if (rewrite) {
      _checkRoutePath(this, 'addRoute(rewritePath)', rewrite.path);
      if (rewrite.type === 'ReplacePrefixMatch' && pathType !== PathType.PREFIX) {
        throw _invalid(this, 'addRoute(rewritePath)', rewrite.path, 'must not replace a prefix on a PathType.EXACT route: there is no prefix to replace',
          'use PathRewrite.replaceFull(path), or a PathType.PREFIX route', ErrorCode.CONFLICT);
      }
    }
    const timeout = options.timeout ? this.duration('addRoute(timeout)', options.timeout) : this._requestTimeout;
    _claimRoute(this, 'addRoute(path)', `${host}${path}${headersShown(headers)}`, `${host} ${_pathKey(path)}${headersKey(headers)}`, `${service.node.path} (port '${port.name}')`);
    const route: GatewayRoute = { host, path, pathType, service, port, url: `${this.tls ? 'https' : 'http'}://${host}${path}` };
    this._routes.push(route);
    this.backend(service).addHttp(listener.name, {
      route, streaming: options.streaming ?? false, headers, timeout, requestHeaders: options.requestHeaders, responseHeaders: options.responseHeaders, rewritePath: rewrite,
    });
    listener.namespaces!.add(service.namespace);
    return route;
  }

  /**
   * Routes gRPC calls on a host (all, one gRPC service, or one method) to a
   * microservice's gRPC port (a `GRPCRoute` rule).
   */
  public addGrpcRoute(options: GrpcRouteOptions): StreamRoute {
    const { host, service, grpcService, method } = options;
    _checkHost(this, 'addGrpcRoute(host)', host);
    const listener = this.listenerFor('addGrpcRoute(host)', host);
    _checkRoutedService(this, service, this.platform);
    const port = _routedPort(this, 'addGrpcRoute(port)', service, options.port, PortProtocol.GRPC, 'a gRPC route needs a gRPC port (addRoute routes HTTP)');
    if (grpcService !== undefined && !GRPC_NAME.test(grpcService)) {
      throw _invalid(this, 'addGrpcRoute(grpcService)', grpcService, 'must be a fully qualified protobuf service name: identifiers separated by \'.\'', 'use the package and service of the .proto file, for example \'acme.orders.v1.Orders\'', ErrorCode.INVALID_NAME);
    }
    if (method !== undefined && (grpcService === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(method))) {
      throw _invalid(this, 'addGrpcRoute(method)', method, grpcService === undefined ? 'must come with grpcService: a method name alone is ambiguous' : 'must be a protobuf method name: one identifier',
        grpcService === undefined ? 'set grpcService as well, for example \'acme.orders.v1.Orders\'' : 'use the method name of the .proto file, for example \'GetOrder\'', grpcService === undefined ? ErrorCode.CONFLICT : ErrorCode.INVALID_NAME);
    }
    const headers = [...(options.headers ?? [])];
    headers.forEach(h => h._check(this, 'addGrpcRoute(headers)'));
    const grpcPath = grpcService === undefined ? '/' : `/${grpcService}${method ? `/${method}` : ''}`;
    _claimRoute(this, 'addGrpcRoute(grpcService)', `${host}${grpcPath}${headersShown(headers)}`, `${host} ${grpcPath}${headersKey(headers)}`, `${service.node.path} (port '${port.name}')`);
    this.backend(service).addGrpc(listener.name, host, { grpcService, method, headers, port });
    listener.namespaces!.add(service.namespace);
    return this.stream({ listenerName: listener.name, service, port, url: `${this.tls ? 'https' : 'http'}://${host}${grpcPath}` });
  }

  /**
   * Forwards TLS connections for a server name, unopened, to a microservice that
   * terminates TLS itself (a listener in TLS passthrough mode and a `TLSRoute`).
   */
  public addTlsPassthroughRoute(options: TlsPassthroughRouteOptions): StreamRoute {
    const { host, service } = options;
    _checkHost(this, 'addTlsPassthroughRoute(host)', host);
    if (this._hosts.includes(host)) {
      throw _invalid(this, 'addTlsPassthroughRoute(host)', host, 'must not be one of the gateway\'s hosts, whose TLS the gateway terminates',
        'pass a server name that is not in hosts, or use addRoute to route it over HTTPS', ErrorCode.CONFLICT);
    }
    _checkRoutedService(this, service, this.platform);
    const port = _routedPort(this, 'addTlsPassthroughRoute(port)', service, options.port, PortProtocol.TCP, 'a TLS passthrough route forwards TCP');
    _claimRoute(this, 'addTlsPassthroughRoute(host)', host, `${host} tls`, `${service.node.path} (port '${port.name}')`);
    const listener = this.addListener({ name: `tls-${_hostSlug(host)}`, protocol: 'TLS', port: 443, hostname: host, kinds: ['TLSRoute'], passthrough: true,
      namespaces: new Set([service.namespace]) }, 'addTlsPassthroughRoute(host)', host);
    this.backend(service).addTls(listener.name, host, port);
    return this.stream({ listenerName: listener.name, service, port, url: `tls://${host}:443` });
  }

  /**
   * Forwards a port of the gateway to a microservice's TCP port (a TCP listener and
   * a `TCPRoute`), for clients that do not speak HTTP.
   */
  public addTcpRoute(options: TcpRouteOptions): StreamRoute {
    const { listenerPort, service } = options;
    _assertInteger(this, 'addTcpRoute(listenerPort)', listenerPort, 1, 65535, 'use a port from 1 to 65535 other than 80 and 443');
    if (listenerPort === 80 || listenerPort === 443) {
      throw _invalid(this, 'addTcpRoute(listenerPort)', listenerPort, 'must not be 80 or 443, which serve HTTP and TLS', 'use another port, such as 5432 for PostgreSQL', ErrorCode.CONFLICT);
    }
    _checkRoutedService(this, service, this.platform);
    const port = _routedPort(this, 'addTcpRoute(port)', service, options.port, PortProtocol.TCP, 'a TCP route forwards TCP');
    const listener = this.addListener({ name: `tcp-${listenerPort}`, protocol: 'TCP', port: listenerPort, kinds: ['TCPRoute'], namespaces: new Set([service.namespace]) },
      'addTcpRoute(listenerPort)', listenerPort);
    this.backend(service).addTcp(listener.name, port);
    return this.stream({ listenerName: listener.name, service, port, url: `tcp://${this.gatewayName}.${this.gatewayNamespace}:${listenerPort}` });
  }

  /** @internal */
  public _unbufferedRouteAdded(scope: Construct, route: _UnbufferedRoute): void {
    this.implementation._renderUnbufferedRoutePolicies(scope, route, this._policySettings);
  }

  /** @internal */
  public _peer() {
    return this.implementation._peer(this.gatewayName, this.gatewayNamespace);
  }

  private addListener(l: Listener, prop: string, value: unknown): Listener {
    const taken = this._listeners.get(l.name);
    if (taken) {
      throw _invalid(this, prop, value, `must need a Gateway listener of its own, but '${l.name}' is already ${taken.hostname ? `the listener of '${taken.hostname}'` : 'taken'}`,
        l.protocol === 'TCP' ? 'use another listenerPort' : 'use another host name', ErrorCode.DUPLICATE);
    }
    this._listeners.set(l.name, l);
    return l;
  }

  private listenerFor(prop: string, host: string): Listener {
    const exact = this._listeners.get(`${this.tls ? 'https' : 'http'}-${_hostSlug(host)}`);
    const own = exact?.hostname === host ? exact : [...this._listeners.values()].find(l => l.kinds.includes('HTTPRoute') && l.hostname !== undefined && _covers(l.hostname, host));
    if (own) {
      return own;
    }
    const deeper = this._hosts.find(h => h.startsWith('*.') && host.endsWith(h.slice(1)));
    if (deeper) {
      throw _invalid(this, prop, host, `must be covered by one of the gateway's hosts, but '${deeper}' covers one label only: its certificate is not valid for '${host}', although a Gateway API listener would match it`,
        `add '${host}' (or '*.${host.slice(host.indexOf('.') + 1)}') to the gateway's hosts`, ErrorCode.UNKNOWN_REFERENCE);
    }
    throw _invalid(this, prop, host, `must be covered by the gateway's hosts (${this._hosts.map(h => `'${h}'`).join(', ')}), each a listener${this.tls ? ' that the certificate covers' : ''}`,
      `add '${host}' to the gateway's hosts${this.tls ? ' (and to its certificate)' : ''}, or route one of the hosts`, ErrorCode.UNKNOWN_REFERENCE);
  }

  private backend(service: Microservice): _ServiceRoutes {
    // after every context known so far, in creation order: the Namespaces exist
    // when the routes are applied, and dist/ keeps the contexts' file order
    for (const context of BoundedContext.all(this.platform)) {
      this.addDependency(context);
    }
    let backend = this._backends.get(service);
    if (!backend) {
      backend = new _ServiceRoutes(this, this, service);
      this._backends.set(service, backend);
    }
    return backend;
  }

  private stream(route: StreamRoute): StreamRoute {
    this._streams.push(route);
    return route;
  }

  private duration(prop: string, d: Duration): string {
    const out = _gatewayDuration(_duration(this, prop, d));
    if (out === undefined) {
      throw _invalid(this, prop, `${d.toMilliseconds({ integral: false })}ms`, 'cannot be expressed in Gateway API, which takes whole milliseconds from 1 ms to 99999 hours',
        'use a whole number of milliseconds, for example Duration.seconds(30)', ErrorCode.UNSUPPORTED_BY_IMPLEMENTATION);
    }
    return out;
  }

  private checkHeaderChanges(prop: string, changes: HeaderChanges | undefined): void {
    for (const name of [...Object.keys(changes?.set ?? {}), ...Object.keys(changes?.add ?? {}), ...(changes?.remove ?? [])]) {
      _checkHeaderName(this, prop, name);
    }
  }

  private renderListener(l: Listener): gw.GatewaySpecListeners {
    const namespaces = l.namespaces === undefined || l.namespaces.size === 0
      ? { from: gw.GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME }
      : {
        from: gw.GatewaySpecListenersAllowedRoutesNamespacesFrom.SELECTOR,
        selector: { matchExpressions: [{ key: LABEL.NAMESPACE_NAME, operator: 'In', values: [...l.namespaces].sort(_compare) }] },
      };
    const tls = l.protocol === 'HTTPS'
      ? { tls: { mode: gw.GatewaySpecListenersTlsMode.TERMINATE, certificateRefs: [{ group: '', kind: 'Secret', name: this.tlsSecretName! }] } }
      : l.passthrough ? { tls: { mode: gw.GatewaySpecListenersTlsMode.PASSTHROUGH } } : {};
    return {
      name: l.name,
      protocol: l.protocol,
      port: l.port,
      ...(l.hostname ? { hostname: l.hostname } : {}),
      ...tls,
      allowedRoutes: { namespaces, kinds: l.kinds.map(kind => ({ group: 'gateway.networking.k8s.io', kind })) },
    };
  }

  private validateRoutes(): ConfigurationError[] {
    if (this._routes.length === 0 && this._streams.length === 0) {
      return [_invalid(this, 'routes', [], 'must hold at least one route; a gateway without routes renders nothing',
        'add routes with gateway.addRoute({ host, path, service }), or remove the gateway', ErrorCode.MISSING_REQUIRED)];
    }
    const errors: ConfigurationError[] = [];
    for (const l of this._listeners.values()) {
      if (l.hostname !== undefined && l.kinds.includes('HTTPRoute') && l.namespaces!.size === 0) {
        errors.push(_invalid(this, 'hosts', l.hostname, 'must have at least one route: a listener without routes serves only errors',
          `route it with addRoute or addGrpcRoute, or remove '${l.hostname}' from hosts`, ErrorCode.MISSING_REQUIRED));
      }
    }
    const context = BoundedContext.all(this.platform).find(c => c.namespaceName === this.gatewayNamespace);
    if (context) {
      errors.push(_invalid(this, 'id', this.gatewayNamespace, `must not be the namespace of bounded context ${context.node.path}: the Gateway needs a namespace of its own`,
        'rename the gateway, or set useImplementationNamespace', ErrorCode.CONFLICT));
    }
    for (const service of this._backends.keys()) {
      const name = `${service.name}-from-${this.gatewayName}`;
      const clash = Workload.all(service.context).find(s => s.name === name);
      if (clash) {
        errors.push(_invalid(this, 'addRoute(service)', service.node.path, `must not need the NetworkPolicy name '${name}', which ${clash.node.path} already uses`,
          'rename the gateway or one of the two services', ErrorCode.CONFLICT));
      }
    }
    return errors;
  }
}

function headersKey(headers: HeaderMatch[]): string {
  return headers.map(h => ` ${h.name.toLowerCase()}=${h.value}`).sort(_compare).join('');
}

function headersShown(headers: HeaderMatch[]): string {
  return headers.length > 0 ? ` with ${headers.map(h => `${h.name}: ${h.value}`).join(', ')}` : '';
}

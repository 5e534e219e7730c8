import { Duration, Lazy, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { _Chart, _addValidation } from '../internal/chart';
import { _checkPlatformChart } from '../internal/construct';
import { _assertDns1123Label, _assertInteger, _compare, _instanceOf, _invalid, _oneOf } from '../internal/errors';
import { _Feature } from '../platform/kubernetes-version';
import { _Cors, _checkRateLimit, _checkTls, _resolveCors, _resolveSourceRanges } from './gateway-settings';
import { LABEL, MANAGED_BY } from '../internal/labels';
import { _checkHost, _checkHosts, _checkOperationsPort, _checkRoutePath, _claimRoute, _hostSlug, _routeKey, _routedPort } from './routing';
import { _GATEWAY_API_LIMITS } from './gateway-api-limits';
import { _GatewayListeners, _Listener } from './gateway-listeners';
import { GatewayImplementation, _PolicySettings } from './gateway-implementation';
import { _renderGatewayNamespace } from './gateway-namespace';
import {
  GatewayRoute, GrpcRouteOptions, HttpRouteOptions, StreamRoute, TcpRouteOptions, TlsPassthroughRouteOptions,
  _checkRoutedService, _gatewayDuration, _RouteContext, _ServiceRoutes, _UnbufferedRoute,
} from './gateway-routes';
import { _withEnvironment } from './gateway-environment';
import { GatewayTls } from './gateway-tls';
import * as gw from '../imports/gateway.networking.k8s.io';
import { Microservice } from '../workloads/microservice';
import { Workload } from '../workloads/workload';
import { BoundedContext } from '../platform/bounded-context';
import { Platform } from '../platform/platform';
import { PortProtocol } from '../pod/port';
import { PriorityTier } from '../platform/priority-tier';
import { ApiGatewayProps } from './gateway-props';

export { ApiGatewayProps } from './gateway-props';
import { HeaderChanges, HeaderMatch, PathType, _checkHeaderName } from './route-match';
import { CircuitBreaker, ClientTimeouts, RateLimit, Retries } from './traffic-policy';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';
import { _duration } from '../internal/duration';

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
  private readonly _listeners: _GatewayListeners;
  private readonly _requestTimeout: string;

  constructor(scope: Construct, id: string, props: ApiGatewayProps) {
    super(scope, _checkPlatformChart('ApiGateway', scope, id, props, "new ApiGateway(app, 'gateway', { platform, hosts: ['api.example.com'], tls })"),
      { labels: { [LABEL.PART_OF]: props.platform.platformName, [LABEL.MANAGED_BY]: MANAGED_BY } });
    _assertDns1123Label(this, 'id', id);
    props = _withEnvironment(this, props);
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
    this.retries = props.retries === undefined ? undefined
      : _instanceOf(this, 'retries', props.retries, Retries, 'use Retries.onGatewayErrors(2) or Retries.onConnectionFailure(2), or leave retries unset');
    this.circuitBreaker = props.circuitBreaker === undefined ? undefined
      : _instanceOf(this, 'circuitBreaker', props.circuitBreaker, CircuitBreaker, 'use CircuitBreaker.limits({ ... }), or leave circuitBreaker unset');
    this.clientTimeouts = props.clientTimeouts;
    this.proxyReplicas = props.proxyReplicas ?? this.implementation._defaults.proxyReplicas;
    this.proxyMaxReplicas = props.proxyMaxReplicas;
    this._hosts = props.hosts === undefined ? [] : [...props.hosts];
    this._listeners = new _GatewayListeners(this, this._hosts);
    this.addDependency(props.platform);

    if (props.hosts !== undefined) {
      _checkHosts(this, this._hosts);
    }
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
      if (this._hosts.length > _GATEWAY_API_LIMITS.httpRouteHostnames) {
        throw _invalid(this, 'hosts', `${this._hosts.length} hosts`,
          `must be at most ${_GATEWAY_API_LIMITS.httpRouteHostnames} with tls: the HTTP-to-HTTPS redirect HTTPRoute lists every host, and an HTTPRoute holds at most ${_GATEWAY_API_LIMITS.httpRouteHostnames} host names (Gateway API ${_GATEWAY_API_LIMITS.version}, spec.hostnames maxItems)`,
          'serve subdomains with one wildcard host (\'*.example.com\'), or split the hosts over two gateways', ErrorCode.OUT_OF_RANGE);
      }
      if (this._hosts.length === 0 && this.tls.issuerName !== undefined) {
        throw _invalid(this, 'tls', `GatewayTls.certManager('${this.tls.issuerName}')`,
          'must not ask cert-manager for the certificate of a gateway without hosts: cert-manager issues certificates only for listeners with a host name, and a client reaching the gateway by IP address needs one for that address',
          'set hosts, or use GatewayTls.fromSecret(name) with a certificate the clients accept for the address they use, or allowPlainHttp: true on a local development cluster', ErrorCode.CONFLICT);
      }
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
    for (const host of this._hosts.length > 0 ? this._hosts : [undefined]) {
      this._listeners.add({ name: _GatewayListeners.nameFor(this.tls !== undefined, host), protocol: this.tls ? 'HTTPS' : 'HTTP', port: this.tls ? 443 : 80, hostname: host,
        kinds: ['HTTPRoute', 'GRPCRoute'], namespaces: new Set() }, 'hosts', host ?? '(every host)');
    }
    if (this.tls) {
      this._listeners.add({ name: 'http', protocol: 'HTTP', port: 80, kinds: ['HTTPRoute'] }, 'hosts', 'http');
    }
    new gw.Gateway(this, 'Resource', {
      metadata: { name: id, namespace: this.gatewayNamespace, labels, annotations: this.tls?._annotations() ?? {} },
      spec: {
        gatewayClassName: this.implementation.className,
        ...(this.proxyReplicas !== undefined ? { infrastructure: this.implementation._infrastructure(id) } : {}),
        listeners: Lazy.any({ produce: () => this._listeners.all.map(l => this._listeners.render(l)) }),
      },
    });
    if (this.tls) {
      new gw.HttpRoute(this, 'HttpsRedirect', {
        metadata: { name: `${id}-https-redirect`, namespace: this.gatewayNamespace, labels },
        spec: {
          parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: id, sectionName: 'http' }],
          ...(this._hosts.length > 0 ? { hostnames: [...this._hosts] } : {}),
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
    return this._listeners.all.map(l => l.name);
  }

  /**
   * Routes requests for a host and path to a microservice's HTTP port (an
   * `HTTPRoute` rule), and lets the gateway's proxies reach that port.
   */
  public addRoute(options: HttpRouteOptions): GatewayRoute {
    const path = options.path ?? '/';
    const pathType = _oneOf(this, 'addRoute(pathType)', options.pathType ?? PathType.PREFIX, PathType);
    const service = options.service;
    const { host, listener } = this.routeHost('addRoute(host)', options.host);
    _checkRoutePath(this, 'addRoute(path)', path);
    _checkRoutedService(this, service, this.platform);
    const port = _routedPort(this, 'addRoute(port)', service, options.port, PortProtocol.HTTP, 'an HTTP route needs an HTTP port (addGrpcRoute routes gRPC)');
    _checkOperationsPort(this, 'addRoute(port)', service, port, options.operationsPortReason);
    const headers = this.headerMatches('addRoute(headers)', options.headers);
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
    _claimRoute(this, 'addRoute(path)', `${pathType === PathType.EXACT ? 'exactly ' : ''}${host}${path}${headersShown(headers)}`,
      `${_routeKey(host, path, pathType)}${headersKey(headers)}`, `${service.node.path} (port '${port.name}')`);
    const route: GatewayRoute = { host, path, pathType, service, port, url: `${this.tls ? 'https' : 'http'}://${host}${path}` };
    this._routes.push(route);
    this.backend(service).addHttp('addRoute(path)', path, listener.name, {
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
    const { service, grpcService, method } = options;
    const { host, listener } = this.routeHost('addGrpcRoute(host)', options.host);
    _checkRoutedService(this, service, this.platform);
    const port = _routedPort(this, 'addGrpcRoute(port)', service, options.port, PortProtocol.GRPC, 'a gRPC route needs a gRPC port (addRoute routes HTTP)');
    _checkOperationsPort(this, 'addGrpcRoute(port)', service, port, options.operationsPortReason);
    if (grpcService !== undefined && !GRPC_NAME.test(grpcService)) {
      throw _invalid(this, 'addGrpcRoute(grpcService)', grpcService, 'must be a fully qualified protobuf service name: identifiers separated by \'.\'', 'use the package and service of the .proto file, for example \'acme.orders.v1.Orders\'', ErrorCode.INVALID_NAME);
    }
    if (method !== undefined && (grpcService === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(method))) {
      throw _invalid(this, 'addGrpcRoute(method)', method, grpcService === undefined ? 'must come with grpcService: a method name alone is ambiguous' : 'must be a protobuf method name: one identifier',
        grpcService === undefined ? 'set grpcService as well, for example \'acme.orders.v1.Orders\'' : 'use the method name of the .proto file, for example \'GetOrder\'', grpcService === undefined ? ErrorCode.CONFLICT : ErrorCode.INVALID_NAME);
    }
    const headers = this.headerMatches('addGrpcRoute(headers)', options.headers);
    const grpcPath = grpcService === undefined ? '/' : `/${grpcService}${method ? `/${method}` : ''}`;
    _claimRoute(this, 'addGrpcRoute(grpcService)', `${host}${grpcPath}${headersShown(headers)}`, `${host} ${grpcPath}${headersKey(headers)}`, `${service.node.path} (port '${port.name}')`);
    this.backend(service).addGrpc('addGrpcRoute(grpcService)', grpcService ?? '(every service)', listener.name, host, { grpcService, method, headers, port });
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
    this.platform.kubernetesVersion._require(this, _Feature.GATEWAY_API_TLS_ROUTE, 'addTlsPassthroughRoute(host)', host,
      'terminate TLS at the gateway (add the host to hosts and use addRoute), or forward a port of its own with addTcpRoute');
    if (this._sourceRanges.length > 0) {
      throw _invalid(this, 'addTlsPassthroughRoute(host)', host,
        `must not be added to a gateway with allowedSourceRanges: ${this.implementation.name}'s SecurityPolicy, which carries the allow-list, cannot target a TLSRoute and does not apply to TLS passthrough listeners, so every client address could connect`,
        'terminate TLS at the gateway (add the host to hosts and use addRoute), restrict the clients in the service itself, or remove allowedSourceRanges', ErrorCode.UNSAFE);
    }
    _checkRoutedService(this, service, this.platform);
    const port = _routedPort(this, 'addTlsPassthroughRoute(port)', service, options.port, PortProtocol.TCP, 'a TLS passthrough route forwards TCP');
    _checkOperationsPort(this, 'addTlsPassthroughRoute(port)', service, port, options.operationsPortReason);
    _claimRoute(this, 'addTlsPassthroughRoute(host)', host, `${host} tls`, `${service.node.path} (port '${port.name}')`);
    const listener = this._listeners.add({ name: `tls-${_hostSlug(host)}`, protocol: 'TLS', port: 443, hostname: host, kinds: ['TLSRoute'], passthrough: true,
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
    _checkOperationsPort(this, 'addTcpRoute(port)', service, port, options.operationsPortReason);
    const listener = this._listeners.add({ name: `tcp-${listenerPort}`, protocol: 'TCP', port: listenerPort, kinds: ['TCPRoute'], namespaces: new Set([service.namespace]) },
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

  /**
   * The host of a route and its listener: a host the gateway's hosts cover, or, on a
   * gateway without hosts, any host name or none (`*`: every host).
   */
  private routeHost(prop: string, host: string | undefined): { host: string; listener: _Listener } {
    if (this._hosts.length === 0) {
      if (host !== undefined) {
        _checkHost(this, prop, host);
      }
      return { host: host ?? '*', listener: this._listeners.all[0] };
    }
    if (host === undefined) {
      throw _invalid(this, prop, host, `must be set: the gateway serves the hosts ${this._hosts.map(h => `'${h}'`).join(', ')}, one listener each`,
        `pass one of them, for example host: '${this._hosts[0]}'`, ErrorCode.MISSING_REQUIRED);
    }
    _checkHost(this, prop, host);
    return { host, listener: this._listeners.forHost(prop, host, this.tls !== undefined) };
  }

  private headerMatches(prop: string, matches: HeaderMatch[] | undefined): HeaderMatch[] {
    const headers = [...(matches ?? [])];
    headers.forEach(h => h._check(this, prop));
    const max = _GATEWAY_API_LIMITS.httpRouteHeaderMatches;
    if (headers.length > max) {
      throw _invalid(this, prop, headers.map(h => h.name),
        `must list at most ${max} headers: a route match holds at most ${max} (Gateway API ${_GATEWAY_API_LIMITS.version}, matches[].headers maxItems)`,
        'match fewer headers, or route by path instead', ErrorCode.OUT_OF_RANGE);
    }
    return headers;
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
    const max = _GATEWAY_API_LIMITS.headerModifierEntries;
    for (const [kind, names] of [['set', Object.keys(changes?.set ?? {})], ['add', Object.keys(changes?.add ?? {})], ['remove', [...(changes?.remove ?? [])]]] as const) {
      names.forEach(name => _checkHeaderName(this, prop, name));
      if (names.length > max) {
        throw _invalid(this, `${prop}.${kind}`, names, `must list at most ${max} headers: a header filter holds at most ${max} (Gateway API ${_GATEWAY_API_LIMITS.version}, ${kind} maxItems)`,
          'change fewer headers on the route, or let the service set them', ErrorCode.OUT_OF_RANGE);
      }
    }
  }

  private validateRoutes(): ConfigurationError[] {
    if (this._routes.length === 0 && this._streams.length === 0) {
      return [_invalid(this, 'routes', [], 'must hold at least one route; a gateway without routes renders nothing',
        'add routes with gateway.addRoute({ host, path, service }), or remove the gateway', ErrorCode.MISSING_REQUIRED)];
    }
    const errors: ConfigurationError[] = this._listeners.validate();
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

import { Duration, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { _compare, _invalid } from '../internal/errors';
import { _Cors } from './gateway-settings';
import type { _PolicyTarget } from './policy-target';
import { LABEL } from '../internal/labels';
import * as gw from '../imports/gateway.networking.k8s.io';
import { Microservice } from '../workloads/microservice';
import type { Platform } from '../platform/platform';
import { Port } from '../pod/port';
import { HeaderChanges, HeaderMatch, PathRewrite, PathType } from './route-match';
import { _GATEWAY_API_LIMITS } from './gateway-api-limits';
import { ErrorCode } from '../internal/configuration-error';
import { _routedPortsPolicy } from './routing';
import { _variantHttpMatches } from './variant-matches';
import { _ServiceRef, _requestMirror, _serviceRef } from './service-ref';

/**
 * A route: requests for a host and path go to a microservice's HTTP port.
 */
export interface RouteOptions {
  /**
   * The host, one of the gateway's hosts (or a host its wildcard covers).
   *
   * @default - every host: only on an ApiGateway without hosts (required otherwise)
   */
  readonly host?: string;

  /**
   * The request path, starting with '/'.
   *
   * @default '/'
   */
  readonly path?: string;

  /**
   * How the path matches.
   *
   * @default PathType.PREFIX
   */
  readonly pathType?: PathType;

  /** The microservice that serves the route. */
  readonly service: Microservice;

  /**
   * The name of the service's HTTP port that serves the route.
   *
   * @default - the service's first HTTP port
   */
  readonly port?: string;

  /**
   * Why the route may go to a port named for operations (a name with `metrics`,
   * `admin`, `management`, `actuator`, `debug`, `pprof`, `health`, `status` or
   * `monitoring` as a word, such as `metrics` or `http-admin`): such a route is
   * refused without a reason, as those endpoints belong inside the cluster.
   *
   * @default - routes to operations ports are refused
   */
  readonly operationsPortReason?: string;
}

/**
 * An HTTP route of an `ApiGateway` (Gateway API `HTTPRoute`): the path match plus
 * what Gateway API standardises for a rule.
 */
export interface HttpRouteOptions extends RouteOptions {
  /**
   * Request headers the route also requires; a route with headers is a different
   * route from one with the same path and none (the more specific wins).
   *
   * @default - none
   */
  readonly headers?: HeaderMatch[];

  /**
   * How long the gateway waits for the whole response (HTTPRoute `timeouts.request`).
   *
   * @default - the gateway's requestTimeout
   */
  readonly timeout?: Duration;

  /**
   * Changes to the request headers before the service gets them.
   *
   * @default - none
   */
  readonly requestHeaders?: HeaderChanges;

  /**
   * Changes to the response headers before the client gets them.
   *
   * @default - none
   */
  readonly responseHeaders?: HeaderChanges;

  /**
   * A rewrite of the path the service gets.
   *
   * @default - the path as the client sent it
   */
  readonly rewritePath?: PathRewrite;

  /**
   * Whether the route carries streaming requests: WebSocket upgrades, or request
   * bodies sent as they are produced. The gateway then forwards each request as it
   * arrives; it does not buffer the whole request to enforce `maxRequestBodySize`
   * (Envoy Gateway's body limit is such a buffer, which holds a WebSocket upgrade or
   * a streamed upload back), so the body limit does not apply to the route. Such
   * routes of a service get an HTTPRoute of their own,
   * `<gateway>-<service>-<listener>-streaming`.
   *
   * @default false
   */
  readonly streaming?: boolean;
}

/**
 * A gRPC route of an `ApiGateway` (Gateway API `GRPCRoute`) to a gRPC port.
 */
export interface GrpcRouteOptions {
  /**
   * The host, one of the gateway's hosts (or a host its wildcard covers).
   *
   * @default - every host: only on a gateway without hosts (required otherwise)
   */
  readonly host?: string;

  /** The microservice that serves the route. */
  readonly service: Microservice;

  /**
   * The fully qualified gRPC service the route matches, such as `acme.orders.v1.Orders`.
   *
   * @default - every gRPC service on the host
   */
  readonly grpcService?: string;

  /**
   * The method of `grpcService` the route matches, such as `GetOrder`.
   *
   * @default - every method of grpcService
   */
  readonly method?: string;

  /**
   * The name of the service's gRPC port.
   *
   * @default - the service's first gRPC port
   */
  readonly port?: string;

  /**
   * Request headers (gRPC metadata) the route also requires.
   *
   * @default - none
   */
  readonly headers?: HeaderMatch[];

  /**
   * Why the route may go to a port named for operations (a name with `metrics`,
   * `admin`, `management`, `actuator`, `debug`, `pprof`, `health`, `status` or
   * `monitoring` as a word, such as `metrics` or `http-admin`): such a route is
   * refused without a reason, as those endpoints belong inside the cluster.
   *
   * @default - routes to operations ports are refused
   */
  readonly operationsPortReason?: string;
}

/**
 * A TLS passthrough route (Gateway API `TLSRoute`): the gateway reads the server
 * name (SNI) of a TLS connection and forwards it unopened to a service that
 * terminates TLS itself.
 */
export interface TlsPassthroughRouteOptions {
  /** The server name clients ask for; not one of the gateway's HTTPS hosts (those terminate TLS at the gateway). */
  readonly host: string;
  /** The microservice that terminates TLS. */
  readonly service: Microservice;
  /**
   * The name of the service's TCP port.
   *
   * @default - the service's first TCP port
   */
  readonly port?: string;

  /**
   * Why the route may go to a port named for operations (a name with `metrics`,
   * `admin`, `management`, `actuator`, `debug`, `pprof`, `health`, `status` or
   * `monitoring` as a word, such as `metrics` or `http-admin`): such a route is
   * refused without a reason, as those endpoints belong inside the cluster.
   *
   * @default - routes to operations ports are refused
   */
  readonly operationsPortReason?: string;
}

/**
 * A plain TCP route (Gateway API `TCPRoute`): a gateway port forwarded to a service port.
 */
export interface TcpRouteOptions {
  /** The port clients connect to on the gateway (1024-65535; 80 and 443 serve HTTP). */
  readonly listenerPort: number;
  /** The microservice that serves it. */
  readonly service: Microservice;
  /**
   * The name of the service's TCP port.
   *
   * @default - the service's first TCP port
   */
  readonly port?: string;

  /**
   * Why the route may go to a port named for operations (a name with `metrics`,
   * `admin`, `management`, `actuator`, `debug`, `pprof`, `health`, `status` or
   * `monitoring` as a word, such as `metrics` or `http-admin`): such a route is
   * refused without a reason, as those endpoints belong inside the cluster.
   *
   * @default - routes to operations ports are refused
   */
  readonly operationsPortReason?: string;
}

/**
 * An HTTP route of a gateway.
 */
export interface GatewayRoute {
  /** The host; `*` for a route of every host (on an ApiGateway without hosts). */
  readonly host: string;
  /** The request path. */
  readonly path: string;
  /** How the path matches. */
  readonly pathType: PathType;
  /** The microservice that serves the route. */
  readonly service: Microservice;
  /** The service port that serves the route. */
  readonly port: Port;
  /** The public URL of the route. */
  readonly url: string;
}

/**
 * A gRPC, TLS passthrough or TCP route of an `ApiGateway`.
 */
export interface StreamRoute {
  /** The Gateway listener the route attaches to. */
  readonly listenerName: string;
  /** The microservice that serves the route. */
  readonly service: Microservice;
  /** The service port that serves the route. */
  readonly port: Port;
  /** The address clients use: `grpcs://host`, `tls://host:443` or `tcp://<gateway>:port`. */
  readonly url: string;
}

/** Throws unless `service` is a Microservice of `platform`. @internal */
export function _checkRoutedService(scope: IConstruct, service: Microservice, platform: Platform): void {
  if (!(service instanceof Microservice)) {
    throw _invalid(scope, 'addRoute(service)', String(service), 'must be a Microservice', 'pass the Microservice object, or look it up with Microservice.find(platform, context, name)', ErrorCode.WRONG_TYPE);
  }
  if (service.context.platform !== platform) {
    throw _invalid(scope, 'addRoute(service)', service.node.path,
      `must be a service of platform '${platform.platformName}', but it belongs to '${service.context.platform.platformName}'`,
      'route only services of the gateway\'s platform, or give the other platform its own gateway', ErrorCode.WRONG_SCOPE);
  }
}

/**
 * A duration as Gateway API writes it (`^([0-9]{1,5}(h|m|s|ms)){1,4}$`), or undefined
 * when it has none: more than 99999 hours, or below a millisecond. @internal
 */
export function _gatewayDuration(d: Duration): string | undefined {
  const ms = d.toMilliseconds({ integral: false });
  if (!Number.isInteger(ms) || ms <= 0) {
    return undefined;
  }
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    if (ms % size === 0 && ms / size <= 99999) {
      return `${ms / size}${unit}`;
    }
  }
  return undefined;
}

/** What the routes of one service need from their gateway. @internal */
export interface _RouteContext {
  readonly gatewayName: string;
  readonly gatewayNamespace: string;
  /** The data-plane pods that send routed traffic. */
  _peer(): k8s.NetworkPolicyPeer;
  /** CORS filter of every HTTP rule, if any. */
  readonly _cors?: _Cors;
  /** Renders what the implementation needs on a new route that must not be buffered: a GRPCRoute or a streaming HTTPRoute (in `scope`, beside it). */
  _unbufferedRouteAdded(scope: Construct, route: _UnbufferedRoute): void;
}

/** A route whose requests must not be buffered (gRPC, streaming HTTP), as a policy target. @internal */
export interface _UnbufferedRoute extends _PolicyTarget {
  readonly kind: 'GRPCRoute' | 'HTTPRoute';
}

/** A resolved HTTP rule. @internal */
export interface _HttpRule {
  readonly route: GatewayRoute;
  readonly streaming: boolean;
  readonly headers: HeaderMatch[];
  readonly timeout: string;
  readonly requestHeaders?: HeaderChanges;
  readonly responseHeaders?: HeaderChanges;
  readonly rewritePath?: PathRewrite;
}

/** A resolved gRPC rule. @internal */
export interface _GrpcRule {
  readonly grpcService?: string;
  readonly method?: string;
  readonly headers: HeaderMatch[];
  readonly port: Port;
}

/**
 * The objects one routed service gets from a gateway, in its own namespace: one
 * route object per kind and listener, and the NetworkPolicy that lets the gateway's
 * data plane reach exactly the routed ports. @internal
 */
export class _ServiceRoutes {
  private readonly ports = new Set<Port>();
  private readonly http = new Map<string, { host: string; rules: _HttpRule[] }>();
  private readonly grpc = new Map<string, { host: string; rules: _GrpcRule[] }>();
  private readonly scope: Construct;

  constructor(private readonly gateway: Construct, private readonly ctx: _RouteContext, private readonly service: Microservice) {
    const ns = (gateway.node.tryFindChild(service.namespace) as Construct | undefined) ?? new Construct(gateway, service.namespace);
    this.scope = new Construct(ns, service.name);
    _routedPortsPolicy(this.scope, { ...this.metadata(), name: `${service.name}-from-${ctx.gatewayName}` }, service.everyTrackSelectorLabels,
      () => this.ctx._peer(), () => this.ports, service.context.platform.mesh);
  }

  /** Adds an HTTP rule on the listener of its host; throws when its HTTPRoute is full (`prop` and `value`: what asked for it). */
  public addHttp(prop: string, value: string, listener: string, rule: _HttpRule): void {
    // streaming rules have an HTTPRoute of their own, which the gateway does not buffer
    const id = rule.streaming ? `${listener}-streaming` : listener;
    let group = this.http.get(id);
    if (!group) {
      group = { host: rule.route.host, rules: [] };
      this.http.set(id, group);
      const rules = group.rules;
      const metadata = { ...this.metadata(), name: this.routeName(id) };
      new gw.HttpRoute(this.scope, `HttpRoute-${id}`, {
        metadata,
        spec: {
          parentRefs: [this.parent(listener)],
          ...hostnames(group.host),
          rules: Lazy.any({ produce: () => rules.flatMap(r => this.httpRules(r)) }),
        },
      });
      if (rule.streaming) {
        this.ctx._unbufferedRouteAdded(new Construct(this.scope, `HttpRoutePolicies-${id}`),
          { kind: 'HTTPRoute', name: metadata.name, namespace: this.service.namespace, labels: metadata.labels });
      }
    }
    this.checkRoom(prop, value, 'HTTPRoute', this.routeName(id), this.renderedRules(group.rules.length), _GATEWAY_API_LIMITS.httpRouteRules);
    this.service._routedBy(this.ctx.gatewayName);
    this.ports.add(rule.route.port);
    group.rules.push(rule);
  }

  /** Adds a gRPC rule on the listener of its host; throws when its GRPCRoute is full. */
  public addGrpc(prop: string, value: string, listener: string, host: string, rule: _GrpcRule): void {
    const plan = this.service._releasePlan;
    if (plan && plan.matches.length > 0 && !plan.matches.some(m => m.type === 'header')) {
      throw _invalid(this.gateway, 'addGrpcRoute(service)', this.service.node.path,
        `must not be a service whose a/b release matches only cookies or query parameters, which a GRPCRoute cannot match: its gRPC calls would never reach the variant`,
        'add a VariantMatch.header(...) to the release, or route the service\'s HTTP port only', ErrorCode.CONFLICT);
    }
    let group = this.grpc.get(listener);
    if (!group) {
      group = { host, rules: [] };
      this.grpc.set(listener, group);
      const rules = group.rules;
      const metadata = { ...this.metadata(), name: this.routeName(listener) };
      new gw.GrpcRoute(this.scope, `GrpcRoute-${listener}`, {
        metadata,
        spec: {
          parentRefs: [this.parent(listener)],
          ...hostnames(host),
          rules: Lazy.any({ produce: () => rules.flatMap(r => this.grpcRules(r)) }),
        },
      });
      this.ctx._unbufferedRouteAdded(new Construct(this.scope, `GrpcRoutePolicies-${listener}`),
        { kind: 'GRPCRoute', name: metadata.name, namespace: this.service.namespace, labels: metadata.labels });
    }
    this.checkRoom(prop, value, 'GRPCRoute', this.routeName(listener), this.renderedRules(group.rules.length), _GATEWAY_API_LIMITS.grpcRouteRules);
    this.service._routedBy(this.ctx.gatewayName);
    this.ports.add(rule.port);
    group.rules.push(rule);
  }

  /** The rules `count` declared rules render: twice as many with an A/B release (the variant's matches first). */
  private renderedRules(count: number): number {
    return (this.service._releasePlan?.matches.length ?? 0) > 0 ? 2 * count + 1 : count;
  }

  /**
   * The backends of a rule: the service, or with a release, the stable track's
   * Service and the release track's, weighted by the release (a weight 0 backend
   * gets no requests, so that switching is a change of the weights alone).
   */
  private backendRefs(port: number): _ServiceRef[] {
    const plan = this.service._releasePlan;
    const stable = this.service._stableServiceName;
    const track = this.service._trackServiceName;
    if (!plan || !stable || !track) {
      return [_serviceRef(this.service.name, port)];
    }
    return [_serviceRef(stable, port, 100 - plan.routeWeight), _serviceRef(track, port, plan.routeWeight)];
  }

  /** The release's A/B matches, as HTTPRoute matches of the rule's own path and headers. */
  private httpRules(r: _HttpRule): gw.HttpRouteSpecRules[] {
    const rule = this.httpRule(r);
    const plan = this.service._releasePlan;
    const track = this.service._trackServiceName;
    if (plan?.mirrorPercent !== undefined && track) {
      const mirror: gw.HttpRouteSpecRulesFilters = { type: gw.HttpRouteSpecRulesFiltersType.REQUEST_MIRROR,
        requestMirror: _requestMirror(track, r.route.port.servicePort, plan.mirrorPercent) };
      return [{ ...rule, filters: [...(rule.filters ?? []), mirror], backendRefs: [_serviceRef(this.service._stableServiceName!, r.route.port.servicePort)] }];
    }
    if (!plan || plan.matches.length === 0 || !track) {
      return [rule];
    }
    const [base] = rule.matches!;
    const matches = _variantHttpMatches(base, plan.matches);
    return [{ ...rule, matches, backendRefs: [_serviceRef(track, r.route.port.servicePort)] }, rule];
  }

  /** The gRPC rule, with the release's split, header matches or mirror. */
  private grpcRules(r: _GrpcRule): gw.GrpcRouteSpecRules[] {
    const rule = this.grpcRule(r);
    const plan = this.service._releasePlan;
    const track = this.service._trackServiceName;
    if (plan?.mirrorPercent !== undefined && track) {
      const mirror: gw.GrpcRouteSpecRulesFilters = { type: gw.GrpcRouteSpecRulesFiltersType.REQUEST_MIRROR,
        requestMirror: _requestMirror(track, r.port.servicePort, plan.mirrorPercent) };
      return [{ ...rule, filters: [mirror], backendRefs: [_serviceRef(this.service._stableServiceName!, r.port.servicePort)] }];
    }
    const headers = plan?.matches.filter(m => m.type === 'header') ?? [];
    if (!plan || headers.length === 0 || !track) {
      return [rule];
    }
    const base = rule.matches?.[0] ?? {};
    const matches = headers.map(m => ({ ...base, headers: [...(base.headers ?? []), { type: gw.GrpcRouteSpecRulesMatchesHeadersType.EXACT, name: m.name, value: m.value }] }));
    return [{ ...rule, matches, backendRefs: [_serviceRef(track, r.port.servicePort)] }, rule];
  }

  /** Throws when a route of `kind` that holds `count` rules has no room for one more. */
  private checkRoom(prop: string, value: string, kind: string, name: string, count: number, max: number): void {
    if (count >= max) {
      throw _invalid(this.gateway, prop, value,
        `must fit in ${kind} '${name}' of ${this.service.node.path}, which holds at most ${max} rules (Gateway API ${_GATEWAY_API_LIMITS.version}, spec.rules maxItems), and this would be rule ${count + 1}`,
        kind === 'HTTPRoute' ? 'route a common prefix once (a PathType.PREFIX route covers every path below it), or serve part of the API on another host'
          : 'route the whole gRPC service (leave out method), or every service of the host (leave out grpcService)', ErrorCode.OUT_OF_RANGE);
    }
  }

  /** Adds a TLS passthrough route on its own listener. */
  public addTls(listener: string, host: string, port: Port): void {
    this.checkStreamRelease('addTlsPassthroughRoute(service)');
    this.ports.add(port);
    new gw.TlsRoute(this.scope, `TlsRoute-${listener}`, {
      metadata: { ...this.metadata(), name: this.routeName(listener) },
      spec: {
        parentRefs: [this.parent(listener)],
        hostnames: [host],
        rules: [{ backendRefs: this.backendRefs(port.servicePort) }],
      },
    });
  }

  /** Adds a TCP route on its own listener. */
  public addTcp(listener: string, port: Port): void {
    this.checkStreamRelease('addTcpRoute(service)');
    this.ports.add(port);
    new gw.TcpRoute(this.scope, `TcpRoute-${listener}`, {
      metadata: { ...this.metadata(), name: this.routeName(listener) },
      spec: {
        parentRefs: [this.parent(listener)],
        rules: [{ backendRefs: this.backendRefs(port.servicePort) }],
      },
    });
  }

  /**
   * Throws when the service's release matches or mirrors requests, which a TLSRoute
   * or TCPRoute (connections, not requests) cannot; a canary or blue-green splits their
   * connections by weight.
   */
  private checkStreamRelease(prop: string): void {
    const plan = this.service._releasePlan;
    if (plan && (plan.matches.length > 0 || plan.mirrorPercent !== undefined)) {
      throw _invalid(this.gateway, prop, this.service.node.path,
        `must not be a service whose ${plan.strategy} release ${plan.matches.length > 0 ? 'matches' : 'mirrors'} requests: a TLS passthrough or TCP route forwards connections, which it can neither match nor mirror`,
        'route the service\'s HTTP or gRPC port, or use Release.canary(...) or Release.blueGreen(...), which split connections by weight', ErrorCode.CONFLICT);
    }
    this.service._routedBy(this.ctx.gatewayName);
  }

  /** The route's name: `<gateway>-<service>-<listener>` (plus `-streaming`), readable and stable when routes are added. */
  private routeName(listener: string): string {
    return `${this.ctx.gatewayName}-${this.service.name}-${listener}`;
  }

  private parent(listener: string) {
    return { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: this.ctx.gatewayNamespace, name: this.ctx.gatewayName, sectionName: listener };
  }

  private metadata(): { namespace: string; labels: { [key: string]: string } } {
    const gateway = this.ctx.gatewayName;
    return {
      namespace: this.service.namespace,
      labels: {
        [LABEL.NAME]: gateway,
        [LABEL.INSTANCE]: `${gateway}-${this.service.namespace}-${this.service.name}`.slice(0, 63).replace(/-+$/, ''),
        [LABEL.COMPONENT]: 'gateway',
        [LABEL.CONTEXT]: this.service.namespace,
      },
    };
  }

  private httpRule(r: _HttpRule): gw.HttpRouteSpecRules {
    const filters: gw.HttpRouteSpecRulesFilters[] = [];
    const headerFilter = (c: HeaderChanges) => ({
      ...(c.set ? { set: sorted(c.set) } : {}),
      ...(c.add ? { add: sorted(c.add) } : {}),
      ...(c.remove ? { remove: [...c.remove] } : {}),
    });
    if (r.requestHeaders) {
      filters.push({ type: gw.HttpRouteSpecRulesFiltersType.REQUEST_HEADER_MODIFIER, requestHeaderModifier: headerFilter(r.requestHeaders) });
    }
    if (r.responseHeaders) {
      filters.push({ type: gw.HttpRouteSpecRulesFiltersType.RESPONSE_HEADER_MODIFIER, responseHeaderModifier: headerFilter(r.responseHeaders) });
    }
    if (r.rewritePath) {
      const p = r.rewritePath;
      filters.push({
        type: gw.HttpRouteSpecRulesFiltersType.URL_REWRITE,
        urlRewrite: {
          path: {
            type: p.type as gw.HttpRouteSpecRulesFiltersUrlRewritePathType,
            ...(p.type === 'ReplacePrefixMatch' ? { replacePrefixMatch: p.path } : { replaceFullPath: p.path }),
          },
        },
      });
    }
    const cors = this.ctx._cors;
    if (cors) {
      filters.push({
        type: gw.HttpRouteSpecRulesFiltersType.CORS,
        cors: {
          allowOrigins: cors.allowOrigins,
          allowMethods: cors.allowMethods as gw.HttpRouteSpecRulesFiltersCorsAllowMethods[],
          allowHeaders: cors.allowHeaders,
          ...(cors.exposeHeaders.length > 0 ? { exposeHeaders: cors.exposeHeaders } : {}),
          allowCredentials: cors.allowCredentials,
          maxAge: cors.maxAgeSeconds,
        },
      });
    }
    return {
      matches: [{
        path: { type: r.route.pathType.gatewayApiValue as gw.HttpRouteSpecRulesMatchesPathType, value: r.route.path },
        ...(r.headers.length > 0 ? { headers: r.headers.map(h => ({ type: gw.HttpRouteSpecRulesMatchesHeadersType.EXACT, name: h.name, value: h.value })) } : {}),
      }],
      ...(filters.length > 0 ? { filters } : {}),
      backendRefs: this.backendRefs(r.route.port.servicePort),
      timeouts: { request: r.timeout },
    };
  }

  private grpcRule(r: _GrpcRule): gw.GrpcRouteSpecRules {
    const method = r.grpcService !== undefined
      ? { method: { type: gw.GrpcRouteSpecRulesMatchesMethodType.EXACT, service: r.grpcService, ...(r.method !== undefined ? { method: r.method } : {}) } } : {};
    const headers = r.headers.length > 0 ? { headers: r.headers.map(h => ({ type: gw.GrpcRouteSpecRulesMatchesHeadersType.EXACT, name: h.name, value: h.value })) } : {};
    const matches = r.grpcService !== undefined || r.headers.length > 0 ? { matches: [{ ...method, ...headers }] } : {};
    return { ...matches, backendRefs: this.backendRefs(r.port.servicePort) };
  }
}

/** `spec.hostnames` of a route on `host`: none for `*` (every host the listener serves). */
function hostnames(host: string): { hostnames?: string[] } {
  return host === '*' ? {} : { hostnames: [host] };
}

function sorted(values: { [name: string]: string }): Array<{ name: string; value: string }> {
  return Object.keys(values).sort(_compare).map(name => ({ name, value: values[name] }));
}


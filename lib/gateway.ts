import { isIPv4, isIPv6 } from 'net';
import { _Chart } from './_chart';
import { Duration, Lazy, Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { _assertDns1123Label, _assertInteger, _invalid, _message } from './_errors';
import { LABEL, MANAGED_BY } from './_labels';
import { _bytes, _formatBytes } from './_quantity';
import { IngressController, _GatewaySettings } from './ingress-controller';
import { Microservice } from './microservice';
import { Platform } from './platform';
import { Port, PortProtocol } from './port';

/**
 * How a route's path matches request paths.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/ingress/#path-types
 */
export class PathType {
  /** Matches the path and everything below it, element by element: `/orders` matches `/orders` and `/orders/42`, not `/ordersx`. */
  public static readonly PREFIX = new PathType('Prefix');
  /** Matches exactly the path, nothing below it. */
  public static readonly EXACT = new PathType('Exact');

  private constructor(
    /** The Ingress `pathType` value. */
    public readonly value: string,
  ) {}
}

/**
 * Options for a per-client rate limit.
 */
export interface RateLimitOptions {
  /**
   * How many times the rate a client may send in a burst before requests are
   * rejected (ingress-nginx answers 503).
   *
   * @default 5
   */
  readonly burstMultiplier?: number;
}

/**
 * How many requests one client (one source address) may send.
 *
 * @example
 * RateLimit.perSecond(50)
 * RateLimit.perMinute(600, { burstMultiplier: 2 })
 */
export class RateLimit {
  /** At most `requests` requests per second per client. */
  public static perSecond(requests: number, options: RateLimitOptions = {}): RateLimit {
    return new RateLimit(requests, Duration.seconds(1), options.burstMultiplier ?? 5);
  }

  /** At most `requests` requests per minute per client. */
  public static perMinute(requests: number, options: RateLimitOptions = {}): RateLimit {
    return new RateLimit(requests, Duration.minutes(1), options.burstMultiplier ?? 5);
  }

  private constructor(
    /** The number of requests allowed per interval. */
    public readonly requests: number,
    /** The interval: one second or one minute. */
    public readonly interval: Duration,
    /** How many times the rate a client may burst to. */
    public readonly burstMultiplier: number,
  ) {}
}

/**
 * Cross-origin resource sharing: which web origins may call the APIs from a
 * browser.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS
 */
export interface CorsOptions {
  /**
   * The origins allowed to call, such as `https://shop.example.com` (scheme, host
   * and optional port; `https://*.example.com` for every subdomain), or `['*']` for
   * any origin (not with credentials).
   */
  readonly allowOrigins: string[];

  /**
   * The methods allowed.
   *
   * @default ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']
   */
  readonly allowMethods?: string[];

  /**
   * The request headers allowed.
   *
   * @default ['Authorization', 'Content-Type']
   */
  readonly allowHeaders?: string[];

  /**
   * The response headers the browser lets scripts read, besides the CORS-safelisted ones.
   *
   * @default - only the safelisted response headers
   */
  readonly exposeHeaders?: string[];

  /**
   * Whether browsers send cookies and HTTP authentication with cross-origin requests.
   *
   * @default false
   */
  readonly allowCredentials?: boolean;

  /**
   * How long browsers may cache a preflight response.
   *
   * @default Duration.hours(1)
   */
  readonly maxAge?: Duration;
}

/**
 * Options for TLS certificates issued by cert-manager.
 */
export interface CertManagerOptions {
  /**
   * Whether the issuer is a ClusterIssuer (`cert-manager.io/cluster-issuer`) rather
   * than an Issuer that must exist in every routed namespace (`cert-manager.io/issuer`).
   *
   * @default true
   */
  readonly clusterIssuer?: boolean;

  /**
   * The Secret cert-manager writes the certificate to, in each routed namespace.
   *
   * @default - '<gateway>-tls'
   */
  readonly secretName?: string;
}

/**
 * Where the gateway's TLS certificate comes from. TLS terminates at the ingress
 * controller; every routed host gets a TLS entry, and plain HTTP is redirected to
 * HTTPS.
 *
 * An Ingress can only use a Secret in its own namespace, so the certificate Secret
 * must exist in every namespace that has a routed service.
 *
 * @example
 * GatewayTls.certManager('letsencrypt-prod')
 * GatewayTls.fromSecret('api-example-com-tls')
 */
export class GatewayTls {
  /**
   * A certificate in an existing `kubernetes.io/tls` Secret. You create the Secret,
   * with this name, in every namespace that has a routed service; its certificate
   * must cover every host of the gateway.
   */
  public static fromSecret(secretName: string): GatewayTls {
    return new GatewayTls(secretName, undefined, true);
  }

  /**
   * A certificate that cert-manager issues and renews: the annotation on each
   * Ingress makes cert-manager write the certificate for that Ingress's hosts to
   * the Secret in that namespace.
   *
   * With an ACME HTTP-01 issuer, cert-manager runs solver pods in the routed
   * namespaces, which the contexts' default-deny policy does not let the ingress
   * controller reach; prefer a DNS-01 issuer.
   *
   * @param issuerName the name of the ClusterIssuer (or Issuer) to use
   * @see https://cert-manager.io/docs/usage/ingress/
   */
  public static certManager(issuerName: string, options: CertManagerOptions = {}): GatewayTls {
    return new GatewayTls(options.secretName, issuerName, options.clusterIssuer ?? true);
  }

  /** The Secret that holds the certificate, when given; otherwise the gateway names it `<gateway>-tls`. */
  public readonly secretName?: string;
  /** The cert-manager issuer, when cert-manager issues the certificate. */
  public readonly issuerName?: string;
  /** Whether `issuerName` names a ClusterIssuer. */
  public readonly clusterIssuer: boolean;

  private constructor(secretName: string | undefined, issuerName: string | undefined, clusterIssuer: boolean) {
    this.secretName = secretName;
    this.issuerName = issuerName;
    this.clusterIssuer = clusterIssuer;
  }

  /**
   * The annotations that make cert-manager issue the certificate, if it does.
   * @internal
   */
  public _annotations(): { [key: string]: string } {
    if (this.issuerName === undefined) {
      return {};
    }
    return { [this.clusterIssuer ? 'cert-manager.io/cluster-issuer' : 'cert-manager.io/issuer']: this.issuerName };
  }
}

/**
 * Properties of an API gateway.
 */
export interface ApiGatewayProps {
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

/**
 * A route: requests for a host and path go to a microservice port.
 */
export interface RouteOptions {
  /** The host, one of the gateway's hosts (or a host its wildcard covers). */
  readonly host: string;

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
}

/**
 * A route of the gateway.
 */
export interface GatewayRoute {
  /** The host. */
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

/** The objects rendered for one routed service. */
interface Backend {
  readonly service: Microservice;
  readonly routes: GatewayRoute[];
}

const HOST_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PATH = /^\/[A-Za-z0-9._\-/]*$/;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE'];
const HEADER = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:\d{1,5})?$/;

/**
 * The platform's API gateway: the single entry for clients outside the cluster,
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
 * const gateway = new ApiGateway(app, 'gateway', {
 *   platform,
 *   hosts: ['api.example.com'],
 *   tls: GatewayTls.certManager('letsencrypt-prod'),
 *   rateLimit: RateLimit.perSecond(50),
 * });
 * gateway.addRoute({ host: 'api.example.com', path: '/catalog', service: products });
 */
export class ApiGateway extends _Chart {
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

  constructor(scope: Construct, id: string, props: ApiGatewayProps) {
    super(scope, id, { labels: { [LABEL.PART_OF]: props.platform.platformName, [LABEL.MANAGED_BY]: MANAGED_BY } });
    _assertDns1123Label(this, 'id', id);
    this.platform = props.platform;
    this.gatewayName = id;
    this.controller = props.controller ?? IngressController.nginx();
    this.tls = props.tls;
    this.tlsSecretName = props.tls.secretName ?? `${id}-tls`;
    this.rateLimit = props.rateLimit;
    this.maxRequestBodySize = props.maxRequestBodySize ?? Size.mebibytes(1);
    this.connectTimeout = props.connectTimeout ?? Duration.seconds(5);
    this.readTimeout = props.readTimeout ?? Duration.seconds(60);
    this.sendTimeout = props.sendTimeout ?? Duration.seconds(60);
    this._hosts = [...props.hosts];
    this.addDependency(props.platform);

    this.controller._validate(this);
    this.checkHosts();
    this.checkTls();
    const settings = this.resolveSettings(props);
    this._annotations = { ...this.controller._annotations(this, settings), ...this.tls._annotations() };
    this.node.addValidation({ validate: () => this.validateRoutes() });
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
    const pathType = options.pathType ?? PathType.PREFIX;
    const service = options.service;
    this.checkHost('addRoute(host)', host);
    if (!this._hosts.some(h => covers(h, host))) {
      throw _invalid(this, 'addRoute(host)', host, `must be covered by the gateway's hosts (${this._hosts.map(h => `'${h}'`).join(', ')}), which the TLS certificate covers`,
        `add '${host}' to the gateway's hosts (and to its certificate), or route one of the hosts`);
    }
    this.checkPath(path);
    const port = this.checkService(service, options.port);
    const clash = this._routes.find(r => r.host === host && samePath(r, path, pathType));
    if (clash) {
      throw _invalid(this, 'addRoute(path)', `${host}${path}`, `must be routed once, but it already goes to ${clash.service.node.path} (port '${clash.port.name}')`,
        'remove one of the two routes, or give one another path');
    }
    const route: GatewayRoute = { host, path, pathType, service, port, url: `https://${host}${path}` };
    this._routes.push(route);
    // after every context known so far, in creation order: the Namespaces exist
    // when the Ingresses are applied, and dist/ keeps the contexts' file order
    for (const context of this.platform.contexts) {
      this.addDependency(context);
    }
    const backend = this._backends.get(service) ?? this.renderBackend(service);
    backend.routes.push(route);
    return route;
  }

  private checkHost(prop: string, host: string): void {
    const labels = host.startsWith('*.') ? host.slice(2).split('.') : host.split('.');
    const valid = host.length <= 253 && labels.every(l => l.length <= 63 && HOST_LABEL.test(l)) && !isIPv4(host);
    if (!valid) {
      throw _invalid(this, prop, host,
        'must be a DNS name (RFC 1123): lower-case labels of letters, digits and \'-\' separated by \'.\', with \'*.\' allowed only as the first label, and not an IP address',
        `use a host name such as 'api.example.com'${host !== host.toLowerCase() ? ` (in lower case: '${host.toLowerCase()}')` : ''}`);
    }
  }

  private checkHosts(): void {
    if (this._hosts.length === 0) {
      throw _invalid(this, 'hosts', this._hosts, 'must list at least one host name', 'add the host names clients call, for example [\'api.example.com\']');
    }
    const seen = new Set<string>();
    for (const host of this._hosts) {
      this.checkHost('hosts', host);
      if (seen.has(host)) {
        throw _invalid(this, 'hosts', host, 'must be listed once, but is listed twice', 'remove the duplicate');
      }
      seen.add(host);
    }
  }

  private checkTls(): void {
    const tls = this.tls;
    if (tls.issuerName !== undefined) {
      checkObjectName(this, 'tls.issuerName', tls.issuerName, 'use the name of your cert-manager ClusterIssuer or Issuer, for example \'letsencrypt-prod\'');
    }
    checkObjectName(this, 'tls.secretName', this.tlsSecretName, 'use a Secret name such as \'api-example-com-tls\'');
  }

  private checkPath(path: string): void {
    if (!PATH.test(path) || path.includes('//') || path.split('/').some(s => s === '.' || s === '..')) {
      throw _invalid(this, 'addRoute(path)', path,
        'must be an absolute path: start with \'/\', use only letters, digits, \'-\', \'_\', \'.\' and \'/\', with no \'//\', \'.\' or \'..\' segments (no spaces, regular expressions or wildcards)',
        'use a path such as \'/orders\'; a PathType.PREFIX route already matches everything below it');
    }
  }

  private checkService(service: Microservice, portName: string | undefined): Port {
    if (!(service instanceof Microservice)) {
      throw _invalid(this, 'addRoute(service)', String(service), 'must be a Microservice', 'pass the Microservice object, or look it up with platform.service(context, name)');
    }
    if (service.context.platform !== this.platform) {
      throw _invalid(this, 'addRoute(service)', service.node.path,
        `must be a service of platform '${this.platform.platformName}', but it belongs to '${service.context.platform.platformName}'`,
        'route only services of the gateway\'s platform, or give the other platform its own gateway');
    }
    const ports = service.ports;
    const http = ports.filter(p => p.protocol === PortProtocol.HTTP);
    const listed = ports.map(p => `'${p.name}' (${p.protocol.name})`).join(', ') || 'none';
    if (portName === undefined) {
      if (http.length === 0) {
        throw _invalid(this, 'addRoute(port)', '(first HTTP port)', `must name an HTTP port that ${service.node.path} exposes, but it has none (ports: ${listed})`,
          `add a Port.http(...) to ${service.node.path}; the gateway routes HTTP only`);
      }
      return http[0];
    }
    const port = ports.find(p => p.name === portName);
    if (!port) {
      throw _invalid(this, 'addRoute(port)', portName, `must name a port that ${service.node.path} exposes (${listed})`,
        'use one of those port names, or add the port to the service');
    }
    if (port.protocol !== PortProtocol.HTTP) {
      throw _invalid(this, 'addRoute(port)', portName, `must be an HTTP port, but ${service.node.path} serves ${port.protocol.name} on it`,
        `route an HTTP port (${http.map(p => `'${p.name}'`).join(', ') || `add a Port.http(...) to ${service.node.path}`}); the gateway routes HTTP only`);
    }
    return port;
  }

  private resolveSettings(props: ApiGatewayProps): _GatewaySettings {
    const rate = this.rateLimit;
    if (rate) {
      _assertInteger(this, 'rateLimit.requests', rate.requests, 1, Number.MAX_SAFE_INTEGER,
        'allow at least 1 request per interval (use RateLimit.perMinute for fewer than one a second), or leave rateLimit unset for no limit');
      _assertInteger(this, 'rateLimit.burstMultiplier', rate.burstMultiplier, 1, Number.MAX_SAFE_INTEGER, 'use a whole multiple of the rate, such as 5 (1 allows no burst)');
    }
    const body = _bytes(this.maxRequestBodySize);
    if (!(body > 0)) {
      throw _invalid(this, 'maxRequestBodySize', _formatBytes(body), 'must be greater than zero (zero turns the limit off in ingress-nginx)',
        'set the largest body your APIs accept, for example Size.mebibytes(8)');
    }
    const seconds = (prop: string, d: Duration, min: number): number => {
      const s = d.toSeconds({ integral: false });
      if (!Number.isInteger(s) || s < min) {
        throw _invalid(this, prop, `${s}s`, `must be a whole number of seconds, at least ${min}`, `use for example Duration.seconds(${Math.max(min, Math.ceil(s) || 1)})`);
      }
      return s;
    };
    const cors = props.cors ? this.resolveCors(props.cors, seconds) : undefined;
    const ranges = props.allowedSourceRanges;
    if (ranges !== undefined) {
      if (ranges.length === 0) {
        throw _invalid(this, 'allowedSourceRanges', ranges, 'must list at least one CIDR', 'list the client ranges allowed, or leave allowedSourceRanges unset to allow every client');
      }
      for (const cidr of ranges) {
        if (!isCidr(cidr)) {
          throw _invalid(this, 'allowedSourceRanges', cidr, 'must be a CIDR: an IPv4 or IPv6 address, \'/\' and a prefix length',
            `write it as a range, for example '${isIPv4(cidr) ? `${cidr}/32` : isIPv6(cidr) ? `${cidr}/128` : '203.0.113.0/24'}'`);
        }
      }
    }
    return {
      rateLimitRequests: rate?.requests,
      rateIntervalSeconds: rate?.interval.toSeconds(),
      rateBurstMultiplier: rate?.burstMultiplier,
      maxRequestBodyBytes: body,
      connectTimeoutSeconds: seconds('connectTimeout', this.connectTimeout, 1),
      readTimeoutSeconds: seconds('readTimeout', this.readTimeout, 1),
      sendTimeoutSeconds: seconds('sendTimeout', this.sendTimeout, 1),
      cors,
      allowedSourceRanges: [...(ranges ?? [])],
    };
  }

  private resolveCors(c: CorsOptions, seconds: (prop: string, d: Duration, min: number) => number): _GatewaySettings['cors'] {
    const allowCredentials = c.allowCredentials ?? false;
    const origins = c.allowOrigins;
    if (origins.length === 0) {
      throw _invalid(this, 'cors.allowOrigins', origins, 'must list at least one origin', 'list the web origins that call the APIs, for example [\'https://shop.example.com\'], or leave cors unset');
    }
    for (const origin of origins) {
      if (origin === '*') {
        if (origins.length > 1) {
          throw _invalid(this, 'cors.allowOrigins', origins, 'must not combine \'*\' with other origins', 'use [\'*\'] alone, or list the origins');
        }
        if (allowCredentials) {
          throw _invalid(this, 'cors.allowOrigins', origin, 'must not be \'*\' when cors.allowCredentials is true: browsers reject credentials for any origin',
            'list the origins that may send credentials, or set allowCredentials to false');
        }
      } else if (!ORIGIN.test(origin)) {
        throw _invalid(this, 'cors.allowOrigins', origin, 'must be an origin: a scheme, \'://\', a lower-case host (\'*.\' allowed as the first label) and an optional port, without a path',
          'write it like \'https://shop.example.com\' or \'https://*.example.com\'');
      }
    }
    const allowMethods = [...(c.allowMethods ?? ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])];
    for (const method of allowMethods) {
      if (!METHODS.includes(method)) {
        throw _invalid(this, 'cors.allowMethods', method, `must be an HTTP method in upper case (${METHODS.join(', ')})`, `use for example '${method.toUpperCase()}'`);
      }
    }
    const allowHeaders = [...(c.allowHeaders ?? ['Authorization', 'Content-Type'])];
    const exposeHeaders = [...(c.exposeHeaders ?? [])];
    for (const [prop, list] of [['cors.allowHeaders', allowHeaders], ['cors.exposeHeaders', exposeHeaders]] as const) {
      for (const header of list) {
        if (!HEADER.test(header)) {
          throw _invalid(this, prop, header, 'must be an HTTP header name: letters, digits and !#$%&\'*+.^_`|~- with no spaces or commas', 'list each header separately, for example \'X-Request-Id\'');
        }
      }
    }
    if (allowMethods.length === 0 || allowHeaders.length === 0) {
      const prop = allowMethods.length === 0 ? 'cors.allowMethods' : 'cors.allowHeaders';
      throw _invalid(this, prop, [], 'must not be empty', `leave ${prop} unset for the defaults, or list what browsers may send`);
    }
    return { allowOrigins: [...origins], allowMethods, allowHeaders, exposeHeaders, allowCredentials, maxAgeSeconds: seconds('cors.maxAge', c.maxAge ?? Duration.hours(1), 0) };
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
        tls: Lazy.any({ produce: () => [{ hosts: unique(backend.routes.map(r => r.host)), secretName: this.tlsSecretName }] }),
        rules: Lazy.any({
          produce: () => unique(backend.routes.map(r => r.host)).map(host => ({
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
    new k8s.KubeNetworkPolicy(scope, 'NetworkPolicy', {
      metadata: { ...metadata, name: this.policyName(service) },
      spec: {
        podSelector: { matchLabels: service.selectorLabels },
        policyTypes: ['Ingress'],
        ingress: Lazy.any({
          produce: () => [{
            from: [this.controller._peer()],
            ports: unique(backend.routes.map(r => r.port)).sort((a, b) => a.containerPort - b.containerPort)
              .map(p => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(p.containerPort) })),
          }],
        }),
      },
    });
    return backend;
  }

  private ingressName(service: Microservice): string {
    return `${this.gatewayName}-${service.name}`;
  }

  private policyName(service: Microservice): string {
    return `${service.name}-from-${this.gatewayName}`;
  }

  private validateRoutes(): string[] {
    if (this._routes.length === 0) {
      return [_message(this.node.path, 'routes', [], 'must hold at least one route; a gateway without routes renders nothing',
        'add routes with gateway.addRoute({ host, path, service }), or remove the gateway')];
    }
    const errors: string[] = [];
    for (const service of this._backends.keys()) {
      const clash = service.context.services.find(s => s.name === this.policyName(service));
      if (clash) {
        errors.push(_message(this.node.path, 'addRoute(service)', service.node.path,
          `must not need the NetworkPolicy name '${this.policyName(service)}', which ${clash.node.path} already uses`,
          'rename the gateway or one of the two services'));
      }
    }
    return errors;
  }
}

/** Whether a gateway host (possibly a wildcard) covers a route host. */
function covers(gatewayHost: string, host: string): boolean {
  if (gatewayHost === host) {
    return true;
  }
  if (gatewayHost.startsWith('*.') && !host.startsWith('*.')) {
    const dot = host.indexOf('.');
    return dot > 0 && host.slice(dot + 1) === gatewayHost.slice(2);
  }
  return false;
}

/** Whether a new route's path is one a route already has: the same path, or prefixes that differ only by a trailing '/'. */
function samePath(route: GatewayRoute, path: string, pathType: PathType): boolean {
  const trim = (p: string) => p.length > 1 ? p.replace(/\/+$/, '') : p;
  return route.path === path || (route.pathType === PathType.PREFIX && pathType === PathType.PREFIX && trim(route.path) === trim(path));
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function isCidr(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) {
    return false;
  }
  const address = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) {
    return false;
  }
  const n = Number(bits);
  return (isIPv4(address) && n <= 32) || (isIPv6(address) && n <= 128);
}

/** Throws unless `value` is a DNS-1123 subdomain (the names of Secrets and issuers). */
function checkObjectName(scope: IConstruct, prop: string, value: string, fix: string): void {
  const valid = value.length <= 253 && value.split('.').every(l => HOST_LABEL.test(l));
  if (!valid) {
    throw _invalid(scope, prop, value, 'must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit', fix);
  }
}


import { Duration, Size } from 'cdk8s';
import { GatewayImplementation } from './gateway-implementation';
import { GatewayTls } from './gateway-tls';
import { Platform } from '../platform/platform';
import { CircuitBreaker, ClientTimeouts, CorsOptions, RateLimit, Retries } from './traffic-policy';

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
   * must cover them all. At most 16 with `tls`: the HTTP-to-HTTPS redirect route
   * lists them all, and an HTTPRoute holds at most 16 host names.
   *
   * Unset, the gateway has one listener without a host name, which serves every
   * host and address (a development cluster reached by IP); its routes leave out
   * `host`. Over HTTPS that needs `GatewayTls.fromSecret` with a certificate the
   * clients accept for the address they use (an IP address in its subject
   * alternative names, or clients told to trust it): cert-manager issues
   * certificates only for listeners with a host name, so `GatewayTls.certManager`
   * is refused.
   *
   * @default - one listener without a host name (every host and address)
   */
  readonly hosts?: string[];

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

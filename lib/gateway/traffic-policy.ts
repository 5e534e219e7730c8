import { Duration } from 'cdk8s';

/**
 * Options for a per-client rate limit.
 */
export interface RateLimitOptions {
  /**
   * How many times the rate a client may send in a burst before requests are
   * rejected. ingress-nginx applies it; Envoy Gateway's token bucket holds one
   * interval's requests, so it refuses any value other than 1 given here.
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
    return new RateLimit(requests, Duration.seconds(1), options.burstMultiplier);
  }

  /** At most `requests` requests per minute per client. */
  public static perMinute(requests: number, options: RateLimitOptions = {}): RateLimit {
    return new RateLimit(requests, Duration.minutes(1), options.burstMultiplier);
  }

  /** How many times the rate a client may burst to. */
  public readonly burstMultiplier: number;
  /** Whether the burst multiplier was given rather than defaulted. @internal */
  public readonly _burstGiven: boolean;

  private constructor(
    /** The number of requests allowed per interval. */
    public readonly requests: number,
    /** The interval: one second or one minute. */
    public readonly interval: Duration,
    burstMultiplier: number | undefined,
  ) {
    this.burstMultiplier = burstMultiplier ?? 5;
    this._burstGiven = burstMultiplier !== undefined;
  }
}

/**
 * Options for retries.
 */
export interface RetryOptions {
  /**
   * How long one attempt may take.
   *
   * @default - the route's request timeout bounds all attempts together
   */
  readonly perTryTimeout?: Duration;
}

/**
 * Which failed requests the gateway sends to a service again, and how often.
 * Retries multiply load on a failing service: keep attempts low.
 *
 * @example
 * Retries.onConnectionFailure(2)   // only requests that never reached a pod
 * Retries.onGatewayErrors(2)       // also 502/503/504 and resets: the APIs must be idempotent
 */
export class Retries {
  /** Retries requests that never reached a pod (connection refused or failed): safe for every method. */
  public static onConnectionFailure(attempts: number, options: RetryOptions = {}): Retries {
    return new Retries(attempts, ['connect-failure', 'refused-stream'], [], options.perTryTimeout);
  }

  /**
   * Retries also on 502, 503 and 504 and on connections reset mid-request: such a
   * request may have been processed, so only for idempotent APIs.
   */
  public static onGatewayErrors(attempts: number, options: RetryOptions = {}): Retries {
    return new Retries(attempts, ['connect-failure', 'refused-stream', 'reset', 'retriable-status-codes'], [502, 503, 504], options.perTryTimeout);
  }

  private constructor(
    /** How many times a request is retried after the first attempt. */
    public readonly attempts: number,
    /** The Envoy retry triggers. */
    public readonly triggers: string[],
    /** The response status codes retried. */
    public readonly statusCodes: number[],
    /** How long one attempt may take. */
    public readonly perTryTimeout?: Duration,
  ) {}
}

/**
 * Limits on what the gateway sends to one service at once; beyond them it fails
 * fast (503) instead of queueing, so one slow service cannot hold every connection.
 */
export interface CircuitBreakerOptions {
  /** Connections to the service at once. @default 1024 */
  readonly maxConnections?: number;
  /** Requests waiting for a connection. @default 1024 */
  readonly maxPendingRequests?: number;
  /** Requests in flight at once (HTTP/2 and gRPC). @default 1024 */
  readonly maxParallelRequests?: number;
}

/**
 * A circuit breaker per service.
 *
 * @example
 * CircuitBreaker.limits({ maxConnections: 512, maxPendingRequests: 128 })
 */
export class CircuitBreaker {
  /** The limits, each defaulting to Envoy's 1024. */
  public static limits(options: CircuitBreakerOptions = {}): CircuitBreaker {
    return new CircuitBreaker(options.maxConnections ?? 1024, options.maxPendingRequests ?? 1024, options.maxParallelRequests ?? 1024);
  }

  private constructor(
    /** Connections to the service at once. */
    public readonly maxConnections: number,
    /** Requests waiting for a connection. */
    public readonly maxPendingRequests: number,
    /** Requests in flight at once. */
    public readonly maxParallelRequests: number,
  ) {}
}

/**
 * How long the gateway waits for clients.
 */
export interface ClientTimeouts {
  /**
   * How long a client may take to send a whole request, headers and body (slow
   * clients hold connections: a defence against slowloris).
   *
   * @default - no limit
   */
  readonly requestReceived?: Duration;

  /**
   * How long a client connection may stay idle.
   *
   * @default - the implementation's (Envoy: one hour)
   */
  readonly idle?: Duration;
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

import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { _assertInteger, _invalid } from '../internal/errors';
import { ErrorCode } from '../internal/configuration-error';
import { _duration } from '../internal/duration';

/**
 * Retries of a call, on the callee's mesh route (Gateway API HTTPRoute `retry`).
 */
export interface CallRetries {
  /**
   * Retries after the first try: a request becomes at most `attempts + 1` tries
   * (`MAX_TRIES_PER_REQUEST` bounds it). 0 turns retries off.
   *
   * @default 2
   */
  readonly attempts?: number;

  /**
   * How long one try may take.
   *
   * @default - the call's timeout, less the backoffs, shared equally by the tries (whole milliseconds)
   */
  readonly perTryTimeout?: Duration;

  /**
   * The base interval between tries (the mesh adds exponential backoff with jitter).
   *
   * @default Duration.millis(25)
   */
  readonly backoff?: Duration;

  /**
   * The HTTP status codes a try is retried on (the mesh also retries a refused or
   * reset connection).
   *
   * @default [502, 503, 504] (gateway errors: the callee did not answer)
   */
  readonly statusCodes?: number[];

  /**
   * Retries POST and PATCH requests too. A retried non-idempotent request may be
   * carried out twice: set this only when the callee de-duplicates them (an
   * idempotency key).
   *
   * @default false (only GET, HEAD, PUT, DELETE and OPTIONS are retried)
   */
  readonly nonIdempotent?: boolean;
}

/**
 * Outlier detection (circuit breaking per callee pod): a pod that keeps failing is
 * ejected from the load balancing for a while (Istio DestinationRule).
 */
export interface CallOutlierDetection {
  /**
   * Consecutive 5xx answers (or connection failures) that eject a pod.
   *
   * @default 5
   */
  readonly consecutive5xxErrors?: number;

  /**
   * Consecutive gateway errors (502, 503, 504, connection failures) that eject a pod.
   *
   * @default 3
   */
  readonly consecutiveGatewayErrors?: number;

  /**
   * How often the pods are checked.
   *
   * @default Duration.seconds(10)
   */
  readonly interval?: Duration;

  /**
   * How long a pod stays ejected the first time (longer each time it is ejected again).
   *
   * @default Duration.seconds(30)
   */
  readonly baseEjectionTime?: Duration;

  /**
   * The largest share of the callee's pods ejected at once, in percent.
   *
   * @default 50
   */
  readonly maxEjectionPercent?: number;
}

/**
 * Connection-pool limits towards a callee, per calling pod's proxy (Istio
 * DestinationRule): beyond them requests fail fast instead of queueing.
 */
export interface CallConnectionPool {
  /** Connections at most. @default 1000 */
  readonly maxConnections?: number;
  /** Requests waiting for a connection at most. @default 1000 */
  readonly maxPendingRequests?: number;
  /** Requests in flight at most. @default 1000 */
  readonly maxRequests?: number;
  /**
   * Retries in flight at most (the retry budget): at most this many retries at once,
   * whatever the number of failing requests. At most `maxRequests`.
   *
   * @default 200 (a fifth of the default maxRequests)
   */
  readonly maxRetries?: number;
}

/** The most tries one request becomes with retries (attempts + 1): the load a failing callee may see, at most, per request. */
export const MAX_TRIES_PER_REQUEST = 3;

/** A call's resilience, resolved (defaults applied, checked). @internal */
export interface _CallResilience {
  /** The request timeout, on HTTP calls. */
  readonly timeout?: Duration;
  readonly retries?: { attempts: number; perTryTimeout: Duration; backoff: Duration; statusCodes: number[]; nonIdempotent: boolean };
  readonly outlierDetection: { consecutive5xxErrors: number; consecutiveGatewayErrors: number; interval: Duration; baseEjectionTime: Duration; maxEjectionPercent: number };
  readonly connectionPool: { maxConnections: number; maxPendingRequests: number; maxRequests: number; maxRetries: number };
}

/** What a call's resilience options are, as connectTo receives them. @internal */
export interface _ResilienceOptions {
  readonly timeout?: Duration;
  readonly retries?: CallRetries;
  readonly outlierDetection?: CallOutlierDetection;
  readonly connectionPool?: CallConnectionPool;
}

const ms = (d: Duration) => d.toMilliseconds({ integral: false });
const fmt = (d: Duration) => `${ms(d)}ms`;

/**
 * A call's resilience with the defaults applied, checked on its own: ranges, the
 * retry bound, and that the worst case of the retries fits in the timeout. HTTP
 * calls get a timeout and retries; gRPC and TCP calls neither (Gateway API's
 * standard GRPCRoute has no timeout or retry, TCP no requests): setting them there
 * is refused. @internal
 */
export function _resolveResilience(scope: IConstruct, o: _ResilienceOptions, http: boolean, methods: string[]): _CallResilience {
  if (!http && (o.timeout !== undefined || o.retries !== undefined)) {
    const prop = o.timeout !== undefined ? 'connectTo(timeout)' : 'connectTo(retries)';
    throw _invalid(scope, prop, o.timeout !== undefined ? fmt(_duration(scope, prop, o.timeout)) : JSON.stringify(o.retries),
      'applies to HTTP calls only: a gRPC call\'s mesh route (GRPCRoute, Gateway API standard channel v1.7.0) has no timeout or retry, and a TCP call has no requests',
      'remove it, and set the deadline and retries in the gRPC client (outlier detection and connection-pool limits still apply)', ErrorCode.UNSUPPORTED_BY_IMPLEMENTATION);
  }
  const timeout = http ? _duration(scope, 'connectTo(timeout)', o.timeout ?? Duration.seconds(10)) : undefined;
  if (timeout && !(Number.isInteger(ms(timeout)) && ms(timeout) >= 1)) {
    throw _invalid(scope, 'connectTo(timeout)', fmt(timeout), 'must be a whole number of milliseconds, at least 1', 'use for example Duration.seconds(5)', ErrorCode.OUT_OF_RANGE);
  }
  let retries: _CallResilience['retries'];
  const r = o.retries ?? {};
  if (timeout) {
    const attempts = r.attempts ?? 2;
    _assertInteger(scope, 'connectTo(retries.attempts)', attempts, 0, MAX_TRIES_PER_REQUEST - 1,
      `a request becomes at most ${MAX_TRIES_PER_REQUEST} tries (MAX_TRIES_PER_REQUEST): more retries multiply the load on a callee that is already failing; retry at most ${MAX_TRIES_PER_REQUEST - 1} times`);
    const nonIdempotent = r.nonIdempotent ?? false;
    if (o.retries !== undefined && attempts > 0 && !nonIdempotent && methods.length > 0 && methods.every(m => m === 'POST' || m === 'PATCH')) {
      throw _invalid(scope, 'connectTo(retries)', JSON.stringify(o.retries),
        `retries a call whose methods (${methods.join(', ')}) are not idempotent: a retried request may be carried out twice`,
        'set retries.nonIdempotent: true if the callee de-duplicates requests (an idempotency key), or set retries.attempts to 0', ErrorCode.UNSAFE);
    }
    if (attempts > 0) {
      const backoff = _duration(scope, 'connectTo(retries.backoff)', r.backoff ?? Duration.millis(25));
      const perTry = r.perTryTimeout !== undefined ? _duration(scope, 'connectTo(retries.perTryTimeout)', r.perTryTimeout)
        : Duration.millis(Math.floor((ms(timeout) - attempts * ms(backoff)) / (attempts + 1)));
      for (const [prop, d] of [['retries.backoff', backoff], ['retries.perTryTimeout', perTry]] as const) {
        if (!(Number.isInteger(ms(d)) && ms(d) >= 1)) {
          throw _invalid(scope, `connectTo(${prop})`, fmt(d), 'must be a whole number of milliseconds, at least 1', 'use for example Duration.millis(500), or a longer timeout', ErrorCode.OUT_OF_RANGE);
        }
      }
      const worst = (attempts + 1) * ms(perTry) + attempts * ms(backoff);
      if (worst > ms(timeout)) {
        throw _invalid(scope, 'connectTo(retries)', `${attempts + 1} tries of ${fmt(perTry)} with ${fmt(backoff)} backoff`,
          `must fit in the call's timeout (${fmt(timeout)}), but its worst case takes ${worst}ms: the last tries would be cut off`,
          'lower retries.attempts or retries.perTryTimeout, or raise the timeout', ErrorCode.CONFLICT);
      }
      const statusCodes = [...(r.statusCodes ?? [502, 503, 504])];
      for (const code of statusCodes) _assertInteger(scope, 'connectTo(retries.statusCodes)', code, 500, 599, 'retry on server errors only (500 to 599): a 4xx answer fails the same way again');
      retries = { attempts, perTryTimeout: perTry, backoff, statusCodes: [...new Set(statusCodes)].sort(), nonIdempotent };
    }
  }
  const d = o.outlierDetection ?? {};
  const outlierDetection = {
    consecutive5xxErrors: d.consecutive5xxErrors ?? 5,
    consecutiveGatewayErrors: d.consecutiveGatewayErrors ?? 3,
    interval: _duration(scope, 'connectTo(outlierDetection.interval)', d.interval ?? Duration.seconds(10)),
    baseEjectionTime: _duration(scope, 'connectTo(outlierDetection.baseEjectionTime)', d.baseEjectionTime ?? Duration.seconds(30)),
    maxEjectionPercent: d.maxEjectionPercent ?? 50,
  };
  _assertInteger(scope, 'connectTo(outlierDetection.consecutive5xxErrors)', outlierDetection.consecutive5xxErrors, 1, 1000, 'eject after 1 to 1000 consecutive errors (5 is usual)');
  _assertInteger(scope, 'connectTo(outlierDetection.consecutiveGatewayErrors)', outlierDetection.consecutiveGatewayErrors, 1, 1000, 'eject after 1 to 1000 consecutive gateway errors (3 is usual)');
  _assertInteger(scope, 'connectTo(outlierDetection.maxEjectionPercent)', outlierDetection.maxEjectionPercent, 1, 100, 'eject at most 1 to 100 percent of the pods (50 keeps half serving)');
  for (const [prop, v] of [['interval', outlierDetection.interval], ['baseEjectionTime', outlierDetection.baseEjectionTime]] as const) {
    if (!(Number.isInteger(ms(v)) && ms(v) >= 1)) {
      throw _invalid(scope, `connectTo(outlierDetection.${prop})`, fmt(v), 'must be a whole number of milliseconds, at least 1', 'use for example Duration.seconds(30)', ErrorCode.OUT_OF_RANGE);
    }
  }
  const p = o.connectionPool ?? {};
  const maxRequests = p.maxRequests ?? 1000;
  const connectionPool = { maxConnections: p.maxConnections ?? 1000, maxPendingRequests: p.maxPendingRequests ?? 1000, maxRequests, maxRetries: p.maxRetries ?? Math.max(1, Math.floor(maxRequests / 5)) };
  for (const k of ['maxConnections', 'maxPendingRequests', 'maxRequests'] as const) {
    _assertInteger(scope, `connectTo(connectionPool.${k})`, connectionPool[k], 1, 4294967295, 'use a whole number of at least 1');
  }
  _assertInteger(scope, 'connectTo(connectionPool.maxRetries)', connectionPool.maxRetries, 1, connectionPool.maxRequests,
    `the retry budget must not exceed connectionPool.maxRequests (${connectionPool.maxRequests}): more retries in flight than requests multiply the load on a failing callee`);
  return { timeout, retries, outlierDetection, connectionPool };
}

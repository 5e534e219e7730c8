import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { _checkCidr } from '../internal/cidr';
import { _assertInteger, _checkType, _instanceOf, _invalid } from '../internal/errors';
import { GatewayTls } from './gateway-tls';
import { _checkHeaderName } from './route-match';
import { _GATEWAY_API_LIMITS } from './gateway-api-limits';
import { _assertDns1123Subdomain } from '../internal/errors';
import { CorsOptions, RateLimit } from './traffic-policy';
import { ErrorCode } from '../internal/configuration-error';
import { _duration, _wholeSeconds } from '../internal/duration';

/** Resolved CORS settings. @internal */
export interface _Cors {
  readonly allowOrigins: string[];
  readonly allowMethods: string[];
  readonly allowHeaders: string[];
  readonly exposeHeaders: string[];
  readonly allowCredentials: boolean;
  readonly maxAgeSeconds: number;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE'];
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:\d{1,5})?$/;

/** Throws unless the rate limit's numbers are whole and positive. */
export function _checkRateLimit(scope: IConstruct, rate: RateLimit): void {
  _instanceOf(scope, 'rateLimit', rate, RateLimit, 'use RateLimit.perSecond(...) or RateLimit.perMinute(...)');
  _assertInteger(scope, 'rateLimit.requests', rate.requests, 1, Number.MAX_SAFE_INTEGER,
    'allow at least 1 request per interval (use RateLimit.perMinute for fewer than one a second), or leave rateLimit unset for no limit');
  _assertInteger(scope, 'rateLimit.burstMultiplier', rate.burstMultiplier, 1, Number.MAX_SAFE_INTEGER, 'use a whole multiple of the rate, such as 5 (1 allows no burst)');
}

/**
 * The client ranges a gateway allows, checked: a copy, or [] when every client is
 * allowed (unset). Throws for an empty list or a malformed CIDR.
 */
export function _resolveSourceRanges(scope: IConstruct, ranges: string[] | undefined): string[] {
  if (ranges === undefined) {
    return [];
  }
  if (ranges.length === 0) {
    throw _invalid(scope, 'allowedSourceRanges', ranges, 'must list at least one CIDR', 'list the client ranges allowed, or leave allowedSourceRanges unset to allow every client', ErrorCode.MISSING_REQUIRED);
  }
  for (const cidr of ranges) {
    _checkCidr(scope, 'allowedSourceRanges', cidr);
  }
  return [...ranges];
}

/** Throws unless the certificate's Secret and issuer have valid names. */
export function _checkTls(scope: IConstruct, tls: GatewayTls, secretName: string): void {
  if (tls.issuerName !== undefined) {
    _assertDns1123Subdomain(scope, 'tls.issuerName', tls.issuerName, 'use the name of your cert-manager ClusterIssuer or Issuer, for example \'letsencrypt-prod\'');
  }
  _assertDns1123Subdomain(scope, 'tls.secretName', secretName, 'use a Secret name such as \'api-example-com-tls\'');
}

/** Validates CORS options and resolves their defaults. */
export function _resolveCors(scope: IConstruct, c: CorsOptions): _Cors {
  _checkType(scope, 'cors', c, 'object', 'pass CORS options such as { allowOrigins: [\'https://shop.example.com\'] }');
  _checkType(scope, 'cors.allowOrigins', c.allowOrigins, 'array', 'list the origins browsers may call from, such as [\'https://shop.example.com\']');
  const allowCredentials = c.allowCredentials ?? false;
  const origins = c.allowOrigins;
  if (origins.length === 0) {
    throw _invalid(scope, 'cors.allowOrigins', origins, 'must list at least one origin', 'list the web origins that call the APIs, for example [\'https://shop.example.com\'], or leave cors unset', ErrorCode.MISSING_REQUIRED);
  }
  for (const origin of origins) {
    if (origin === '*') {
      if (origins.length > 1) {
        throw _invalid(scope, 'cors.allowOrigins', origins, 'must not combine \'*\' with other origins', 'use [\'*\'] alone, or list the origins', ErrorCode.CONFLICT);
      }
      if (allowCredentials) {
        throw _invalid(scope, 'cors.allowOrigins', origin, 'must not be \'*\' when cors.allowCredentials is true: browsers reject credentials for any origin',
          'list the origins that may send credentials, or set allowCredentials to false', ErrorCode.CONFLICT);
      }
    } else if (!ORIGIN.test(origin)) {
      throw _invalid(scope, 'cors.allowOrigins', origin, 'must be an origin: a scheme, \'://\', a lower-case host (\'*.\' allowed as the first label) and an optional port, without a path',
        'write it like \'https://shop.example.com\' or \'https://*.example.com\'');
    }
  }
  const listed: Array<[string, string[], number]> = [
    ['cors.allowOrigins', origins, _GATEWAY_API_LIMITS.corsAllowOrigins],
    ['cors.allowHeaders', c.allowHeaders ?? [], _GATEWAY_API_LIMITS.corsAllowHeaders],
    ['cors.exposeHeaders', c.exposeHeaders ?? [], _GATEWAY_API_LIMITS.corsExposeHeaders],
  ];
  for (const [prop, list, max] of listed) {
    if (list.length > max) {
      throw _invalid(scope, prop, `${list.length} entries`, `must list at most ${max}: the HTTPRoute CORS filter holds at most ${max} (Gateway API ${_GATEWAY_API_LIMITS.version}, ${prop.slice(5)} maxItems)`,
        prop === 'cors.allowOrigins' ? 'allow a wildcard origin such as \'https://*.example.com\' instead of each subdomain' : 'list fewer headers', ErrorCode.OUT_OF_RANGE);
    }
  }
  const allowMethods = [...(c.allowMethods ?? ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])];
  for (const method of allowMethods) {
    if (!METHODS.includes(method)) {
      throw _invalid(scope, 'cors.allowMethods', method, `must be an HTTP method in upper case (${METHODS.join(', ')})`, `use for example '${method.toUpperCase()}'`, ErrorCode.UNKNOWN_OPTION);
    }
  }
  const allowHeaders = [...(c.allowHeaders ?? ['Authorization', 'Content-Type'])];
  const exposeHeaders = [...(c.exposeHeaders ?? [])];
  for (const [prop, list] of [['cors.allowHeaders', allowHeaders], ['cors.exposeHeaders', exposeHeaders]] as const) {
    for (const header of list) {
      _checkHeaderName(scope, prop, header);
    }
  }
  if (allowMethods.length === 0 || allowHeaders.length === 0) {
    const prop = allowMethods.length === 0 ? 'cors.allowMethods' : 'cors.allowHeaders';
    throw _invalid(scope, prop, [], 'must not be empty', `leave ${prop} unset for the defaults, or list what browsers may send`, ErrorCode.MISSING_REQUIRED);
  }
  return { allowOrigins: [...origins], allowMethods, allowHeaders, exposeHeaders, allowCredentials, maxAgeSeconds: _wholeSeconds(scope, 'cors.maxAge', c.maxAge ?? Duration.hours(1), 0, 'browsers read Access-Control-Max-Age in seconds') };
}

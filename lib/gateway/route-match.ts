import { IConstruct } from 'constructs';
import { _invalid } from '../internal/errors';
import { _GATEWAY_API_LIMITS } from './gateway-api-limits';
import { ErrorCode } from '../internal/configuration-error';

const HEADER = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * How a route's path matches request paths.
 *
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#pathmatchtype
 */
export class PathType {
  /** Matches the path and everything below it, element by element: `/orders` matches `/orders` and `/orders/42`, not `/ordersx`. */
  public static readonly PREFIX = new PathType('Prefix', 'PathPrefix');
  /** Matches exactly the path, nothing below it. */
  public static readonly EXACT = new PathType('Exact', 'Exact');

  private constructor(
    /** The Ingress `pathType` value. */
    public readonly value: string,
    /** The Gateway API `path.type` value. */
    public readonly gatewayApiValue: string,
  ) {}
}

/**
 * A condition on a request header that a route requires, besides its path.
 *
 * @example
 * HeaderMatch.exact('X-Api-Version', '2')
 */
export class HeaderMatch {
  /** The header must be present with exactly this value (names compare case-insensitively). */
  public static exact(name: string, value: string): HeaderMatch {
    return new HeaderMatch(name, value);
  }

  private constructor(
    /** The header name. */
    public readonly name: string,
    /** The value it must have. */
    public readonly value: string,
  ) {}

  /** @internal */
  public _check(scope: IConstruct, prop: string): void {
    _checkHeaderName(scope, prop, this.name);
    if (this.value.length === 0 || this.value.length > 4096 || /[\r\n\0]/.test(this.value)) {
      throw _invalid(scope, prop, this.value, 'must be a header value of 1 to 4096 characters without line breaks', 'match a non-empty value');
    }
  }
}

/**
 * A rewrite of the request path before it reaches the service.
 *
 * @example
 * PathRewrite.replacePrefix('/')      // /catalog/items -> /items (on a PathType.PREFIX route for /catalog)
 * PathRewrite.replaceFull('/health')
 */
export class PathRewrite {
  /** Replaces the matched prefix with `prefix` (PathType.PREFIX routes only). */
  public static replacePrefix(prefix: string): PathRewrite {
    return new PathRewrite('ReplacePrefixMatch', prefix);
  }

  /** Replaces the whole path with `path`. */
  public static replaceFull(path: string): PathRewrite {
    return new PathRewrite('ReplaceFullPath', path);
  }

  private constructor(
    /** The Gateway API rewrite type. */
    public readonly type: string,
    /** The replacement path. */
    public readonly path: string,
  ) {}
}

/**
 * Changes to HTTP headers of requests (before the service) or responses (before the client).
 */
export interface HeaderChanges {
  /**
   * Headers set to these values, replacing any value they had.
   *
   * @default - none
   */
  readonly set?: { [name: string]: string };

  /**
   * Headers added with these values, after any value they had.
   *
   * @default - none
   */
  readonly add?: { [name: string]: string };

  /**
   * Headers removed.
   *
   * @default - none
   */
  readonly remove?: string[];
}

/** Throws unless `name` is an HTTP header name. @internal */
export function _checkHeaderName(scope: IConstruct, prop: string, name: string): void {
  if (!HEADER.test(name)) {
    throw _invalid(scope, prop, name, 'must be an HTTP header name: letters, digits and !#$%&\'*+.^_`|~- with no spaces or commas', 'list each header separately, for example \'X-Request-Id\'', ErrorCode.INVALID_NAME);
  }
  const max = _GATEWAY_API_LIMITS.headerNameLength;
  if (name.length > max) {
    throw _invalid(scope, prop, name, `must be a header name of at most ${max} characters (Gateway API ${_GATEWAY_API_LIMITS.version}, header name maxLength), but has ${name.length}`, 'use a shorter header name', ErrorCode.OUT_OF_RANGE);
  }
}

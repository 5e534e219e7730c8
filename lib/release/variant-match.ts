import { IConstruct } from 'constructs';
import { _invalid } from '../internal/errors';
import { ErrorCode } from '../internal/configuration-error';
import { _checkHeaderName } from '../gateway/route-match';
import type { _TrackMatch } from '../workloads/release-track';

/** A token of RFC 9110 (a header name) and of RFC 6265 (a cookie name). */
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * Which requests an A/B release sends to the variant: those with a header, a cookie
 * or a query parameter of an exact value.
 */
export class VariantMatch {
  /**
   * Requests whose header `name` is exactly `value` (HTTP and gRPC routes).
   *
   * @param name an HTTP header name, such as `X-Variant`
   */
  public static header(name: string, value: string): VariantMatch {
    return new VariantMatch('header', name, value);
  }

  /**
   * Requests that carry cookie `name` with exactly `value` (HTTP routes; matched as a
   * regular expression on the Cookie header, an implementation-specific match of
   * Gateway API).
   */
  public static cookie(name: string, value: string): VariantMatch {
    return new VariantMatch('cookie', name, value);
  }

  /** Requests whose query parameter `name` is exactly `value` (HTTP routes). */
  public static query(name: string, value: string): VariantMatch {
    return new VariantMatch('query', name, value);
  }

  private constructor(
    /** What is matched: 'header', 'cookie' or 'query'. */
    public readonly type: 'header' | 'cookie' | 'query',
    /** The header, cookie or query parameter's name. */
    public readonly name: string,
    /** The exact value. */
    public readonly value: string,
  ) {}

  /**
   * Throws unless the name and value are valid for the match's type.
   * @internal
   */
  public _check(scope: IConstruct, prop: string): _TrackMatch {
    if (typeof this.name !== 'string' || typeof this.value !== 'string') {
      throw _invalid(scope, prop, `${this.name}=${this.value}`, 'must have a name and a value, both strings', 'use VariantMatch.header(\'X-Variant\', \'b\')', ErrorCode.WRONG_TYPE);
    }
    if (this.type === 'header') {
      _checkHeaderName(scope, `${prop}.name`, this.name);
    } else if (!TOKEN.test(this.name) || (this.type === 'query' && this.name.length > 256)) {
      throw _invalid(scope, `${prop}.name`, this.name,
        `must be a ${this.type === 'cookie' ? 'cookie' : 'query parameter'} name: letters, digits and !#$%&'*+.^_\`|~- with no spaces, '=' or ';'${this.type === 'query' ? ', at most 256 characters' : ''}`,
        `use a name such as 'variant'`, ErrorCode.INVALID_NAME);
    }
    // visible ASCII without ';' and ',' for a cookie (RFC 6265 cookie-octet), without control characters otherwise
    const valid = this.type === 'cookie' ? /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/ : /^[\x20-\x7E]+$/;
    if (!valid.test(this.value) || this.value.length > 1024) {
      throw _invalid(scope, `${prop}.value`, this.value,
        `must be 1 to 1024 visible ASCII characters${this.type === 'cookie' ? ' without spaces, quotes, commas, semicolons or backslashes (a cookie value)' : ''}`,
        'use a short token such as \'b\'', ErrorCode.INVALID_VALUE);
    }
    return { type: this.type, name: this.name, value: this.value };
  }
}

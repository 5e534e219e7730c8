import { IConstruct } from 'constructs';
import { _checkCidr } from '../internal/cidr';
import { _invalid } from '../internal/errors';
import { ErrorCode } from '../internal/configuration-error';

/** Default ports of the URL schemes backing services use. */
const DEFAULT_PORTS: { [scheme: string]: number } = {
  'postgres': 5432, 'postgresql': 5432, 'mysql': 3306, 'mariadb': 3306, 'sqlserver': 1433,
  'mongodb': 27017, 'redis': 6379, 'rediss': 6379, 'memcached': 11211,
  'amqp': 5672, 'amqps': 5671, 'nats': 4222, 'kafka': 9092,
  'http': 80, 'https': 443,
};

/**
 * Options of a backing service outside the cluster.
 */
export interface BackingServiceOptions {
  /**
   * The networks the backing service lives in (its subnet, or the addresses of a
   * managed service's endpoints). The service's pods may open connections to them
   * on the URL's port, and nowhere else beyond the platform.
   */
  readonly cidrs: string[];
}

/**
 * A backing service (a database, cache or broker) outside the cluster, attached
 * by URL (12-factor): the URL is configuration, so one can be swapped without a code
 * change; credentials never go in it (use `addSecret`).
 *
 * @example
 * BackingService.fromUrl('postgresql://orders-db.internal:5432/orders?sslmode=verify-full', { cidrs: ['10.20.0.0/16'] })
 */
export class BackingService {
  /**
   * A backing service reached at `url`, in the networks `cidrs`.
   */
  public static fromUrl(url: string, options: BackingServiceOptions): BackingService {
    return new BackingService(url, [...options.cidrs]);
  }

  private constructor(
    /** The URL handed to the service. */
    public readonly url: string,
    /** The networks egress is opened to. */
    public readonly cidrs: string[],
  ) {}

  /**
   * Checks the URL and networks; returns the port to open.
   * @internal
   */
  public _port(scope: IConstruct, prop: string): number {
    let parsed: URL;
    try {
      parsed = new URL(this.url);
      if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#]/i.test(this.url) || parsed.hostname === '') {
        // 'db.internal:5432/orders' parses, with 'db.internal' as its scheme
        throw new Error('no scheme://host');
      }
    } catch {
      throw _invalid(scope, `${prop}.url`, redact(this.url), 'must be an absolute URL with a scheme and a host, such as \'postgresql://orders-db.internal:5432/orders\'',
        'write the URL as scheme://host:port/path');
    }
    if (parsed.password !== '') {
      throw _invalid(scope, `${prop}.url`, '(value not shown)', 'must not carry a password',
        'remove the credentials from the URL and mount them with addSecret(id, SecretSource.fromExternalSecret(...))', ErrorCode.PLAINTEXT_SECRET);
    }
    const scheme = parsed.protocol.replace(/:$/, '');
    const port = parsed.port !== '' ? Number(parsed.port) : DEFAULT_PORTS[scheme];
    if (port === undefined) {
      throw _invalid(scope, `${prop}.url`, redact(this.url), `must name its port: the scheme '${scheme}' has no default this library knows`,
        'add the port to the URL, for example \'' + scheme + '://host:1234\'');
    }
    if (this.cidrs.length === 0) {
      throw _invalid(scope, `${prop}.cidrs`, [], 'must name at least one network the backing service lives in', 'pass its subnet, for example [\'10.20.0.0/16\']', ErrorCode.MISSING_REQUIRED);
    }
    for (const cidr of this.cidrs) {
      _checkCidr(scope, `${prop}.cidrs`, cidr);
    }
    return port;
  }
}

/** The URL with any user information hidden, for messages. */
function redact(url: string): string {
  return url.replace(/\/\/[^/?#]*@/, '//***@');
}

import { IConstruct } from 'constructs';
import { _invalid } from './_errors';

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
    } catch {
      throw _invalid(scope, `${prop}.url`, redact(this.url), 'must be an absolute URL such as \'postgresql://orders-db.internal:5432/orders\'',
        'write the URL with its scheme and host');
    }
    if (parsed.password !== '') {
      throw _invalid(scope, `${prop}.url`, '(value not shown)', 'must not carry a password',
        'remove the credentials from the URL and mount them with addSecret(id, SecretSource.fromExternalSecret(...))');
    }
    const scheme = parsed.protocol.replace(/:$/, '');
    const port = parsed.port !== '' ? Number(parsed.port) : DEFAULT_PORTS[scheme];
    if (port === undefined) {
      throw _invalid(scope, `${prop}.url`, redact(this.url), `must name its port: the scheme '${scheme}' has no default this library knows`,
        'add the port to the URL, for example \'' + scheme + '://host:1234\'');
    }
    if (this.cidrs.length === 0) {
      throw _invalid(scope, `${prop}.cidrs`, [], 'must name at least one network the backing service lives in', 'pass its subnet, for example [\'10.20.0.0/16\']');
    }
    for (const cidr of this.cidrs) {
      if (!_isCidr(cidr)) {
        throw _invalid(scope, `${prop}.cidrs`, cidr, 'must be an IPv4 or IPv6 network in CIDR notation', 'write it as address/prefix, for example \'10.20.0.0/16\' or \'10.20.3.4/32\'');
      }
      if (/\/0$/.test(cidr)) {
        throw _invalid(scope, `${prop}.cidrs`, cidr, 'must not open egress to every address', 'name the backing service\'s own subnet or addresses');
      }
    }
    return port;
  }
}

/** The URL with any user information hidden, for messages. */
function redact(url: string): string {
  return url.replace(/\/\/[^/?#]*@/, '//***@');
}

/**
 * Whether `value` is an IPv4 or IPv6 network in CIDR notation.
 * @internal
 */
export function _isCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  if (rest.length > 0 || prefix === undefined || !/^\d{1,3}$/.test(prefix)) {
    return false;
  }
  const bits = Number(prefix);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) {
    return bits <= 32 && address.split('.').every(o => Number(o) <= 255);
  }
  return address.includes(':') && /^[0-9a-fA-F:]+$/.test(address) && bits <= 128;
}

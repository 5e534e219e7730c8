import { IConstruct } from 'constructs';
import { _assertInteger, _instanceOf, _invalid } from '../internal/errors';
import { ErrorCode } from '../internal/configuration-error';

const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/**
 * The application protocol a port speaks. It selects the URL scheme handed to
 * callers and, for HTTP and gRPC, the Service port's `appProtocol` (meshes and
 * gateways read it); a plain TCP port gets none.
 */
export class PortProtocol {
  /** Plain HTTP/1.1 or HTTP/2 cleartext. URLs are `http://host:port`. */
  public static readonly HTTP = new PortProtocol('http', 'http', 'http');
  /** gRPC. Targets are `dns:///host:port`, the gRPC name-resolution syntax. */
  public static readonly GRPC = new PortProtocol('grpc', 'grpc', 'grpc');
  /** Any other TCP protocol. URLs are `tcp://host:port`. */
  public static readonly TCP = new PortProtocol('tcp', 'tcp', undefined);

  private constructor(
    /** The protocol's name, the default port name. */
    public readonly name: string,
    /** The URL scheme callers get. */
    public readonly scheme: string,
    /** The Service port's `appProtocol`, if the protocol has a well-known one. */
    public readonly appProtocol: string | undefined,
  ) {}
}

/**
 * Options for a named port.
 */
export interface PortOptions {
  /**
   * The port name. It is what probes, Services and calls refer to.
   *
   * @default - the protocol name: `http`, `grpc` or `tcp`
   */
  readonly name?: string;

  /**
   * The port the Service exposes, which callers use.
   *
   * @default - the same number as the container port
   */
  readonly servicePort?: number;
}

/**
 * A named TCP port that the microservice's container listens on and its Service
 * exposes.
 *
 * @example
 * Port.http(8080)
 * Port.grpc(9090, { servicePort: 443 })
 * Port.tcp(6379, { name: 'redis' })
 */
export class Port {
  /** An HTTP port, named `http` unless told otherwise. */
  public static http(containerPort: number, options: PortOptions = {}): Port {
    return new Port(PortProtocol.HTTP, containerPort, options);
  }

  /** A gRPC port, named `grpc` unless told otherwise. */
  public static grpc(containerPort: number, options: PortOptions = {}): Port {
    return new Port(PortProtocol.GRPC, containerPort, options);
  }

  /** A plain TCP port, named `tcp` unless told otherwise. */
  public static tcp(containerPort: number, options: PortOptions = {}): Port {
    return new Port(PortProtocol.TCP, containerPort, options);
  }

  /** The port name (an IANA service name: at most 15 characters). */
  public readonly name: string;
  /** The port the container listens on. */
  public readonly containerPort: number;
  /** The port the Service exposes. */
  public readonly servicePort: number;
  /** The application protocol. */
  public readonly protocol: PortProtocol;

  /**
   * Throws unless the ports have IANA names and valid, distinct numbers.
   * @internal
   */
  public static _checkAll(scope: IConstruct, ports: Port[]): void {
    ports.forEach((port, i) => _instanceOf(scope, `ports[${i}]`, port, Port, 'use Port.http(8080), Port.grpc(9090) or Port.tcp(5432)'));
    const seen = { name: new Map<string, Port>(), containerPort: new Map<number, Port>(), servicePort: new Map<number, Port>() };
    for (const port of ports) {
      if (port.name.length > 15 || !PORT_NAME.test(port.name) || !/[a-z]/.test(port.name) || port.name.includes('--')) {
        throw _invalid(scope, 'ports[].name', port.name,
          'must be an IANA service name: at most 15 lower-case letters, digits and \'-\', with at least one letter, no \'--\' and no \'-\' at either end',
          'rename the port, for example \'http\' or \'grpc-api\'', ErrorCode.INVALID_NAME);
      }
      _assertInteger(scope, `ports[${port.name}].containerPort`, port.containerPort, 1, 65535, 'use a port from 1 to 65535 (above 1024: the container runs as non-root)');
      _assertInteger(scope, `ports[${port.name}].servicePort`, port.servicePort, 1, 65535, 'use a port from 1 to 65535');
      for (const key of ['name', 'containerPort', 'servicePort'] as const) {
        const map = seen[key] as Map<string | number, Port>;
        const other = map.get(port[key]);
        if (other) {
          throw _invalid(scope, `ports[].${key}`, port[key], `must be unique, but ports '${other.name}' and '${port.name}' share it`,
            `give each port its own ${key}`, ErrorCode.DUPLICATE);
        }
        map.set(port[key], port);
      }
    }
  }

  private constructor(protocol: PortProtocol, containerPort: number, options: PortOptions) {
    this.protocol = protocol;
    this.containerPort = containerPort;
    this.name = options.name ?? protocol.name;
    this.servicePort = options.servicePort ?? containerPort;
  }
}

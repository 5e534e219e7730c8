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

  private constructor(protocol: PortProtocol, containerPort: number, options: PortOptions) {
    this.protocol = protocol;
    this.containerPort = containerPort;
    this.name = options.name ?? protocol.name;
    this.servicePort = options.servicePort ?? containerPort;
  }
}

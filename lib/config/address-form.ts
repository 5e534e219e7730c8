/**
 * Options of the host-and-port address form.
 */
export interface HostAndPortOptions {
  /**
   * The variable that holds the host.
   *
   * @default - `<CALLEE>_HOST` for a call that names no port, `<CALLEE>_<PROTOCOL>_HOST` for a call that names its port
   */
  readonly hostVar?: string;

  /**
   * The variable that holds the port number.
   *
   * @default - `<CALLEE>_PORT` for a call that names no port, `<CALLEE>_<PROTOCOL>_PORT` for a call that names its port
   */
  readonly portVar?: string;
}

/**
 * How a declared call hands the callee's address to the caller (`connectTo`'s
 * `address`): a URL, `host:port`, the host and the port in two variables, or no
 * variable at all. Names are the callee's name in upper case with '-' as '_', plus
 * the port's protocol (HTTP, GRPC, TCP) for a call that names its port: never the
 * port's name or position, so renaming or reordering ports renames no variable.
 *
 * @example
 * orders.connectTo(cache, { address: AddressForm.hostPort() })        // CARTS_DB_ADDR=carts-db.orders.svc.cluster.local:6379
 * orders.connectTo(kafka, { address: AddressForm.hostAndPort() })     // KAFKA_HOST=..., KAFKA_PORT=9092
 * orders.connectTo(auth, { address: AddressForm.none() })             // only the network rule
 */
export class AddressForm {
  /** `http://host:port`, `dns:///host:port` for gRPC, `tcp://host:port`, in `<CALLEE>_URL`. The default. */
  public static url(): AddressForm {
    return new AddressForm('url', {});
  }

  /** `host:port`, in `<CALLEE>_ADDR`. */
  public static hostPort(): AddressForm {
    return new AddressForm('hostPort', {});
  }

  /** The host and the port in two variables, `<CALLEE>_HOST` and `<CALLEE>_PORT`. */
  public static hostAndPort(options: HostAndPortOptions = {}): AddressForm {
    return new AddressForm('hostAndPort', { ...options });
  }

  /** No variable: the call is declared (network policy on both sides) and the caller finds the callee by itself. */
  public static none(): AddressForm {
    return new AddressForm('none', {});
  }

  private constructor(
    /** The form's name: `url`, `hostPort`, `hostAndPort` or `none`. */
    public readonly name: string,
    private readonly options: HostAndPortOptions,
  ) {}

  /** Whether `envVar` names the one variable of this form. @internal */
  public get _single(): boolean {
    return this.name === 'url' || this.name === 'hostPort';
  }

  /**
   * The variables this form sets, by name, for a callee address.
   * @param base the default name stem: `<CALLEE>` or `<CALLEE>_<PROTOCOL>`
   * @param envVar the caller's name for the single variable, if given
   * @internal
   */
  public _variables(base: string, envVar: string | undefined, address: { url: string; host: string; port: number }): { [name: string]: string } {
    switch (this.name) {
      case 'url':
        return { [envVar ?? `${base}_URL`]: address.url };
      case 'hostPort':
        return { [envVar ?? `${base}_ADDR`]: `${address.host}:${address.port}` };
      case 'hostAndPort':
        return { [this.options.hostVar ?? `${base}_HOST`]: address.host, [this.options.portVar ?? `${base}_PORT`]: `${address.port}` };
      default:
        return {};
    }
  }
}

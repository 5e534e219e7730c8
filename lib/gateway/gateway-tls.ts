/**
 * Options for TLS certificates issued by cert-manager.
 */
export interface CertManagerOptions {
  /**
   * Whether the issuer is a ClusterIssuer (`cert-manager.io/cluster-issuer`) rather
   * than an Issuer (`cert-manager.io/issuer`) in the namespace of the Gateway (or,
   * for an IngressGateway, of every routed service).
   *
   * @default true
   */
  readonly clusterIssuer?: boolean;

  /**
   * The Secret cert-manager writes the certificate to.
   *
   * @default - '<gateway>-tls'
   */
  readonly secretName?: string;
}

/**
 * Where a gateway's TLS certificate comes from. TLS terminates at the gateway.
 *
 * An `ApiGateway` (Gateway API) has one certificate for all its hosts, in one Secret
 * in the Gateway's namespace. An `IngressGateway` needs the Secret in every namespace
 * that has a routed service (an Ingress only reads Secrets of its own namespace).
 *
 * @example
 * GatewayTls.certManager('letsencrypt-prod')
 * GatewayTls.fromSecret('api-example-com-tls')
 */
export class GatewayTls {
  /**
   * A certificate in an existing `kubernetes.io/tls` Secret, which you create with
   * this name; its certificate must cover every host of the gateway.
   */
  public static fromSecret(secretName: string): GatewayTls {
    return new GatewayTls(secretName, undefined, true);
  }

  /**
   * A certificate that cert-manager issues and renews: the annotation on the
   * Gateway (or each Ingress) makes cert-manager write a certificate for its HTTPS
   * hosts to the Secret.
   *
   * With an ACME HTTP-01 issuer, cert-manager runs solver pods that the gateway
   * must reach; prefer a DNS-01 issuer.
   *
   * @param issuerName the name of the ClusterIssuer (or Issuer) to use
   * @see https://cert-manager.io/docs/usage/gateway/
   */
  public static certManager(issuerName: string, options: CertManagerOptions = {}): GatewayTls {
    return new GatewayTls(options.secretName, issuerName, options.clusterIssuer ?? true);
  }

  /** The Secret that holds the certificate, when given; otherwise the gateway names it `<gateway>-tls`. */
  public readonly secretName?: string;
  /** The cert-manager issuer, when cert-manager issues the certificate. */
  public readonly issuerName?: string;
  /** Whether `issuerName` names a ClusterIssuer. */
  public readonly clusterIssuer: boolean;

  private constructor(secretName: string | undefined, issuerName: string | undefined, clusterIssuer: boolean) {
    this.secretName = secretName;
    this.issuerName = issuerName;
    this.clusterIssuer = clusterIssuer;
  }

  /**
   * The annotations that make cert-manager issue the certificate, if it does.
   * @internal
   */
  public _annotations(): { [key: string]: string } {
    if (this.issuerName === undefined) {
      return {};
    }
    return { [this.clusterIssuer ? 'cert-manager.io/cluster-issuer' : 'cert-manager.io/issuer']: this.issuerName };
  }
}

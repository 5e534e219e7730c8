import { Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { ApiGateway, GatewayTls, Platform, RateLimit, Retries } from '../lib';
import { AccountsContext } from './accounts';
import { PROD } from './environments';
import { CatalogContext } from './catalog';
import { OrdersContext } from './orders';

/**
 * The sales platform's public API on Gateway API (Envoy Gateway): the catalog,
 * accounts and orders APIs under the environment's API host, with a certificate from
 * the environment's cert-manager issuer (plain HTTP in dev).
 * Everything else (auth, reviews, payments, notifications) stays unreachable from
 * outside the cluster.
 */
export class SalesGateway extends ApiGateway {
  /** The host the public APIs are served on in production. */
  public static readonly HOST = 'api.sales.example.com';

  constructor(scope: Construct, platform: Platform, accounts: AccountsContext, catalog: CatalogContext, orders: OrdersContext) {
    // hosts, the certificate issuer (or plain HTTP) and who may call come from the environment
    const env = platform.environment ?? PROD;
    const host = env.host('api');
    super(scope, 'gateway', {
      platform,
      hosts: [host],
      rateLimit: RateLimit.perSecond(50, { burstMultiplier: 1 }),
      maxRequestBodySize: Size.mebibytes(2),
      retries: Retries.onConnectionFailure(2),
      clientTimeouts: { requestReceived: Duration.seconds(30), idle: Duration.minutes(5) },
      cors: { allowOrigins: [`https://${env.host('shop')}`], allowCredentials: true },
      ...(platform.environment === undefined ? { tls: GatewayTls.certManager(PROD.tlsIssuer!) } : {}),
    });

    this.addRoute({ host, path: '/catalog', service: catalog.products });
    this.addRoute({ host, path: '/accounts', service: accounts.accounts });
    this.addRoute({ host, path: '/orders', service: orders.orders, timeout: Duration.seconds(30) });
  }
}

import { Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { ApiGateway, GatewayTls, Platform, RateLimit, Retries } from '../lib';
import { AccountsContext } from './accounts';
import { CatalogContext } from './catalog';
import { OrdersContext } from './orders';

/**
 * The sales platform's public API on Gateway API (Envoy Gateway): the catalog,
 * accounts and orders APIs under one host, with a certificate from cert-manager.
 * Everything else (auth, reviews, payments, notifications) stays unreachable from
 * outside the cluster.
 */
export class SalesGateway extends ApiGateway {
  /** The host the public APIs are served on. */
  public static readonly HOST = 'api.sales.example.com';

  constructor(scope: Construct, platform: Platform, accounts: AccountsContext, catalog: CatalogContext, orders: OrdersContext) {
    super(scope, 'gateway', {
      platform,
      hosts: [SalesGateway.HOST],
      tls: GatewayTls.certManager('letsencrypt-prod'),
      rateLimit: RateLimit.perSecond(50, { burstMultiplier: 1 }),
      maxRequestBodySize: Size.mebibytes(2),
      retries: Retries.onConnectionFailure(2),
      clientTimeouts: { requestReceived: Duration.seconds(30), idle: Duration.minutes(5) },
      cors: { allowOrigins: ['https://shop.sales.example.com'], allowCredentials: true },
    });

    this.addRoute({ host: SalesGateway.HOST, path: '/catalog', service: catalog.products });
    this.addRoute({ host: SalesGateway.HOST, path: '/accounts', service: accounts.accounts });
    this.addRoute({ host: SalesGateway.HOST, path: '/orders', service: orders.orders, timeout: Duration.seconds(30) });
  }
}

import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { BackingService, BoundedContext, Image, Microservice, Platform, Port, Probe } from '../lib';
import { AccountsContext } from './accounts';

/** The private subnet of the catalog context's managed databases. */
const DATABASE_SUBNET = '10.20.2.0/24';

/**
 * The catalog context: the products on sale and their reviews.
 */
export class CatalogContext extends BoundedContext {
  /** The product catalog, the busiest read API. */
  public readonly products: Microservice;
  /** Customer reviews of products. */
  public readonly reviews: Microservice;

  constructor(scope: Construct, platform: Platform, accounts: AccountsContext) {
    super(scope, 'catalog', {
      platform,
      team: 'catalog-team',
      quota: { cpuRequests: Cpu.units(6), cpuLimits: Cpu.units(20), memoryRequests: Size.gibibytes(12), memoryLimits: Size.gibibytes(24), pods: 40 },
    });


    this.products = new Microservice(this, 'products', {
      image: Image.fromTag('ghcr.io/acme-sales/products', '1.8.2'),
      ports: [Port.http(8080)],
      readiness: Probe.http('/ready'),
      liveness: Probe.http('/live'),
      startup: Probe.http('/started', { period: Duration.seconds(5), failureThreshold: 24 }),
      minReplicas: 3,
      maxReplicas: 12,
      targetCpuUtilization: 60,
      resources: {
        cpu: { request: Cpu.millis(200), limit: Cpu.millis(1000) },
        memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) },
      },
      env: {
        CACHE_TTL_SECONDS: '60',
        LOG_FORMAT: 'json',
      },
      configFiles: {
        'catalog.yaml': [
          'search:',
          '  pageSize: 50',
          '  maxPageSize: 200',
          'images:',
          '  cdn: https://img.sales.example.com',
          '  sizes: [160, 480, 1200]',
          '',
        ].join('\n'),
      },
    });
    this.products.addBackingService('DATABASE_URL', BackingService.fromUrl(
      'postgresql://products-db.catalog.sales.internal:5432/products?sslmode=verify-full', { cidrs: [DATABASE_SUBNET] }));

    this.reviews = new Microservice(this, 'reviews', {
      image: Image.fromTag('ghcr.io/acme-sales/reviews', '1.3.0'),
      ports: [Port.http(8080)],
      readiness: Probe.http('/ready'),
      liveness: Probe.http('/live'),
      env: {
        LOG_FORMAT: 'json',
      },
    });
    this.reviews.addBackingService('DATABASE_URL', BackingService.fromUrl(
      'postgresql://reviews-db.catalog.sales.internal:5432/reviews?sslmode=verify-full', { cidrs: [DATABASE_SUBNET] }));

    this.products.connectTo(this.reviews);
    this.products.connectTo(accounts.auth, { port: 'grpc' });
    this.reviews.connectTo(accounts.auth, { port: 'grpc' });
    this.reviews.connectTo(accounts.accounts);
  }
}

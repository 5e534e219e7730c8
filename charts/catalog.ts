import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  AddressForm, BackingService, BoundedContext, Image, Instrumentation, Microservice, Platform, PodManagementPolicy, Port, Probe, Release, ServiceAlerts, Slo,
  StatefulService, Volume, VolumeClaim, WorkloadMetrics,
} from '../lib';
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
  /** The products service's own cache (database per service: only products reaches it). */
  public readonly productsCache: StatefulService;

  constructor(scope: Construct, platform: Platform, accounts: AccountsContext) {
    super(scope, 'catalog', {
      platform,
      team: 'catalog-team',
      // room for products' canary at its maximum beside the stable track (the quota check counts both)
      quota: { cpuRequests: Cpu.units(6), cpuLimits: Cpu.units(26), memoryRequests: Size.gibibytes(14), memoryLimits: Size.gibibytes(24), pods: 40 },
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
      },
      // a canary in progress: 1.9.0 beside 1.8.2, a tenth of the gateway's requests (README, Releases)
      release: Release.canary({ image: Image.fromTag('ghcr.io/acme-sales/products', '1.9.0'), weight: 10, minReplicas: 2, maxReplicas: 4 }),
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
    // resized product images, rebuilt on demand: scratch space on the node's disk, gone with the pod
    this.products.addVolume(Volume.emptyDir('image-cache', { sizeLimit: Size.mebibytes(256) }), { mountPath: '/var/cache/products', writable: true });
    this.products.addBackingService('DATABASE_URL', BackingService.fromUrl(
      'postgresql://products-db.catalog.sales.internal:5432/products?sslmode=verify-full', { cidrs: [DATABASE_SUBNET] }));

    this.reviews = new Microservice(this, 'reviews', {
      image: Image.fromTag('ghcr.io/acme-sales/reviews', '1.3.0'),
      ports: [Port.http(8080)],
      readiness: Probe.http('/ready'),
      liveness: Probe.http('/live'),
    });
    this.reviews.addBackingService('DATABASE_URL', BackingService.fromUrl(
      'postgresql://reviews-db.catalog.sales.internal:5432/reviews?sslmode=verify-full', { cidrs: [DATABASE_SUBNET] }));

    this.productsCache = new StatefulService(this, 'products-cache', {
      image: Image.fromTag('docker.io/library/redis', '7.2.5'),
      ports: [Port.tcp(6379, { name: 'redis' })],
      command: ['redis-server', '/etc/config/redis.conf'],
      readiness: Probe.exec(['redis-cli', 'ping']),
      liveness: Probe.tcp({ port: 'redis' }),
      owners: [this.products],
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      claims: [VolumeClaim.of('data', { size: Size.gibibytes(2), mountPath: '/data' })],
      resources: {
        cpu: { request: Cpu.millis(200), limit: Cpu.millis(1000) },
        memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) },
      },
      configFiles: {
        'redis.conf': ['dir /data', 'appendonly yes', 'maxmemory 384mb', 'maxmemory-policy allkeys-lru', ''].join('\n'),
      },
    });

    // Prometheus metrics of the cache, from a native sidecar that reads redis over localhost
    this.productsCache.addSidecar('metrics', {
      image: Image.fromTag('ghcr.io/acme-sales/redis-exporter', '1.62.0'),
      ports: [Port.http(9121, { name: 'metrics' })],
      readiness: Probe.http('/health', { port: 'metrics' }),
      liveness: Probe.tcp({ port: 'metrics' }),
      env: { REDIS_ADDR: 'localhost:6379' },
      resources: {
        cpu: { request: Cpu.millis(20), limit: Cpu.millis(100) },
        memory: { request: Size.mebibytes(32), limit: Size.mebibytes(32) },
      },
    });

    // redis clients take host:port
    this.products.connectTo(this.productsCache, { address: AddressForm.hostPort() });
    // products only reads reviews: the mesh lets it GET and nothing else
    this.products.connectTo(this.reviews, { methods: ['GET', 'HEAD'] });
    this.products.connectTo(accounts.auth, { port: 'grpc' });
    this.reviews.connectTo(accounts.auth, { port: 'grpc' });
    this.reviews.connectTo(accounts.accounts);

    // the public products API holds two objectives: three nines of its requests succeed,
    // and 99% are answered within 250 ms (a bucket boundary of OpenTelemetry's histogram)
    new WorkloadMetrics(this.products, 'metrics', { port: 'http' });
    new ServiceAlerts(this.products, 'alerts', {
      instrumentation: Instrumentation.openTelemetryHttp(),
      slos: [Slo.availability(99.9), Slo.latency(99, Duration.millis(250))],
    });
    new WorkloadMetrics(this.reviews, 'metrics', { port: 'http' });
    new ServiceAlerts(this.reviews, 'alerts', { instrumentation: Instrumentation.openTelemetryHttp() });
    // the cache's exporter sidecar (a PodMonitor): watched for its target going down
    new WorkloadMetrics(this.productsCache, 'metrics', { port: 'metrics' });
    new ServiceAlerts(this.productsCache, 'alerts');
  }
}

import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  ArgoCdHook, ArgoCdSyncWave, BackingService, BoundedContext, Image, Instrumentation, Job, Microservice, Platform, Port, PriorityTier, Probe, RemoteRef, SecretSource, SecretStore,
  ServiceAlerts, Slo, Worker, WorkloadMetrics,
} from '../lib';
import { AccountsContext } from './accounts';
import { CatalogContext } from './catalog';

/** The private subnet of the orders context's managed databases. */
const DATABASE_SUBNET = '10.20.3.0/24';

/**
 * The orders context: placing orders, taking payments and telling customers.
 */
export class OrdersContext extends BoundedContext {
  /** Places and tracks orders. */
  public readonly orders: Microservice;
  /** Charges customers through the payment provider (gRPC). */
  public readonly payments: Microservice;
  /** Sends order confirmations and shipping notices. */
  public readonly notifications: Microservice;
  /** Relays the orders' outbox to notifications, in order. */
  public readonly outboxRelay: Worker;
  /** Migrates the orders database's schema before each release. */
  public readonly migrate: Job;

  constructor(scope: Construct, platform: Platform, accounts: AccountsContext, catalog: CatalogContext) {
    super(scope, 'orders', {
      platform,
      team: 'orders-team',
      quota: { cpuRequests: Cpu.units(6), cpuLimits: Cpu.units(26), memoryRequests: Size.gibibytes(12), memoryLimits: Size.gibibytes(24), pods: 40 },
    });


    this.orders = new Microservice(this, 'orders', {
      image: Image.fromTag('ghcr.io/acme-sales/orders', '4.0.3'),
      ports: [Port.http(8080)],
      readiness: Probe.http('/ready'),
      liveness: Probe.http('/live'),
      minReplicas: 3,
      maxReplicas: 10,
      resources: {
        cpu: { request: Cpu.millis(250), limit: Cpu.millis(1000) },
        memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) },
      },
      env: {
        DATABASE_CREDENTIALS_DIR: '/var/run/secrets/db',
      },
    });
    this.orders.addBackingService('DATABASE_URL', BackingService.fromUrl(
      'postgresql://orders-db.orders.sales.internal:5432/orders?sslmode=verify-full', { cidrs: [DATABASE_SUBNET] }));
    // database credentials rotate in Vault; mounted files pick up new values without a restart
    this.orders.addSecret('db', SecretSource.fromExternalSecret({
      store: SecretStore.cluster('vault'),
      data: {
        username: RemoteRef.of('sales/orders/database', { property: 'username' }),
        password: RemoteRef.of('sales/orders/database', { property: 'password' }),
      },
      refreshInterval: Duration.minutes(15),
    }));

    this.payments = new Microservice(this, 'payments', {
      image: Image.fromTag('ghcr.io/acme-sales/payments', '2.11.0'),
      ports: [Port.grpc(9090), Port.http(8081, { name: 'http-admin' })],
      readiness: Probe.grpc(),
      liveness: Probe.http('/live', { port: 'http-admin' }),
      priority: PriorityTier.CRITICAL,
      minReplicas: 3,
      maxReplicas: 6,
      terminationGracePeriod: Duration.seconds(60),
      preStopDelay: Duration.seconds(10),
      resources: {
        cpu: { request: Cpu.millis(250), limit: Cpu.millis(1000) },
        memory: { request: Size.mebibytes(384), limit: Size.mebibytes(384) },
      },
      env: {
        PAYMENT_PROVIDER_KEY_FILE: '/var/run/secrets/provider/api-key',
      },
    });
    // the payment provider's published API address range
    this.payments.addBackingService('PAYMENT_PROVIDER_URL', BackingService.fromUrl(
      'https://api.payments-provider.example/v2', { cidrs: ['203.0.113.0/24'] }));
    this.payments.addBackingService('DATABASE_URL', BackingService.fromUrl(
      'postgresql://payments-db.orders.sales.internal:5432/payments?sslmode=verify-full', { cidrs: [DATABASE_SUBNET] }));
    // the payment provider's API key lives in Vault; external-secrets syncs it hourly
    this.payments.addSecret('provider', SecretSource.fromExternalSecret({
      store: SecretStore.cluster('vault'),
      data: { 'api-key': RemoteRef.of('sales/payments/provider', { property: 'api_key' }) },
      refreshInterval: Duration.hours(1),
    }));

    this.notifications = new Microservice(this, 'notifications', {
      image: Image.fromTag('ghcr.io/acme-sales/notifications', '1.5.4'),
      ports: [Port.http(8080)],
      readiness: Probe.http('/ready'),
      liveness: Probe.tcp(),
      priority: PriorityTier.BATCH,
    });
    this.notifications.addBackingService('DATABASE_URL', BackingService.fromUrl(
      'postgresql://notifications-db.orders.sales.internal:5432/notifications?sslmode=verify-full', { cidrs: [DATABASE_SUBNET] }));

    // one notifications replica dispatches at a time; the others stand by
    this.notifications.grantLeaderElection();

    // the transactional outbox: orders writes events with its data, the relay hands
    // them on; one relay at a time keeps them in order
    this.outboxRelay = new Worker(this, 'outbox-relay', {
      image: Image.fromTag('ghcr.io/acme-sales/orders', '4.0.3'),
      args: ['outbox-relay'],
      readiness: Probe.exec(['/app/orders', 'outbox-relay', '--check', 'ready']),
      liveness: Probe.exec(['/app/orders', 'outbox-relay', '--check', 'alive'], { period: Duration.seconds(30) }),
      replicas: 1,
      // the OpenTelemetry Prometheus exporter's port: the relay serves nothing else
      ports: [Port.http(9464, { name: 'metrics' })],
    });
    this.outboxRelay.addBackingService('DATABASE_URL', BackingService.fromUrl(
      'postgresql://orders-db.orders.sales.internal:5432/orders?sslmode=verify-full', { cidrs: [DATABASE_SUBNET] }));
    this.outboxRelay.connectTo(this.notifications);

    // the schema migration runs before Argo CD applies the new release: a Sync hook in the wave after
    // its secrets and before the workloads (a PreSync hook would run before the namespace exists on a first sync)
    this.migrate = new Job(this, 'orders-migrate', {
      image: Image.fromTag('ghcr.io/acme-sales/orders', '4.0.3'),
      args: ['migrate', 'up'],
      activeDeadline: Duration.minutes(15),
      argoCdHook: ArgoCdHook.SYNC,
      argoCdSyncWave: ArgoCdSyncWave.STORES,
    });
    this.migrate.addBackingService('DATABASE_URL', BackingService.fromUrl(
      'postgresql://orders-db.orders.sales.internal:5432/orders?sslmode=verify-full', { cidrs: [DATABASE_SUBNET] }));

    this.orders.connectTo(catalog.products);
    this.orders.connectTo(this.payments);
    this.orders.connectTo(this.notifications);
    this.orders.connectTo(accounts.accounts);
    this.orders.connectTo(accounts.auth, { port: 'grpc' });
    this.payments.connectTo(accounts.auth, { port: 'grpc' });
    this.notifications.connectTo(accounts.accounts);

    // orders holds an availability objective of 99.5%; payments is gRPC, scraped on its admin port
    // (the migration Job is not scraped: it is traced, and its status is the cluster's)
    new WorkloadMetrics(this.orders, 'metrics', { port: 'http' });
    new ServiceAlerts(this.orders, 'alerts', { instrumentation: Instrumentation.openTelemetryHttp(), slos: [Slo.availability(99.5)] });
    new WorkloadMetrics(this.payments, 'metrics', { port: 'http-admin' });
    new ServiceAlerts(this.payments, 'alerts', { instrumentation: Instrumentation.openTelemetryGrpc() });
    new WorkloadMetrics(this.notifications, 'metrics', { port: 'http' });
    new ServiceAlerts(this.notifications, 'alerts', { instrumentation: Instrumentation.openTelemetryHttp() });
    // the relay handles no requests: a PodMonitor on its exporter port, watched for its target going down
    new WorkloadMetrics(this.outboxRelay, 'metrics', { port: 'metrics' });
    new ServiceAlerts(this.outboxRelay, 'alerts');
  }
}

import { Size } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Acknowledge, AcknowledgedChange, ApiGateway, BoundedContext, CronJob, CronSchedule, GatewayTls, Image, Job, KubernetesVersion, Microservice, Platform, Port, Probe, RemoteRef,
  SecretSource, SecretStore, StatefulService, Subject, TeamRole, VolumeClaim, Worker,
} from '../../../lib';

/**
 * The day-2 gate's platform (test/conformance/day2.ts): two bounded contexts (a catalog
 * with a store, and orders), services with declared calls, a store with claims, a worker,
 * a job, a cron job, secrets from a secret store, team grants and a gateway. Each of the
 * gate's everyday changes is a small variation of `DAY2_BASE`: `build(app, variation)`.
 */
export interface Day2Variation {
  /** The products image tag (an image bump). */
  readonly productsTag: string;
  /** The products' LOG_LEVEL (a configuration change: a new hashed ConfigMap). */
  readonly productsLogLevel: string;
  /** Whether orders has its notifications service (a service removed: its Role and RoleBinding too). */
  readonly notifications: boolean;
  /** The context reviews lives in (a service moved). */
  readonly reviewsContext: 'catalog' | 'orders';
  /** The recommendations service's name (a service renamed). */
  readonly recommendationsName: string;
  /** The store's claim size in GiB (a store resized: claims are resized by hand, the StatefulSet is orphan-deleted and re-applied). */
  readonly cacheGi: number;
  /** Whether orders scales with an autoscaler (2 to 5) or runs 3 fixed replicas. */
  readonly ordersAutoscaled: boolean;
  /** Whether the orders team's operators keep their grant (team access narrowed). */
  readonly ordersOperators: boolean;
  /** Whether reviews is routed from the gateway (a route removed). */
  readonly reviewsRouted: boolean;
  /** The path of the orders route (a route changed). */
  readonly ordersPath: string;
  /** The gateway's host (the gateway host changed). */
  readonly host: string;
  /** The migration Job's arguments (a job changed: a new Job). */
  readonly migrateArgs: string[];
  /** The orders context's name (a context renamed: its namespace). */
  readonly ordersContext: string;
  /** The reindex cron job's schedule. */
  readonly reindexSchedule: string;
}

/** The base platform. */
export const DAY2_BASE: Day2Variation = {
  productsTag: '1.8.2',
  productsLogLevel: 'info',
  notifications: true,
  reviewsContext: 'catalog',
  recommendationsName: 'recommendations',
  cacheGi: 1,
  ordersAutoscaled: true,
  ordersOperators: true,
  reviewsRouted: true,
  ordersPath: '/orders',
  host: 'api.day2.example.com',
  migrateArgs: ['migrate', 'up'],
  ordersContext: 'orders',
  reindexSchedule: '15 2 * * *',
};

/** The store's storage class: the gate creates it with volume expansion allowed, as a cluster would offer one. */
export const DAY2_STORAGE_CLASS = 'expandable';

/** The platform's name (the ApplySet parent is `<platform>-<environment>`). */
export const DAY2_PLATFORM = 'day2';

const probes = { readiness: Probe.http('/ready'), liveness: Probe.http('/live') };
const image = (name: string, tag = '1.0.0'): Image => Image.fromTag(`ghcr.io/acme-day2/${name}`, tag);

/** What the gate checks beside the rendered objects: the grants that must exist, or must be gone. */
export interface Day2Platform {
  readonly platform: Platform;
  readonly catalog: BoundedContext;
  readonly orders: BoundedContext;
}

/** An acknowledgement the code writes for one release (the safe-change check names it). */
export interface Day2Acknowledgement {
  /** The context it is written on. */
  readonly context: 'catalog' | 'orders';
  /** The object, as the refusal names it. */
  readonly object: string;
  /** The change acknowledged. */
  readonly change: AcknowledgedChange;
  /** What was done by hand. */
  readonly reason: string;
}

/** Builds the variation `v` of the day-2 platform into `scope`, with this release's acknowledgements. */
export function build(scope: Construct, v: Day2Variation = DAY2_BASE, acknowledgements: readonly Day2Acknowledgement[] = []): Day2Platform {
  const platform = new Platform(scope, DAY2_PLATFORM, { kubernetesVersion: KubernetesVersion.NEWEST, apiServerCidrs: ['10.10.0.0/28'] });
  const catalog = new BoundedContext(scope, 'catalog', { platform, team: 'catalog-team' });
  const orders = new BoundedContext(scope, v.ordersContext, { platform, team: 'orders-team' });

  const products = new Microservice(catalog, 'products', {
    image: image('products', v.productsTag),
    ports: [Port.http(8080)],
    ...probes,
    minReplicas: 2,
    maxReplicas: 4,
    env: { LOG_LEVEL: v.productsLogLevel },
  });
  const cache = new StatefulService(catalog, 'products-cache', {
    image: Image.fromTag('docker.io/library/redis', '7.2.5'),
    ports: [Port.tcp(6379, { name: 'redis' })],
    readiness: Probe.exec(['redis-cli', 'ping']),
    liveness: Probe.tcp(),
    owners: [products],
    replicas: 2,
    claims: [VolumeClaim.of('data', { size: Size.gibibytes(v.cacheGi), mountPath: '/data', storageClass: DAY2_STORAGE_CLASS })],
  });
  products.connectTo(cache);

  const reviews = new Microservice(v.reviewsContext === 'catalog' ? catalog : orders, 'reviews', { image: image('reviews'), ports: [Port.http(8080)], ...probes });
  products.connectTo(reviews);
  const recommendations = new Microservice(catalog, v.recommendationsName, { image: image('recommendations'), ports: [Port.http(8080)], ...probes });
  products.connectTo(recommendations);

  const ordersSvc = new Microservice(orders, 'orders', {
    image: image('orders', '4.0.3'),
    ports: [Port.http(8080)],
    ...probes,
    ...(v.ordersAutoscaled ? { minReplicas: 2, maxReplicas: 5 } : { replicas: 3 }),
  });
  ordersSvc.addSecret('db', SecretSource.fromExternalSecret({
    store: SecretStore.cluster('vault'),
    data: { password: RemoteRef.of('day2/orders/database', { property: 'password' }) },
  }));
  ordersSvc.connectTo(products);
  if (v.notifications) {
    const notifications = new Microservice(orders, 'notifications', { image: image('notifications'), ports: [Port.http(8080)], ...probes });
    notifications.grantLeaderElection();
    ordersSvc.connectTo(notifications);
  }

  const relay = new Worker(orders, 'outbox-relay', {
    image: image('orders', '4.0.3'),
    args: ['outbox-relay'],
    readiness: Probe.exec(['/app/orders', 'relay', '--ready']),
    liveness: Probe.exec(['/app/orders', 'relay', '--alive']),
    replicas: 1,
  });
  relay.connectTo(ordersSvc);
  new Job(orders, 'orders-migrate', { image: image('orders', '4.0.3'), args: v.migrateArgs });
  new CronJob(catalog, 'reindex', { image: image('products', v.productsTag), args: ['reindex'], schedule: CronSchedule.expression(v.reindexSchedule) });

  for (const context of [catalog, orders]) {
    context.grantTeam(Subject.group(`oidc:${context.team}-developers`), TeamRole.DEVELOPER);
  }
  if (v.ordersOperators) orders.grantTeam(Subject.group('oidc:orders-team-operators'), TeamRole.OPERATOR);

  const gateway = new ApiGateway(scope, 'gateway', { platform, hosts: [v.host], tls: GatewayTls.certManager('letsencrypt-prod') });
  gateway.addRoute({ host: v.host, path: '/products', service: products });
  gateway.addRoute({ host: v.host, path: v.ordersPath, service: ordersSvc });
  if (v.reviewsRouted) gateway.addRoute({ host: v.host, path: '/reviews', service: reviews });
  for (const a of acknowledgements) Acknowledge.change(a.context === 'catalog' ? catalog : orders, a.object, a.change, a.reason);
  return { platform, catalog, orders };
}

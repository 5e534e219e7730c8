import { Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import {
  AddressForm, BoundedContext, CronJob, CronSchedule, Image, KubernetesVersion, Microservice, Platform, Port, PreStopSleep, Probe, ProjectedSource,
  StatefulService, Volume, VolumeClaim, Worker,
} from '../../../lib';

/**
 * What the two test platforms share: a small shop whose pods use what issue 12 adds
 * to the pod-template core on any Kubernetes from 1.27 (volumes of every kind, an
 * init container, probe headers, a gRPC service name, identical probes with a reason,
 * address forms, pod labels and annotations, a low user id with a reason). Each
 * platform adds what its target has (target-1.27.ts, target-newest.ts).
 */
export interface Shop {
  readonly platform: Platform;
  readonly shop: BoundedContext;
  readonly storefront: Microservice;
  readonly inventory: Microservice;
  readonly sessions: StatefulService;
  readonly indexer: Worker;
}

/** Builds the shop's platform for `version` into `scope`; `inventorySleep` is how the distroless inventory image's shutdown delay sleeps. */
export function buildShop(scope: Construct, version: KubernetesVersion, inventorySleep: PreStopSleep = PreStopSleep.AUTO): Shop {
  const platform = new Platform(scope, 'shop', { kubernetesVersion: version });
  const shop = new BoundedContext(scope, 'store', { platform, team: 'shop-team' });

  const storefront = new Microservice(shop, 'storefront', {
    image: Image.fromTag('ghcr.io/acme-shop/storefront', '3.1.4'),
    ports: [Port.http(8080)],
    readiness: Probe.http('/ready', { headers: { 'X-Probe': 'readiness' } }),
    liveness: Probe.http('/live'),
    containerName: 'web',
    podLabels: { 'example.com/cost-centre': 'shop' },
    podAnnotations: { 'example.com/log-format': 'json' },
  });
  // rendered pages, shared by the warm-up init container (writes) and the web server (reads)
  const pages = Volume.emptyDir('pages', { sizeLimit: Size.mebibytes(64) });
  storefront.addInitContainer('render-pages', { image: Image.fromTag('ghcr.io/acme-shop/storefront', '3.1.4'), args: ['render', '--out', '/pages'] })
    .addVolume(pages, { mountPath: '/pages', writable: true });
  storefront.addVolume(pages, { mountPath: '/srv/pages' });
  storefront.addVolume(Volume.emptyDir('sessions-cache', { sizeLimit: Size.mebibytes(32), inMemory: true }), { mountPath: '/var/cache/sessions', writable: true });
  storefront.addVolume(Volume.projected('pod-info', [ProjectedSource.podMetadata(), ProjectedSource.serviceAccountToken({ audience: 'vault' })]),
    { mountPath: '/var/run/pod-info' });

  const inventory = new Microservice(shop, 'inventory', {
    image: Image.fromTag('ghcr.io/acme-shop/inventory', '2.0.7'),
    ports: [Port.grpc(9090)],
    readiness: Probe.grpc({ service: 'inventory.v1.Inventory' }),
    liveness: Probe.grpc({ service: 'inventory.v1.Inventory', period: Duration.seconds(20) }),
    identicalProbesReason: 'the server registers one health service, inventory.v1.Inventory: it has nothing else to offer',
    preStopSleep: inventorySleep,
  });
  inventory.addVolume(Volume.ephemeral('snapshots', { size: Size.gibibytes(1) }), { mountPath: '/var/lib/inventory', writable: true });

  const sessions = new StatefulService(shop, 'sessions', {
    image: Image.fromTag('docker.io/library/redis', '7.2.5-alpine'),
    ports: [Port.tcp(6379, { name: 'redis' })],
    readiness: Probe.exec(['redis-cli', 'ping']),
    liveness: Probe.tcp(),
    owners: [storefront],
    claims: [VolumeClaim.of('data', { size: Size.gibibytes(1), mountPath: '/data' })],
    runAsUser: 999,
    runAsGroup: 1000,
    lowUserIdReason: 'the redis image owns /data as redis (999:1000)',
  });

  const indexer = new Worker(shop, 'indexer', {
    image: Image.fromTag('ghcr.io/acme-shop/indexer', '1.2.0'),
    readiness: Probe.exec(['/app/indexer', 'ready']),
    liveness: Probe.exec(['/app/indexer', 'alive']),
    replicas: 1,
  });

  storefront.connectTo(inventory, { address: AddressForm.hostPort() });
  storefront.connectTo(sessions, { address: AddressForm.hostAndPort() });
  indexer.connectTo(inventory, { address: AddressForm.none() });

  new CronJob(shop, 'reindex', {
    image: Image.fromTag('ghcr.io/acme-shop/indexer', '1.2.0'),
    args: ['reindex'],
    schedule: CronSchedule.expression('15 2 * * *'),
  });
  return { platform, shop, storefront, inventory, sessions, indexer };
}

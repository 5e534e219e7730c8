import { App, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { Image, KubernetesVersion, Port, PreStopSleep, Probe, Volume } from '../../../lib';
import { buildShop, Shop } from './_shop';

/**
 * The test platform for the newest release the library is tested against: the
 * shop with the kubelet's native preStop sleep (no `sleep` binary needed, so the
 * distroless inventory image may say so with PreStopSleep.NATIVE) and a native
 * sidecar, a log shipper beside the storefront.
 */
export function build(app: App): Shop {
  const shop = buildShop(app, KubernetesVersion.NEWEST, PreStopSleep.NATIVE);
  const logs = Volume.emptyDir('logs', { sizeLimit: Size.mebibytes(128) });
  shop.storefront.addVolume(logs, { mountPath: '/var/log/storefront', writable: true });
  shop.storefront.addSidecar('log-shipper', {
    image: Image.fromTag('ghcr.io/acme-shop/log-shipper', '4.2.1'),
    ports: [Port.http(2020, { name: 'shipper-http' })],
    readiness: Probe.http('/api/v1/health', { port: 'shipper-http' }),
    liveness: Probe.tcp({ port: 'shipper-http' }),
    resources: { cpu: { request: Cpu.millis(20), limit: Cpu.millis(100) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) } },
  }).addVolume(logs, { mountPath: '/logs' });
  return shop;
}

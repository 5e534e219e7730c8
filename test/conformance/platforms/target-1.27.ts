import { App } from 'cdk8s';
import { KubernetesVersion } from '../../../lib';
import { buildShop, Shop } from './_shop';

/**
 * The test platform for Kubernetes 1.27, the oldest release the library targets:
 * the shop with its graceful shutdown as `sleep` run in the containers (no native
 * preStop sleep before 1.30) and no native sidecars (1.29): its helper is an init
 * container. `npm run conformance` applies it to the 1.27 control plane.
 */
export function build(app: App): Shop {
  return buildShop(app, KubernetesVersion.V1_27);
}

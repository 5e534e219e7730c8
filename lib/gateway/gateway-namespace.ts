import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { LABEL, _podSecurityLabels } from '../internal/labels';
import { _suppress } from '../internal/suppressions';

/**
 * The quota of a gateway's own namespace. It holds the Gateway, its policies and
 * its certificate; the implementation's proxies run in the implementation's
 * namespace. The few pods allowed are cert-manager's ACME HTTP-01 solvers.
 * @internal
 */
export const _GATEWAY_NAMESPACE_QUOTA: { [resource: string]: string } = {
  'requests.cpu': '500m',
  'limits.cpu': '1',
  'requests.memory': '512Mi',
  'limits.memory': '1Gi',
  'requests.ephemeral-storage': '1Gi',
  'limits.ephemeral-storage': '2Gi',
  'pods': '4',
  'services': '4',
  'services.loadbalancers': '0',
  'services.nodeports': '0',
  'persistentvolumeclaims': '0',
  'configmaps': '10',
  'secrets': '10',
};

/**
 * Renders a gateway's own namespace with the treatment of a bounded context: Pod
 * Security `restricted` enforced, audited and warned, a ResourceQuota, a LimitRange
 * and a default-deny NetworkPolicy for ingress and egress. @internal
 */
export function _renderGatewayNamespace(scope: Construct, namespace: string, labels: { [key: string]: string }): void {
  const meta = (name: string) => ({ name, namespace, labels });
  const q = (s: string) => k8s.Quantity.fromString(s);
  new k8s.KubeNamespace(scope, 'Namespace', {
    metadata: {
      name: namespace,
      labels: {
        ...labels,
        [LABEL.NAME]: namespace,
        ..._podSecurityLabels(),
      },
    },
  });
  new k8s.KubeResourceQuota(scope, 'Quota', {
    metadata: meta('gateway-quota'),
    spec: { hard: Object.fromEntries(Object.entries(_GATEWAY_NAMESPACE_QUOTA).map(([k, v]) => [k, q(v)])) },
  });
  new k8s.KubeLimitRange(scope, 'Limits', {
    metadata: meta('container-limits'),
    spec: {
      limits: [{
        type: 'Container',
        default: { 'cpu': q('100m'), 'memory': q('128Mi'), 'ephemeral-storage': q('256Mi') },
        defaultRequest: { 'cpu': q('50m'), 'memory': q('64Mi'), 'ephemeral-storage': q('128Mi') },
        max: { 'cpu': q('500m'), 'memory': q('512Mi'), 'ephemeral-storage': q('1Gi') },
      }],
    },
  });
  const deny = new k8s.KubeNetworkPolicy(scope, 'DefaultDeny', {
    metadata: meta('default-deny'),
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
  _suppress(deny, 'kube-score', 'networkpolicy-targets-pod',
    'the gateway namespace runs no workload of the platform (the proxies run in the implementation\'s namespace); default-deny holds for whatever runs there later, such as cert-manager\'s HTTP-01 solvers');
}

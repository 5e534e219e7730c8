import { k8s } from '../internal/k8s';
import { _addValidation } from '../internal/chart';
import { _invalid } from '../internal/errors';
import { ErrorCode } from '../internal/configuration-error';
import { BoundedContext } from '../platform/bounded-context';

/**
 * The address Istio's CNI node agent gives the kubelet's health probes in ambient
 * mode: it rewrites their source (SNAT) to this link-local address so that ztunnel
 * lets them through to the pod in plaintext. It is the probes' address only, never a
 * pod's or a node's. @internal
 * @see https://istio.io/latest/docs/ambient/usage/networkpolicy/
 */
export const _AMBIENT_PROBE_SOURCE = '169.254.7.127/32';

/** The name of the NetworkPolicy that admits the probes in each bounded context. @internal */
export const _PROBE_POLICY_NAME = 'allow-kubelet-probes';

/**
 * Ambient mode's NetworkPolicy 'allow-kubelet-probes' in a context's namespace: every
 * pod admits ingress from the probes' address (`_AMBIENT_PROBE_SOURCE`), on any port
 * (a probe goes to whichever port the container declares for it). The context's
 * default-deny would otherwise drop them, and no pod would become ready. Refuses, at
 * synth, a workload of the context that takes the policy's name. @internal
 */
export function _renderProbePolicy(context: BoundedContext): void {
  new k8s.KubeNetworkPolicy(context, 'MeshKubeletProbes', {
    metadata: { name: _PROBE_POLICY_NAME, namespace: context.namespaceName },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: _AMBIENT_PROBE_SOURCE } }] }],
    },
  });
  _addValidation(context, () => context.workloads.filter(w => w.name === _PROBE_POLICY_NAME).map(w =>
    _invalid(w, 'id', w.name, `must not be '${_PROBE_POLICY_NAME}' in ambient mode: the context's NetworkPolicy that admits the kubelet's probes has that name`,
      'rename the workload', ErrorCode.RESERVED_NAME)));
}

import { _POD_KINDS, _labelsPath, _podTemplateOf, _sameNamespace, _selects } from '../pod-template';
import { PolicyContext, PolicyFinding, PolicyManifest, PolicyRule } from '../policy-rule';
import { _list, _obj } from '../json';

/** The directions a NetworkPolicy governs: `policyTypes`, or as the API server defaults it. */
function directions(policy: PolicyManifest): string[] {
  const spec = _obj(policy.spec);
  const types = _list(spec.policyTypes).filter((t): t is string => typeof t === 'string');
  if (types.length > 0) {
    return types;
  }
  return spec.egress !== undefined ? ['Ingress', 'Egress'] : ['Ingress'];
}

/**
 * CMS-014: every pod is selected by NetworkPolicies of the set for both directions,
 * ingress and egress (a namespace's default deny `podSelector: {}` counts).
 */
export const NETWORK_POLICY: PolicyRule = {
  id: 'CMS-014',
  slug: 'network-policy',
  description: 'every pod is covered by a NetworkPolicy for ingress and for egress',
  reason: 'a pod no policy selects accepts connections from, and connects to, anything in the cluster: one compromised pod reaches every other',
  fix: 'add a default-deny NetworkPolicy (podSelector: {}, policyTypes: [Ingress, Egress]) to the namespace and allow each declared call explicitly',
  kinds: _POD_KINDS,
  check(manifest: PolicyManifest, context: PolicyContext): PolicyFinding[] {
    const pod = _podTemplateOf(manifest);
    if (pod === undefined) {
      return [];
    }
    const selecting = _sameNamespace(context, manifest, 'NetworkPolicy').filter(p => _selects(_obj(p.spec).podSelector, pod.labels));
    const covered = new Set(selecting.flatMap(directions));
    return ['Ingress', 'Egress'].filter(d => !covered.has(d)).map(d => ({
      path: _labelsPath(pod),
      message: `no NetworkPolicy of the manifests governs the ${d.toLowerCase()} of these pods (namespace '${manifest.metadata?.namespace ?? ''}')`,
    }));
  },
};

import { _REPLICATED_KINDS, _maxReplicas, _podTemplateOf } from '../pod-template';
import { PolicyContext, PolicyFinding, PolicyManifest, PolicyRule } from '../policy-rule';
import { _at, _list, _obj, _str } from '../json';

const DOMAINS: Array<[string, string]> = [['kubernetes.io/hostname', 'nodes'], ['topology.kubernetes.io/zone', 'zones']];

/** The topology keys a pod spec spreads over: topology spread constraints and pod anti-affinity, required or preferred. */
function spreadKeys(spec: { readonly [key: string]: unknown }): string[] {
  const keys = _list(spec.topologySpreadConstraints).map(c => _str(_obj(c).topologyKey));
  const anti = _obj(_obj(spec.affinity).podAntiAffinity);
  keys.push(..._list(anti.requiredDuringSchedulingIgnoredDuringExecution).map(t => _str(_obj(t).topologyKey)));
  keys.push(..._list(anti.preferredDuringSchedulingIgnoredDuringExecution).map(t => _str(_obj(_obj(t).podAffinityTerm).topologyKey)));
  return keys.filter((k): k is string => k !== undefined);
}

/**
 * CMS-009: a workload that may run more than one pod spreads them over nodes and
 * zones (topology spread constraints or pod anti-affinity).
 */
export const SPREAD: PolicyRule = {
  id: 'CMS-009',
  slug: 'spread',
  description: 'a replicated workload spreads its pods over nodes and zones',
  reason: 'replicas the scheduler packs onto one node or zone all fail together when it does: the redundancy is only on paper',
  fix: 'add topologySpreadConstraints over kubernetes.io/hostname and topology.kubernetes.io/zone (maxSkew 1) selecting the workload\'s pods',
  kinds: _REPLICATED_KINDS,
  check(manifest: PolicyManifest, context: PolicyContext): PolicyFinding[] {
    if (_maxReplicas(manifest, context) <= 1) {
      return [];
    }
    const pod = _podTemplateOf(manifest);
    if (pod === undefined) {
      return [];
    }
    const keys = spreadKeys(pod.spec);
    return DOMAINS.filter(([key]) => !keys.includes(key)).map(([key, what]) => ({
      path: _at(pod.path, 'topologySpreadConstraints'), message: `the pods are not spread over ${what} (${key})`,
    }));
  },
};

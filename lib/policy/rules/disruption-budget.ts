import { _REPLICATED_KINDS, _labelsPath, _maxReplicas, _podTemplateOf, _sameNamespace, _selects } from '../pod-template';
import { PolicyContext, PolicyFinding, PolicyManifest, PolicyRule } from '../policy-rule';
import { _obj } from '../json';

/**
 * CMS-008: a workload that may run more than one pod (`replicas` above 1, or a
 * HorizontalPodAutoscaler with `maxReplicas` above 1) has a PodDisruptionBudget of
 * the set selecting its pods.
 */
export const DISRUPTION_BUDGET: PolicyRule = {
  id: 'CMS-008',
  slug: 'disruption-budget',
  description: 'a replicated workload has a PodDisruptionBudget that selects its pods',
  reason: 'without a budget a node drain or cluster upgrade may evict every replica at once, and the service goes down although it runs several pods',
  fix: 'add a PodDisruptionBudget in the same namespace whose selector matches the pod template\'s labels (maxUnavailable: 1)',
  kinds: _REPLICATED_KINDS,
  check(manifest: PolicyManifest, context: PolicyContext): PolicyFinding[] {
    const replicas = _maxReplicas(manifest, context);
    if (replicas <= 1) {
      return [];
    }
    const pod = _podTemplateOf(manifest);
    if (pod === undefined) {
      return [];
    }
    const covered = _sameNamespace(context, manifest, 'PodDisruptionBudget')
      .some(pdb => _obj(pdb.spec).selector !== undefined && _selects(_obj(pdb.spec).selector, pod.labels));
    return covered ? [] : [{ path: _labelsPath(pod),
      message: `up to ${replicas} pods and no PodDisruptionBudget of the manifests selects them` }];
  },
};

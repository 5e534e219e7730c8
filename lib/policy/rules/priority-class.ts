import { _POD_KINDS, _podTemplateOf } from '../pod-template';
import { PolicyFinding, PolicyManifest, PolicyRule } from '../policy-rule';
import { _at, _str } from '../json';

const SYSTEM_CLASSES = ['system-cluster-critical', 'system-node-critical'];

/**
 * CMS-010: every pod names a PriorityClass, and not one of the classes Kubernetes
 * keeps for its own components outside kube-system.
 */
export const PRIORITY_CLASS: PolicyRule = {
  id: 'CMS-010',
  slug: 'priority-class',
  description: 'every pod names a PriorityClass (not a system-* class outside kube-system)',
  reason: 'without one, under pressure the scheduler preempts and the kubelet evicts critical and batch pods alike; the system classes would let an app preempt the cluster\'s own components',
  fix: 'set priorityClassName to one of the platform\'s classes (critical, standard, batch tiers)',
  kinds: _POD_KINDS,
  check(manifest: PolicyManifest): PolicyFinding[] {
    const pod = _podTemplateOf(manifest);
    if (pod === undefined) {
      return [];
    }
    const name = _str(pod.spec.priorityClassName);
    const path = _at(pod.path, 'priorityClassName');
    if (name === undefined || name === '') {
      return [{ path, message: 'the pods name no priorityClassName' }];
    }
    if (SYSTEM_CLASSES.includes(name) && manifest.metadata?.namespace !== 'kube-system') {
      return [{ path, message: `the pods use ${name}, which is kept for the cluster's own components` }];
    }
    return [];
  },
};

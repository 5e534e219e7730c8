import { k8s } from '../internal/k8s';
import { _instanceOf, _invalid } from '../internal/errors';
import { PriorityTier } from '../platform/priority-tier';
import type { IWorkloadFacetOwner } from './facet-owner';
import { ErrorCode } from '../internal/configuration-error';

/**
 * Where and before whom a workload's pods are scheduled: the priority tier's
 * PriorityClass, and for long-running workloads a spread over zones (best effort)
 * and nodes (strictly, max skew 1) plus a preferred anti-affinity, so that one node
 * or zone failing takes few of its pods. Reached through `workload.scheduling`.
 */
export class WorkloadScheduling {
  /** The scheduling tier. */
  public readonly priority: PriorityTier;

  /** @internal */
  constructor(private readonly workload: IWorkloadFacetOwner, priority: PriorityTier) {
    const platform = workload.context.platform;
    _instanceOf(workload, 'priority', priority, PriorityTier, 'use a built-in PriorityTier or one returned by platform.addPriorityTier()');
    if (!platform.priorityTiers.includes(priority)) {
      throw _invalid(workload, 'priority', priority.name,
        `must be a tier of platform '${platform.platformName}' (${platform.priorityTiers.map(t => t.name).join(', ')})`,
        'use a built-in PriorityTier or one returned by platform.addPriorityTier()', ErrorCode.WRONG_SCOPE);
    }
    this.priority = priority;
  }

  /** The PriorityClass the pods run with. */
  public get priorityClassName(): string {
    return this.workload.context.platform.priorityClassName(this.priority);
  }

  /**
   * The spread constraints and anti-affinity of a long-running workload's pods.
   *
   * @param revisionLabel the label its controller gives each revision's pods
   * (`pod-template-hash` for a Deployment, `controller-revision-hash` for a
   * StatefulSet), so that a rolling update spreads the new pods on their own
   * @internal
   */
  public _renderSpread(revisionLabel: string): Pick<k8s.PodSpec, 'topologySpreadConstraints' | 'affinity'> {
    const selector = { matchLabels: this.workload.selectorLabels };
    return {
      topologySpreadConstraints: [
        // nodeTaintsPolicy Honor: cordoned and tainted nodes do not count as empty
        // domains, which would otherwise leave pods Pending and drains hanging
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: selector, matchLabelKeys: [revisionLabel], nodeTaintsPolicy: 'Honor' },
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: selector, matchLabelKeys: [revisionLabel], nodeTaintsPolicy: 'Honor' },
      ],
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{
            weight: 100,
            podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: selector },
          }],
        },
      },
    };
  }
}

/**
 * How many of a microservice's pods voluntary disruptions (node drains, cluster
 * upgrades) may take down at once. Rendered as a PodDisruptionBudget.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/pods/disruptions/
 */
export class DisruptionBudget {
  /**
   * At most `count` pods may be unavailable at once. Never blocks a drain for
   * good, because it does not depend on the replica count.
   */
  public static maxUnavailable(count: number): DisruptionBudget {
    return new DisruptionBudget('maxUnavailable', count);
  }

  /**
   * At least `count` pods must stay available. It must stay below the minimum
   * replica count, or every eviction is blocked at minimum scale.
   */
  public static minAvailable(count: number): DisruptionBudget {
    return new DisruptionBudget('minAvailable', count);
  }

  private constructor(
    /** Which field of the PodDisruptionBudget is set. */
    public readonly field: 'maxUnavailable' | 'minAvailable',
    /** The number of pods. */
    public readonly count: number,
  ) {}
}

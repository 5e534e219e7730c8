/**
 * How a Deployment (a Microservice's, a Worker's) replaces its pods on a rollout.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#strategy
 */
export class UpdateStrategy {
  /**
   * A rolling update that starts up to `maxSurge` new pods before it stops old ones:
   * never fewer pods than the desired count (maxUnavailable 0). The default.
   */
  public static readonly SURGE = new UpdateStrategy('SURGE', 'RollingUpdate');

  /**
   * A rolling update without surge (maxSurge 0, maxUnavailable 1): one old pod stops,
   * then its replacement starts, so there are never more pods than the desired count,
   * though a stopping pod may still be in its grace period when the new one starts.
   */
  public static readonly REPLACE = new UpdateStrategy('REPLACE', 'RollingUpdate');

  /**
   * Every old pod is gone before a new one starts (`Recreate`): two never run at once,
   * not even during a grace period, for a singleton (one consumer, one lock holder).
   * The workload is down during each rollout.
   */
  public static readonly RECREATE = new UpdateStrategy('RECREATE', 'Recreate');

  private constructor(
    /** The name of the constant: SURGE, REPLACE or RECREATE. */
    public readonly name: string,
    /** The Deployment's strategy type: RollingUpdate or Recreate. */
    public readonly type: string,
  ) {}
}

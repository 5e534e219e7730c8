/**
 * Options for a custom priority tier.
 */
export interface PriorityTierOptions {
  /**
   * The scheduling priority; higher values are scheduled first and may preempt lower ones.
   * User-defined classes must stay at or below 1,000,000,000.
   */
  readonly value: number;

  /**
   * Whether pods of this tier may preempt (evict) pods of lower tiers to be scheduled.
   *
   * @default true
   */
  readonly preempting?: boolean;

  /**
   * What the tier is for, written to the PriorityClass.
   *
   * @default - "<name> tier of the platform"
   */
  readonly description?: string;
}

/**
 * A scheduling tier. The platform renders one PriorityClass per tier, named
 * `<platform>-<tier>`, and every microservice names one tier.
 *
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/
 */
export class PriorityTier {
  /** Services whose outage stops the business (auth, payments). Value 100000. */
  public static readonly CRITICAL = new PriorityTier('critical', {
    value: 100000,
    description: 'Services whose outage stops the business; scheduled first and may preempt lower tiers.',
  });

  /** Ordinary online services. Value 10000. The default tier. */
  public static readonly STANDARD = new PriorityTier('standard', {
    value: 10000,
    description: 'Ordinary online services.',
  });

  /** Deferrable and batch work; never preempts anything. Value 1000. */
  public static readonly BATCH = new PriorityTier('batch', {
    value: 1000,
    preempting: false,
    description: 'Deferrable and batch work; waits for capacity and never preempts.',
  });

  /** The built-in tiers, which every platform renders. */
  public static readonly BUILT_IN: readonly PriorityTier[] = [PriorityTier.CRITICAL, PriorityTier.STANDARD, PriorityTier.BATCH];

  /**
   * A tier of your own; register it with `Platform.addPriorityTier`.
   * @internal
   */
  public static _custom(name: string, options: PriorityTierOptions): PriorityTier {
    return new PriorityTier(name, options);
  }

  /** The tier name, the suffix of the PriorityClass name. */
  public readonly name: string;
  /** The scheduling priority. */
  public readonly value: number;
  /** Whether pods of this tier may preempt lower tiers. */
  public readonly preempting: boolean;
  /** What the tier is for. */
  public readonly description: string;

  private constructor(name: string, options: PriorityTierOptions) {
    this.name = name;
    this.value = options.value;
    this.preempting = options.preempting ?? true;
    this.description = options.description ?? `${name} tier of the platform`;
  }
}

import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { k8s } from '../internal/k8s';
import { _assertInteger, _instanceOf, _invalid, _oneOf } from '../internal/errors';
import { _suppress } from '../internal/suppressions';
import { DisruptionBudget } from './disruption-budget';
import type { IWorkloadFacetOwner } from './facet-owner';
import { ErrorCode } from '../internal/configuration-error';
import { UpdateStrategy } from './update-strategy';

/**
 * How a replicated workload (Microservice, Worker) scales and rolls out.
 */
export interface ScalingProps {
  /**
   * A fixed replica count, for a workload that must not scale (a singleton, say),
   * kept by a HorizontalPodAutoscaler with `minReplicas` = `maxReplicas` = this count.
   * The Deployment never renders `spec.replicas`: the autoscaler always owns the
   * count, so switching between a fixed count and autoscaling changes only the
   * autoscaler and never scales the running pods down (a `kubectl apply
   * --server-side` that dropped `spec.replicas` would reset it to 1). It cannot be
   * combined with `minReplicas`, `maxReplicas` or `targetCpuUtilization`. Equal
   * `minReplicas` and `maxReplicas` mean the same.
   *
   * @default - scaled by a HorizontalPodAutoscaler between minReplicas and maxReplicas
   */
  readonly replicas?: number;

  /**
   * The fewest replicas, kept by the HorizontalPodAutoscaler.
   *
   * @default 2
   */
  readonly minReplicas?: number;

  /**
   * The most replicas the HorizontalPodAutoscaler may scale to.
   *
   * @default - twice minReplicas
   */
  readonly maxReplicas?: number;

  /**
   * The average CPU utilization, in percent of the request, the autoscaler aims for.
   *
   * @default 70
   */
  readonly targetCpuUtilization?: number;

  /**
   * How a rollout replaces the pods: surge (start new pods first, never below the
   * desired count), replace one at a time without surge, or recreate (every old pod
   * gone before a new one starts: for a singleton that must never run twice).
   *
   * @default UpdateStrategy.SURGE
   */
  readonly updateStrategy?: UpdateStrategy;

  /**
   * How many extra pods a rolling update may start above the desired count, with
   * `UpdateStrategy.SURGE`. Pods are never taken below the desired count
   * (maxUnavailable is 0).
   *
   * @default - 1 with UpdateStrategy.SURGE; 0 (and not to be set) with REPLACE or RECREATE
   */
  readonly maxSurge?: number;

  /**
   * How many pods voluntary disruptions may take at once.
   *
   * @default DisruptionBudget.maxUnavailable(1)
   */
  readonly disruptionBudget?: DisruptionBudget;
}

/**
 * A replicated workload's scaling, resolved: the fields a `Microservice` and a
 * `Worker` expose (`service.minReplicas`, ...), declared once here.
 */
export interface ResolvedScaling {
  /** The fixed replica count (the autoscaler's minReplicas = maxReplicas), when the count does not scale. */
  readonly replicas?: number;
  /** The fewest replicas. */
  readonly minReplicas: number;
  /** The most replicas. */
  readonly maxReplicas: number;
  /** The autoscaler's CPU utilization target, in percent. */
  readonly targetCpuUtilization: number;
  /** How a rollout replaces the pods. */
  readonly updateStrategy: UpdateStrategy;
  /** Extra pods during a rolling update (0 unless the strategy is SURGE). */
  readonly maxSurge: number;
  /** The disruption budget. */
  readonly disruptionBudget: DisruptionBudget;
}

/**
 * A replicated workload's scaling, resolved: the HorizontalPodAutoscaler's bounds,
 * the rolling update's surge and the disruption budget. The autoscaler always owns
 * the replica count, a fixed one included (minReplicas = maxReplicas): the
 * Deployment leaves `spec.replicas` out, so that no apply ever takes it away from a
 * field manager and resets it to 1 (Kubernetes' default) before an autoscaler reacts.
 * @internal
 */
export class _Scaling {
  /** The fixed replica count (minReplicas = maxReplicas), when the count does not scale. */
  public readonly fixedReplicas?: number;
  /** Why one replica is enough, as the kind says it (set with the Deployment's suppressions). */
  private _singleton?: string;
  public readonly minReplicas: number;
  public readonly maxReplicas: number;
  public readonly targetCpuUtilization: number;
  public readonly updateStrategy: UpdateStrategy;
  public readonly maxSurge: number;
  public readonly disruptionBudget: DisruptionBudget;

  constructor(private readonly workload: IWorkloadFacetOwner, props: ScalingProps) {
    const w = workload;
    if (props.replicas !== undefined) {
      _assertInteger(w, 'replicas', props.replicas, 1, 10000, 'run at least 1 replica');
      for (const [prop, value] of [['minReplicas', props.minReplicas], ['maxReplicas', props.maxReplicas], ['targetCpuUtilization', props.targetCpuUtilization]] as const) {
        if (value !== undefined) {
          throw _invalid(w, prop, value, `must not be set together with 'replicas' (${props.replicas}): a fixed replica count does not scale (its autoscaler holds minReplicas = maxReplicas)`,
            `remove ${prop}, or remove replicas and let the autoscaler scale between minReplicas and maxReplicas`, ErrorCode.CONFLICT);
        }
      }
    }
    this.minReplicas = props.replicas ?? props.minReplicas ?? 2;
    this.maxReplicas = props.replicas ?? props.maxReplicas ?? this.minReplicas * 2;
    this.targetCpuUtilization = props.targetCpuUtilization ?? 70;
    this.updateStrategy = _oneOf(w, 'updateStrategy', props.updateStrategy ?? UpdateStrategy.SURGE, UpdateStrategy);
    const surges = this.updateStrategy === UpdateStrategy.SURGE;
    if (!surges && props.maxSurge !== undefined) {
      throw _invalid(w, 'maxSurge', props.maxSurge, `must not be set with 'updateStrategy' UpdateStrategy.${this.updateStrategy.name}, which never starts extra pods`,
        'remove maxSurge, or use UpdateStrategy.SURGE', ErrorCode.CONFLICT);
    }
    this.maxSurge = surges ? props.maxSurge ?? 1 : 0;
    this.disruptionBudget = props.disruptionBudget ?? DisruptionBudget.maxUnavailable(1);
    _assertInteger(w, 'minReplicas', this.minReplicas, 1, 10000, 'run at least 1 replica (2 or more for availability)');
    _assertInteger(w, 'maxReplicas', this.maxReplicas, 1, 10000, 'set maxReplicas to a whole number of at least minReplicas');
    if (this.maxReplicas < this.minReplicas) {
      throw _invalid(w, 'maxReplicas', this.maxReplicas, `must be at least 'minReplicas' (${this.minReplicas})`,
        'raise maxReplicas or lower minReplicas', ErrorCode.CONFLICT);
    }
    if (this.maxReplicas === this.minReplicas) {
      if (props.targetCpuUtilization !== undefined) {
        throw _invalid(w, 'targetCpuUtilization', props.targetCpuUtilization,
          `must not be set when 'minReplicas' equals 'maxReplicas' (${this.minReplicas}): a fixed replica count does not scale on CPU`,
          'remove targetCpuUtilization, or raise maxReplicas above minReplicas', ErrorCode.CONFLICT);
      }
      this.fixedReplicas = this.minReplicas;
    }
    _assertInteger(w, 'targetCpuUtilization', this.targetCpuUtilization, 1, 100, 'use a percentage of the CPU request, such as 70');
    if (surges) {
      _assertInteger(w, 'maxSurge', this.maxSurge, 1, 10000,
        'allow at least 1 extra pod, since pods are never taken below the desired count, or use UpdateStrategy.REPLACE or RECREATE');
    }
    const env = w.context.platform.environment;
    if (env) {
      // the environment's replica bounds (lib/platform/environment.ts)
      ({ minReplicas: this.minReplicas, maxReplicas: this.maxReplicas, replicas: this.fixedReplicas } = env._scaling(
        { minReplicas: this.minReplicas, maxReplicas: this.maxReplicas, replicas: this.fixedReplicas }));
    }
    _checkDisruptionBudget(w, this.disruptionBudget, this.minReplicas);
  }

  /**
   * Sets the resolved fields, read-only, on the kind that exposes them (a class
   * merged with `interface Kind extends ResolvedScaling`, the TypeScript mixin idiom).
   */
  public exposeOn(kind: ResolvedScaling): void {
    const fields: ResolvedScaling = {
      replicas: this.fixedReplicas, minReplicas: this.minReplicas, maxReplicas: this.maxReplicas,
      targetCpuUtilization: this.targetCpuUtilization, updateStrategy: this.updateStrategy, maxSurge: this.maxSurge,
      disruptionBudget: this.disruptionBudget,
    };
    for (const [name, value] of Object.entries(fields)) {
      Object.defineProperty(kind, name, { value, enumerable: true, writable: false, configurable: false });
    }
  }

  /**
   * Pods the quota must hold at maximum scale during a rolling update: the surge, and
   * the pods of the step before it, which still count against the quota while they
   * terminate (their grace period), when the next surge pods are created.
   */
  public get peakPods(): number {
    switch (this.updateStrategy) {
      case UpdateStrategy.RECREATE:
        // the new pods start once the old ones are gone
        return this.maxReplicas;
      case UpdateStrategy.REPLACE:
        // a stopping pod (and the one of the step before) still counts while its replacement starts
        return this.maxReplicas + Math.min(2, this.maxReplicas);
      default:
        return this.maxReplicas + 2 * this.maxSurge;
    }
  }

  /** The Deployment's strategy: surge, never below the desired count; replace one at a time; or recreate. */
  public renderStrategy(): k8s.DeploymentStrategy {
    if (this.updateStrategy === UpdateStrategy.RECREATE) {
      return { type: 'Recreate' };
    }
    const [surge, unavailable] = this.updateStrategy === UpdateStrategy.REPLACE ? [0, 1] : [this.maxSurge, 0];
    return {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(surge), maxUnavailable: k8s.IntOrString.fromNumber(unavailable) },
    };
  }

  /**
   * Tells Polaris why the Deployment has no `spec.replicas`: the autoscaler owns the
   * count (with a single fixed replica, also why one is enough).
   */
  public suppressReplicas(deployment: ApiObject, singleton: string): void {
    this._singleton = singleton;
    _suppress(deployment, 'polaris', 'deploymentMissingReplicas', this.fixedReplicas === undefined
      ? `the HorizontalPodAutoscaler owns the replica count (minReplicas ${this.minReplicas}); spec.replicas is left out so that an apply never resets a scaled Deployment`
      : `the HorizontalPodAutoscaler owns the fixed replica count (minReplicas = maxReplicas = ${this.fixedReplicas}); `
        + 'spec.replicas is left out so that switching between a fixed count and autoscaling never scales the Deployment down'
        + (this.fixedReplicas === 1 ? `; ${singleton}` : ''));
  }

  /**
   * The HorizontalPodAutoscaler of the Deployment named after the workload: between
   * minReplicas and maxReplicas, or holding a fixed count (minReplicas = maxReplicas,
   * which it enforces without a metrics API).
   */
  public renderAutoscaler(): k8s.KubeHorizontalPodAutoscalerV2 {
    const w = this.workload;
    const hpa = new k8s.KubeHorizontalPodAutoscalerV2(w, 'Autoscaler', {
      metadata: w._meta(),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: w.name },
        minReplicas: this.minReplicas,
        maxReplicas: this.maxReplicas,
        metrics: [{
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: this.targetCpuUtilization } },
        }],
      },
    });
    if (this.fixedReplicas !== undefined) {
      // the linters ask an autoscaler to scale (maxReplicas above minReplicas) and to
      // keep at least 2; this one holds a fixed count, which is its whole point
      const holds = `holds a fixed count (replicas: ${this.fixedReplicas}, minReplicas = maxReplicas) rather than scaling, `
        + 'so that switching to autoscaling later is a change of this object only and never scales the Deployment down';
      _suppress(hpa, 'polaris', 'hpaMaxAvailability', holds);
      if (this.fixedReplicas === 1) {
        const one = `${holds}; ${this._singleton ?? 'one replica by design (replicas: 1)'}`;
        _suppress(hpa, 'polaris', 'hpaMinAvailability', one);
        _suppress(hpa, 'kube-score', 'horizontalpodautoscaler-replicas', one);
      }
    }
    return hpa;
  }
}

/**
 * Throws unless the budget lets a node drain at the fewest replicas.
 * @internal
 */
export function _checkDisruptionBudget(w: IConstruct, b: DisruptionBudget, minReplicas: number): void {
  _instanceOf(w, 'disruptionBudget', b, DisruptionBudget, 'use DisruptionBudget.maxUnavailable(1) or DisruptionBudget.minAvailable(n)');
  if (b.field === 'minAvailable') {
    _assertInteger(w, 'disruptionBudget.minAvailable', b.count, 0, 10000, 'use a whole number of pods');
    if (b.count >= minReplicas) {
      throw _invalid(w, 'disruptionBudget.minAvailable', b.count,
        `must be below 'minReplicas' (${minReplicas}), or the budget blocks every eviction at minimum scale and node drains hang`,
        `use DisruptionBudget.minAvailable(${Math.max(minReplicas - 1, 0)}), DisruptionBudget.maxUnavailable(1), or raise minReplicas`, ErrorCode.CONFLICT);
    }
  } else {
    _assertInteger(w, 'disruptionBudget.maxUnavailable', b.count, 0, 10000, 'use a whole number of pods');
    if (b.count < 1) {
      throw _invalid(w, 'disruptionBudget.maxUnavailable', b.count, 'must be at least 1, or the budget blocks every eviction and node drains hang',
        'use DisruptionBudget.maxUnavailable(1)', ErrorCode.OUT_OF_RANGE);
    }
    if (minReplicas > 1 && b.count >= minReplicas) {
      throw _invalid(w, 'disruptionBudget.maxUnavailable', b.count,
        `must be below 'minReplicas' (${minReplicas}), or a drain may take every pod at once`,
        `use DisruptionBudget.maxUnavailable(${minReplicas - 1}) or raise minReplicas`, ErrorCode.CONFLICT);
    }
  }
}

/**
 * The PodDisruptionBudget of a workload's pods; unhealthy pods may always be evicted.
 * @internal
 */
export function _renderDisruptionBudget(w: IWorkloadFacetOwner, b: DisruptionBudget): void {
  new k8s.KubePodDisruptionBudget(w, 'DisruptionBudget', {
    metadata: w._meta(),
    spec: {
      selector: { matchLabels: w.selectorLabels },
      [b.field]: k8s.IntOrString.fromNumber(b.count),
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}

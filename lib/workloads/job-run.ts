import { ApiObject, Duration, Lazy } from 'cdk8s';
import { k8s } from '../internal/k8s';
import { _assertInteger, _invalid } from '../internal/errors';
import { _Feature } from '../platform/kubernetes-version';
import { _suppress } from '../internal/suppressions';
import type { BoundedContext } from '../platform/bounded-context';
import { Workload } from './workload';
import { WorkloadProps, _Kind } from './workload-props';
import { ErrorCode } from '../internal/configuration-error';
import { _duration } from '../internal/duration';

/**
 * How one run of a Job (or of a CronJob's Job) proceeds and ends.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/job/
 */
export interface JobRunProps {
  /**
   * How many failed pods a run tolerates before it fails.
   *
   * @default 3
   */
  readonly backoffLimit?: number;

  /**
   * How long a run may take, retries included, before Kubernetes stops it. Positive.
   *
   * @default Duration.hours(1)
   */
  readonly activeDeadline?: Duration;

  /**
   * How many pods of a run may run at once; the context's quota check counts them.
   *
   * @default 1
   */
  readonly parallelism?: number;

  /**
   * How many pods must succeed for the run to succeed.
   *
   * @default 1
   */
  readonly completions?: number;

  /**
   * Whether a replacement pod waits until the pod it replaces has fully terminated
   * (`podReplacementPolicy: Failed`), so that the pods of a run never overlap: an
   * evicted or deleted pod finishes its grace period before the next one starts. A
   * migration must not run twice at once. Kubernetes has the field from 1.29; below
   * that it is left out, and true is refused.
   *
   * @default - true when the Platform targets Kubernetes 1.29 or later, else false
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/job/#pod-replacement-policy
   */
  readonly waitForTerminatingPods?: boolean;
}

/**
 * A run's settings, resolved and checked.
 * @internal
 */
export class _JobRun {
  public readonly backoffLimit: number;
  public readonly activeDeadline: Duration;
  public readonly ttlAfterFinished?: Duration;
  public readonly parallelism: number;
  public readonly completions: number;
  public readonly waitForTerminatingPods: boolean;
  /** Whether the run waits on every Kubernetes release that has the field: as set, else true. */
  private readonly waitsWhereSupported: boolean;

  constructor(w: Workload, props: JobRunProps, ttlAfterFinished?: Duration) {
    const version = w.context.platform.kubernetesVersion;
    if (props.waitForTerminatingPods === true) {
      version._require(w, _Feature.JOB_POD_REPLACEMENT_POLICY, 'waitForTerminatingPods', true, 'leave waitForTerminatingPods unset');
    }
    this.waitForTerminatingPods = props.waitForTerminatingPods ?? version._has(_Feature.JOB_POD_REPLACEMENT_POLICY);
    this.waitsWhereSupported = props.waitForTerminatingPods ?? true;
    this.backoffLimit = props.backoffLimit ?? 3;
    this.activeDeadline = props.activeDeadline ?? Duration.hours(1);
    this.ttlAfterFinished = ttlAfterFinished;
    this.parallelism = props.parallelism ?? 1;
    this.completions = props.completions ?? 1;
    _assertInteger(w, 'backoffLimit', this.backoffLimit, 0, 10000, 'allow a few retries, such as 3, or 0 for none');
    _assertInteger(w, 'parallelism', this.parallelism, 1, 10000, 'run at least one pod at a time');
    _assertInteger(w, 'completions', this.completions, 1, 10000, 'require at least one successful pod');
    for (const [prop, value] of [['activeDeadline', this.activeDeadline], ['ttlAfterFinished', this.ttlAfterFinished]] as const) {
      if (value !== undefined) {
        const seconds = _duration(w, prop, value).toMilliseconds() / 1000;
        if (!Number.isInteger(seconds) || seconds < 1) {
          throw _invalid(w, prop, `${seconds}s`, 'must be a positive whole number of seconds',
            prop === 'activeDeadline' ? 'give the longest a run may take, for example Duration.minutes(30)' : 'keep finished Jobs for a while, for example Duration.days(1), or leave ttlAfterFinished out', ErrorCode.OUT_OF_RANGE);
        }
      }
    }
  }

  /** The Job spec around the pod template. */
  public render(template: k8s.PodTemplateSpec): k8s.JobSpec {
    return {
      backoffLimit: this.backoffLimit,
      activeDeadlineSeconds: this.activeDeadline.toSeconds(),
      ...(this.ttlAfterFinished !== undefined ? { ttlSecondsAfterFinished: this.ttlAfterFinished.toSeconds() } : {}),
      parallelism: this.parallelism,
      completions: this.completions,
      ...(this.waitForTerminatingPods ? { podReplacementPolicy: 'Failed' } : {}),
      template,
    };
  }

  /**
   * A rendered Job spec as it reads on every Kubernetes release that has each of its
   * version-dependent fields, for a name that must not change when only the
   * platform's kubernetesVersion does: `podReplacementPolicy` (which a release before
   * 1.29 leaves out, and which may change on an existing Job) reads as on 1.29 and
   * later. The field order is render()'s.
   */
  public versionIndependent(spec: k8s.JobSpec): k8s.JobSpec {
    const rest: { [key: string]: unknown } = { ...spec };
    delete rest.podReplacementPolicy;
    delete rest.template;
    return { ...rest, ...(this.waitsWhereSupported ? { podReplacementPolicy: 'Failed' } : {}), template: spec.template };
  }
}

/**
 * A workload whose pods run to completion (`Job`, `CronJob`): the settings of a run,
 * resolved and checked.
 */
export abstract class RunToCompletionWorkload extends Workload {
  /** Failed pods tolerated per run. */
  public readonly backoffLimit: number;
  /** The longest a run may take. */
  public readonly activeDeadline: Duration;
  /** Pods at once per run. */
  public readonly parallelism: number;
  /** Successful pods needed per run. */
  public readonly completions: number;
  /** Whether a replacement pod waits until the one it replaces has terminated (`podReplacementPolicy: Failed`). */
  public readonly waitForTerminatingPods: boolean;
  /** @internal */
  protected readonly _run: _JobRun;

  /** @internal */
  protected constructor(scope: BoundedContext, id: string, props: WorkloadProps & JobRunProps, kind: _Kind, ttlAfterFinished?: Duration) {
    super(scope, id, props, kind);
    this._run = new _JobRun(this, props, ttlAfterFinished);
    this.backoffLimit = this._run.backoffLimit;
    this.activeDeadline = this._run.activeDeadline;
    this.parallelism = this._run.parallelism;
    this.completions = this._run.completions;
    this.waitForTerminatingPods = this._run.waitForTerminatingPods;
  }

  /**
   * The Job spec of a run, around the workload's pod template.
   * @internal
   */
  protected _renderRun(): k8s.JobSpec {
    return this._run.render(this._podTemplate({ restartPolicy: 'Never' }));
  }
}

/**
 * A value with every Lazy produced, for hashing what it will render as.
 * @internal
 */
export function _resolved(value: unknown): unknown {
  if (value instanceof Lazy) {
    return _resolved(value.produce());
  }
  if (Array.isArray(value)) {
    return value.map(_resolved);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, _resolved(v)]));
  }
  return value;
}

/**
 * kube-linter asks every pod controller, Jobs included, for readiness and liveness
 * probes; a pod that runs to completion has neither traffic to gate nor a need for
 * restarts in place (its deadline ends a stuck run).
 * @internal
 */
export function _suppressRunProbes(controller: ApiObject, deadlineSeconds: number): void {
  const reason = `runs to completion: it serves no traffic for a readiness probe to gate, and activeDeadlineSeconds (${deadlineSeconds}) ends a stuck run instead of a liveness probe`;
  _suppress(controller, 'kube-linter', 'no-readiness-probe', reason);
  _suppress(controller, 'kube-linter', 'no-liveness-probe', reason);
}

import { createHash } from 'crypto';
import { Duration, Lazy } from 'cdk8s';
import { k8s } from '../internal/k8s';
import type { BoundedContext } from '../platform/bounded-context';
import { _assertInteger, _checkType, _invalid, _oneOf } from '../internal/errors';
import { LABEL } from '../internal/labels';
import { _suppress } from '../internal/suppressions';
import { PreStopSleep } from '../pod/pre-stop';
import { JobRunProps, RunToCompletionWorkload, _resolved, _suppressRunProbes } from './job-run';
import { WorkloadProps, _KindFootprint } from './workload-props';
import { ErrorCode } from '../internal/configuration-error';

/**
 * An Argo CD resource hook: when in a sync the Job runs.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/resource_hooks/
 */
export class ArgoCdHook {
  /** Before Argo CD applies the other manifests (database migrations). */
  public static readonly PRE_SYNC = new ArgoCdHook('PreSync');
  /** With the other manifests, after PreSync hooks succeeded. */
  public static readonly SYNC = new ArgoCdHook('Sync');
  /** After every manifest is applied and healthy (smoke tests). */
  public static readonly POST_SYNC = new ArgoCdHook('PostSync');

  private constructor(
    /** The value of `argocd.argoproj.io/hook`. */
    public readonly value: string,
  ) {}
}

/**
 * A Helm chart hook: at which point of a release the Job runs.
 *
 * @see https://helm.sh/docs/topics/charts_hooks/
 */
export class HelmHook {
  /** Before the chart's resources are first installed. */
  public static readonly PRE_INSTALL = new HelmHook('pre-install');
  /** Before an upgrade's resources are applied. */
  public static readonly PRE_UPGRADE = new HelmHook('pre-upgrade');
  /** After the chart's resources are installed. */
  public static readonly POST_INSTALL = new HelmHook('post-install');
  /** After an upgrade's resources are applied. */
  public static readonly POST_UPGRADE = new HelmHook('post-upgrade');

  private constructor(
    /** The value in `helm.sh/hook`. */
    public readonly value: string,
  ) {}
}

/**
 * Properties of a Job.
 */
export interface JobProps extends WorkloadProps, JobRunProps {
  /**
   * How long a finished Job is kept before Kubernetes deletes it. Positive, and only
   * for a hook (`argoCdHook` or `helmHooks`): a Job that is part of the applied state
   * would be created again by the next apply once the TTL controller deleted it, and
   * run again, so a TTL without a hook is refused.
   *
   * @default - Duration.days(1) for an Argo CD or Helm hook (hooks are not part of
   * the synced state, so nothing brings a deleted one back); otherwise kept until
   * its manifest is pruned, because a Job deleted by a TTL would run again on the
   * next apply of the same manifest
   */
  readonly ttlAfterFinished?: Duration;

  /**
   * The Argo CD sync wave: Argo CD applies lower waves first and waits for them to
   * be healthy (a Job: completed) before the next. Rendered as
   * `argocd.argoproj.io/sync-wave`.
   *
   * @default - no sync wave (wave 0)
   * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
   */
  readonly argoCdSyncWave?: number;

  /**
   * Runs the Job as an Argo CD hook (`argocd.argoproj.io/hook`), with
   * `hook-delete-policy: BeforeHookCreation`.
   *
   * @default - an ordinary resource of the sync
   */
  readonly argoCdHook?: ArgoCdHook;

  /**
   * Runs the Job as a Helm hook (`helm.sh/hook`), for charts built from the
   * synthesized YAML, with `hook-delete-policy: before-hook-creation`.
   *
   * @default - not a Helm hook
   */
  readonly helmHooks?: HelmHook[];
}

/**
 * A Job in a bounded context, for admin processes such as a schema migration: runs
 * the container to completion, with retries (`backoffLimit`), a deadline
 * (`activeDeadline`) and an optional clean-up (`ttlAfterFinished`). Its name is
 * `<name>-<hash of its spec>`: a changed image, command or configuration is a new
 * Job that runs again, never an apply that fails on the Job's immutable template.
 *
 * It gets what every workload gets: its own ServiceAccount without a token, the
 * context's requests and limits, Pod Security `restricted`, and a NetworkPolicy
 * that admits nothing and lets out only the calls and backing services declared.
 * Argo CD and Helm ordering annotations are opt-in (`argoCdSyncWave`,
 * `argoCdHook`, `helmHooks`); with plain `kubectl apply` the Job runs when applied.
 *
 * @example
 * const migrate = new Job(orders, 'orders-migrate', {
 *   image: Image.fromTag('ghcr.io/acme/orders', '4.0.3'),
 *   args: ['migrate', 'up'],
 *   argoCdHook: ArgoCdHook.PRE_SYNC,
 * });
 * migrate.addBackingService('DATABASE_URL', BackingService.fromUrl('postgresql://orders-db:5432/orders', { cidrs: ['10.0.3.0/24'] }));
 */
export class Job extends RunToCompletionWorkload {
  /** How long a finished Job is kept, if set. */
  public readonly ttlAfterFinished?: Duration;
  /** The Argo CD sync wave, if set. */
  public readonly argoCdSyncWave?: number;
  /** The Argo CD hook, if set. */
  public readonly argoCdHook?: ArgoCdHook;
  private readonly _helmHooks: HelmHook[];
  private readonly _spec: k8s.JobSpec;

  constructor(scope: BoundedContext, id: string, props: JobProps) {
    // the ordering annotations go on every object of the Job (its ConfigMap,
    // ServiceAccount, NetworkPolicy, Role), which must exist before it runs
    const hook = props.argoCdHook !== undefined || (props.helmHooks ?? []).length > 0;
    super(scope, id, props, { noun: 'job', title: 'job', component: 'job', preStopDelay: Duration.seconds(0), longRunning: false, props: 'Job', annotations: Job.ordering(props) },
      props.ttlAfterFinished ?? (hook ? Duration.days(1) : undefined));
    if (id.length > 52) {
      throw _invalid(this, 'id', id, 'must be at most 52 characters: the Job\'s name adds \'-\' and a 10-digit hash, and Kubernetes labels its pods with it (at most 63)',
        'shorten the name', ErrorCode.INVALID_NAME);
    }
    if (props.ttlAfterFinished !== undefined && !hook) {
      throw _invalid(this, 'ttlAfterFinished', `${props.ttlAfterFinished.toSeconds()}s`,
        'would make the Job run again after every apply: no Argo CD or Helm hook owns it, so once the TTL controller deletes it, '
        + 'the next kubectl apply or GitOps sync of the same manifest creates it again',
        'run it as a hook (argoCdHook: ArgoCdHook.PRE_SYNC or POST_SYNC, or helmHooks: [...]), which Argo CD and Helm delete and recreate themselves, '
        + 'or leave ttlAfterFinished out: the Job is deleted when its manifest is pruned');
    }
    this.ttlAfterFinished = this._run.ttlAfterFinished;
    this.argoCdSyncWave = props.argoCdSyncWave;
    this.argoCdHook = props.argoCdHook === undefined ? undefined : _oneOf(this, 'argoCdHook', props.argoCdHook, ArgoCdHook);
    if (props.helmHooks !== undefined) {
      _checkType(this, 'helmHooks', props.helmHooks, 'array', 'list the hooks, for example [HelmHook.PRE_UPGRADE]');
    }
    this._helmHooks = [...(props.helmHooks ?? [])].map((h, i) => _oneOf(this, `helmHooks[${i}]`, h, HelmHook));
    if (this.argoCdSyncWave !== undefined) {
      _assertInteger(this, 'argoCdSyncWave', this.argoCdSyncWave, -1000000, 1000000, 'use a small whole number; lower waves are applied first');
    }
    if (props.helmHooks !== undefined && this._helmHooks.length === 0) {
      throw _invalid(this, 'helmHooks', [], 'must list at least one hook when given', 'list the hooks, for example [HelmHook.PRE_UPGRADE], or leave the prop out', ErrorCode.MISSING_REQUIRED);
    }

    if (this.preStopDelay.toSeconds() > 0 && this.preStopSleep === PreStopSleep.AUTO && !this.nativePreStopSleep) {
      throw _invalid(this, 'preStopSleep', this.preStopSleep.name,
        `must be PreStopSleep.EXEC for a Job with a preStopDelay (${this.preStopDelay.toSeconds()}s) while the platform targets Kubernetes ${this.context.platform.kubernetesVersion.name}: `
        + 'AUTO runs sleep in the container before 1.30 and the kubelet\'s native sleep from 1.30, a change to the Job\'s immutable pod template, '
        + 'so raising kubernetesVersion would need a new Job, which runs again',
        'set preStopSleep: PreStopSleep.EXEC (what it renders now), or leave preStopDelay out (a Job serves no traffic to drain)', ErrorCode.CONFLICT);
    }
    this._spec = this._renderRun();
    const name = Lazy.any({ produce: () => this.jobName }) as string;
    const job = new k8s.KubeJob(this, 'Resource', {
      // the instance label is the object's name, as on every other controller
      metadata: { ...this._meta(), name, labels: { ...this._labels, [LABEL.INSTANCE]: name } },
      spec: this._spec,
    });
    this._setController(job);
    _suppressRunProbes(job, this.activeDeadline.toSeconds());
    if (this.ttlAfterFinished === undefined) {
      _suppress(job, 'kube-linter', 'job-ttl-seconds-after-finished',
        'no TTL on purpose: a Job deleted by a TTL would run again on the next apply of the same manifest; this hash-named Job goes when its manifest is pruned');
    }
    this.connections._render('a Job is never called: its NetworkPolicy admits no ingress');
  }

  /**
   * The Job's name: `<name>-<the first 10 hex digits of the SHA-256 of its spec>`.
   * The hash covers what the Job runs and how (the pod template: image, command,
   * args, variables, the configuration's hashed ConfigMap, volumes, resources,
   * identity; and the run's settings), but not what the platform's
   * kubernetesVersion alone changes in its rendering, so that raising the version
   * never renames the Job (a renamed Job runs again): `podReplacementPolicy` is
   * hashed as Kubernetes 1.29 and later render it, and the pod template has no
   * version-dependent form (a native sidecar needs 1.29 whatever the version, and
   * a preStop sleep that would switch forms at 1.30 is refused).
   */
  public get jobName(): string {
    const spec = this._run.versionIndependent(_resolved(this._spec) as k8s.JobSpec);
    const hash = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 10);
    return `${this.name}-${hash}`;
  }

  /** The Helm hooks (a copy). */
  public get helmHooks(): HelmHook[] {
    return [...this._helmHooks];
  }

  /** @internal */
  protected _kindFootprint(): _KindFootprint {
    return {
      peakPods: this.parallelism,
      services: 0,
      claims: 0,
      storage: 0,
    };
  }

  private static ordering(props: JobProps): { [key: string]: string } {
    const a: { [key: string]: string } = {};
    if (props.argoCdSyncWave !== undefined) {
      a['argocd.argoproj.io/sync-wave'] = `${props.argoCdSyncWave}`;
    }
    if (props.argoCdHook !== undefined) {
      a['argocd.argoproj.io/hook'] = props.argoCdHook.value;
      a['argocd.argoproj.io/hook-delete-policy'] = 'BeforeHookCreation';
    }
    if (Array.isArray(props.helmHooks) && props.helmHooks.length > 0) {
      a['helm.sh/hook'] = props.helmHooks!.map(h => h.value).join(',');
      a['helm.sh/hook-delete-policy'] = 'before-hook-creation';
    }
    return a;
  }
}

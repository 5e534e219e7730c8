import { Duration } from 'cdk8s';
import { _wholeSeconds } from '../internal/duration';
import { k8s } from '../internal/k8s';
import type { BoundedContext } from '../platform/bounded-context';
import { CronSchedule } from './cron-schedule';
import { _assertInteger, _checkType, _instanceOf, _invalid, _oneOf } from '../internal/errors';
import { JobRunProps, RunToCompletionWorkload, _suppressRunProbes } from './job-run';
import { WorkloadProps, _KindFootprint } from './workload-props';
import { ErrorCode } from '../internal/configuration-error';

/**
 * What a CronJob does when a run is due while the previous one still runs.
 *
 * Kubernetes' third policy, `Allow`, lets runs pile up without bound, which no
 * quota can hold; it is not offered.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#concurrency-policy
 */
export class ConcurrencyPolicy {
  /** Skip the new run. */
  public static readonly FORBID = new ConcurrencyPolicy('Forbid', 1);
  /** Stop the running one and start the new run (both hold pods for a while). */
  public static readonly REPLACE = new ConcurrencyPolicy('Replace', 2);

  private constructor(
    /** The Kubernetes name of the policy. */
    public readonly value: string,
    /** How many runs may hold pods at once. @internal */
    public readonly _runs: number,
  ) {}
}

/**
 * Properties of a CronJob.
 */
export interface CronJobProps extends WorkloadProps, JobRunProps {
  /** When it runs. */
  readonly schedule: CronSchedule;

  /**
   * The time zone the schedule is read in, an IANA name.
   *
   * @default 'Etc/UTC'
   */
  readonly timeZone?: string;

  /**
   * What to do when a run is due while the previous one still runs.
   *
   * @default ConcurrencyPolicy.FORBID
   */
  readonly concurrencyPolicy?: ConcurrencyPolicy;

  /**
   * How late a missed run may still start (after a controller outage, say); later,
   * it is skipped. At least 10 seconds.
   *
   * @default Duration.minutes(30)
   */
  readonly startingDeadline?: Duration;

  /**
   * How many finished successful Jobs are kept.
   *
   * @default 3
   */
  readonly successfulJobsHistoryLimit?: number;

  /**
   * How many finished failed Jobs are kept (for their logs).
   *
   * @default 1
   */
  readonly failedJobsHistoryLimit?: number;
}

const TIME_ZONE = /^(UTC|[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9][A-Za-z0-9_+-]*){1,2})$/;

/**
 * A CronJob in a bounded context, for recurring work (nightly clean-ups, reports):
 * a Job on a schedule checked at synth, in a time zone, with one run at a time by
 * default. Each run gets what every workload gets: its own ServiceAccount without a
 * token, the context's requests and limits, Pod Security `restricted`, and a
 * NetworkPolicy that admits nothing and lets out only the calls declared. The
 * context's quota check counts the pods of the runs that may overlap.
 *
 * @example
 * new CronJob(accounts, 'session-cleanup', {
 *   image: Image.fromTag('ghcr.io/acme/accounts', '2.4.1'),
 *   args: ['sessions', 'purge'],
 *   schedule: CronSchedule.expression('30 3 * * *'),
 *   timeZone: 'Europe/Berlin',
 * });
 */
export class CronJob extends RunToCompletionWorkload {
  /** When it runs. */
  public readonly schedule: CronSchedule;
  /** The schedule's time zone. */
  public readonly timeZone: string;
  /** What happens to overlapping runs. */
  public readonly concurrencyPolicy: ConcurrencyPolicy;
  /** How late a missed run may start. */
  public readonly startingDeadline: Duration;
  /** Successful Jobs kept. */
  public readonly successfulJobsHistoryLimit: number;
  /** Failed Jobs kept. */
  public readonly failedJobsHistoryLimit: number;

  constructor(scope: BoundedContext, id: string, props: CronJobProps) {
    super(scope, id, props, { noun: 'cron job', title: 'cron job', component: 'cronjob', preStopDelay: Duration.seconds(0), longRunning: false });
    if (id.length > 52) {
      throw _invalid(this, 'id', id, 'must be at most 52 characters: Kubernetes names each run\'s Job after the CronJob plus 11 characters',
        'shorten the name', ErrorCode.INVALID_NAME);
    }
    this.schedule = _instanceOf(this, 'schedule', props.schedule, CronSchedule, 'use CronSchedule.expression(\'0 3 * * *\') or a constant such as CronSchedule.DAILY');
    this.timeZone = props.timeZone ?? 'Etc/UTC';
    this.concurrencyPolicy = _oneOf(this, 'concurrencyPolicy', props.concurrencyPolicy ?? ConcurrencyPolicy.FORBID, ConcurrencyPolicy);
    this.startingDeadline = props.startingDeadline ?? Duration.minutes(30);
    this.successfulJobsHistoryLimit = props.successfulJobsHistoryLimit ?? 3;
    this.failedJobsHistoryLimit = props.failedJobsHistoryLimit ?? 1;
    this.schedule._check(this);
    _checkType(this, 'timeZone', this.timeZone, 'string', 'use a name from the tz database such as \'Europe/Berlin\'');
    if (!TIME_ZONE.test(this.timeZone)) {
      throw _invalid(this, 'timeZone', this.timeZone, 'must be an IANA time zone name such as \'Europe/Berlin\' or \'Etc/UTC\'',
        'use a name from the tz database (not an abbreviation such as \'CET\' or an offset)', ErrorCode.UNKNOWN_OPTION);
    }
    const deadline = _wholeSeconds(this, 'startingDeadline', this.startingDeadline, 0);
    if (deadline < 10) {
      throw _invalid(this, 'startingDeadline', `${deadline}s`, 'must be a whole number of seconds, at least 10 (the CronJob controller checks every 10 seconds, so a shorter deadline may skip every run)',
        'use Duration.minutes(30), or at least Duration.seconds(10)', ErrorCode.OUT_OF_RANGE);
    }
    _assertInteger(this, 'successfulJobsHistoryLimit', this.successfulJobsHistoryLimit, 0, 100, 'keep a few, such as 3');
    _assertInteger(this, 'failedJobsHistoryLimit', this.failedJobsHistoryLimit, 0, 100, 'keep at least 1 to read its logs');

    const jobMeta = { labels: { ...this._labels } };
    const cronJob = new k8s.KubeCronJob(this, 'Resource', {
      metadata: this._meta(),
      spec: {
        schedule: this.schedule.expression,
        timeZone: this.timeZone,
        concurrencyPolicy: this.concurrencyPolicy.value,
        startingDeadlineSeconds: deadline,
        successfulJobsHistoryLimit: this.successfulJobsHistoryLimit,
        failedJobsHistoryLimit: this.failedJobsHistoryLimit,
        jobTemplate: { metadata: jobMeta, spec: this._renderRun() },
      },
    });
    this._setController(cronJob);
    _suppressRunProbes(cronJob, this.activeDeadline.toSeconds());
    this.connections._render('a CronJob is never called: its NetworkPolicy admits no ingress');
  }

  /** @internal */
  protected _kindFootprint(): _KindFootprint {
    return {
      peakPods: this.parallelism * this.concurrencyPolicy._runs,
      services: 0,
      claims: 0,
      storage: 0,
    };
  }
}

import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ErrorCode } from '../internal/configuration-error';
import { _duration } from '../internal/duration';
import { _invalid } from '../internal/errors';

/**
 * Options of a service level objective.
 */
export interface SloOptions {
  /**
   * The window the objective holds over, whole days from 7 to 90: the error budget is
   * (100% - objective) of the requests in it.
   *
   * @default Duration.days(30)
   */
  readonly window?: Duration;
}

/**
 * A service level objective of a service: the share of its requests that must
 * succeed (`availability`) or be answered within a threshold (`latency`), over a
 * window. `ServiceAlerts` renders its recording rules and the multiwindow,
 * multi-burn-rate alerts of the Google SRE workbook.
 *
 * @see https://sre.google/workbook/alerting-on-slos/
 */
export class Slo {
  /**
   * The share of requests that must succeed, in percent (99.9 for three nines).
   */
  public static availability(objectivePercent: number, options: SloOptions = {}): Slo {
    return new Slo('availability', objectivePercent, undefined, options.window ?? Duration.days(30));
  }

  /**
   * The share of requests that must be answered within `threshold`, in percent. The
   * threshold must be a bucket boundary of the service's latency histogram.
   */
  public static latency(objectivePercent: number, threshold: Duration, options: SloOptions = {}): Slo {
    return new Slo('latency', objectivePercent, threshold, options.window ?? Duration.days(30));
  }

  private constructor(
    /** 'availability' or 'latency': the `slo` label of its rules. */
    public readonly name: string,
    /** The objective, in percent. */
    public readonly objectivePercent: number,
    /** The latency threshold of a latency objective. */
    public readonly threshold: Duration | undefined,
    /** The window the objective holds over. */
    public readonly window: Duration) {}

  /** The error budget: the share of requests that may fail the objective (0.001 for 99.9%). */
  public get errorBudget(): number {
    return Number((1 - this.objectivePercent / 100).toPrecision(12));
  }

  /**
   * Throws when the objective or the window is out of range.
   * @internal
   */
  public _check(scope: IConstruct, prop: string): void {
    const o = this.objectivePercent;
    if (typeof o !== 'number' || !Number.isFinite(o) || o >= 100 || o < 50) {
      throw _invalid(scope, `${prop}.objectivePercent`, o,
        'must be at least 50 and below 100 (percent): 100% leaves no error budget to alert on, and under 50% is no objective',
        'use an objective such as 99.9 (three nines) or 99', ErrorCode.OUT_OF_RANGE);
    }
    const days = _duration(scope, `${prop}.window`, this.window).toMilliseconds() / 86_400_000;
    if (!Number.isInteger(days) || days < 7 || days > 90) {
      throw _invalid(scope, `${prop}.window`, `${days}d`,
        'must be whole days from 7 to 90: the slowest burn-rate alert looks back 3 days, and needs a window well beyond it',
        'use Duration.days(30) (the default) or Duration.days(28)', ErrorCode.OUT_OF_RANGE);
    }
    if (this.name === 'latency') {
      const ms = _duration(scope, `${prop}.threshold`, this.threshold as Duration).toMilliseconds();
      if (!(ms > 0)) {
        throw _invalid(scope, `${prop}.threshold`, `${ms}ms`, 'must be longer than 0', 'use the latency your users expect, such as Duration.millis(300)', ErrorCode.OUT_OF_RANGE);
      }
    }
  }
}

/**
 * One alert of the multiwindow, multi-burn-rate policy: it fires when the error budget
 * burns at `factor` times the sustainable rate over both the long and the short window
 * (the short one makes it stop soon after the burn stops).
 */
export class BurnRateAlert {
  /**
   * The four alerts of the SRE workbook, for a 30-day window: page at 14.4x over 1h
   * and 5m (2% of the budget in an hour) and at 6x over 6h and 30m (5% in six hours);
   * ticket at 3x over 1d and 2h (10% in a day) and at 1x over 3d and 6h (10% in three
   * days).
   */
  public static readonly WORKBOOK: readonly BurnRateAlert[] = [
    new BurnRateAlert('page', Duration.hours(1), Duration.minutes(5), 0.02),
    new BurnRateAlert('page', Duration.hours(6), Duration.minutes(30), 0.05),
    new BurnRateAlert('ticket', Duration.days(1), Duration.hours(2), 0.10),
    new BurnRateAlert('ticket', Duration.days(3), Duration.hours(6), 0.10),
  ];

  private constructor(
    /** 'page' (someone acts now) or 'ticket' (someone acts within a working day). */
    public readonly severity: string,
    /** The long window. */
    public readonly longWindow: Duration,
    /** The short window, a twelfth of the long one. */
    public readonly shortWindow: Duration,
    /** The share of the error budget that burns in the long window at the alert's rate. */
    public readonly budgetConsumed: number) {}

  /**
   * The burn rate the alert fires at, for an objective over `window`: the budget share
   * consumed in the long window, scaled to the whole window (14.4 for the first
   * alert over 30 days).
   */
  public factor(window: Duration): number {
    return Number((this.budgetConsumed * window.toMilliseconds() / this.longWindow.toMilliseconds()).toPrecision(12));
  }
}

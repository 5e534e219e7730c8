import { IConstruct } from 'constructs';
import { _invalid } from '../internal/errors';

const MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** The most days each month can have (February: 29, in leap years). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names for the values from `min` on (months from 1, weekdays from 0). */
  readonly names?: string[];
  /** The period after which a step starts again. */
  readonly period: string;
}

// the bounds of Kubernetes' parser (robfig/cron v3, ParseStandard): day of week is
// 0-6, Sunday 0; 7 is out of range there
const FIELDS: Field[] = [
  { name: 'minute', min: 0, max: 59, period: 'hour' },
  { name: 'hour', min: 0, max: 23, period: 'day' },
  { name: 'day of month', min: 1, max: 31, period: 'month' },
  { name: 'month', min: 1, max: 12, names: MONTHS, period: 'year' },
  { name: 'day of week', min: 0, max: 6, names: DAYS, period: 'week' },
];

/** A value as a user reads it: a month or weekday by its name. */
function show(spec: Field, n: number): string {
  return spec.names ? spec.names[n - spec.min].toUpperCase() : `${n}`;
}

/** A field as written, followed by its months or weekdays by name when written as numbers. */
function withNames(spec: Field, field: string): string {
  if (!spec.names || !/\d/.test(field)) {
    return field;
  }
  const named = field.replace(/(^|[^/\d])(\d+)/g, (all, before: string, d: string) => (Number(d) >= spec.min && Number(d) <= spec.max ? before + show(spec, Number(d)) : all));
  return named === field ? field : `${field} (${named})`;
}

/**
 * Options of a cron expression.
 */
export interface CronScheduleOptions {
  /**
   * Why the schedule restricts both the day of month and the day of week. Cron
   * combines the two with OR: `0 0 1 * MON` runs on the 1st of every month and on
   * every Monday, not on the Mondays that are the 1st. Such a schedule is refused
   * unless this says that either day is meant.
   *
   * @default - a schedule that restricts both day fields is refused
   */
  readonly dayOrWeekdayReason?: string;
}

/**
 * When a CronJob runs: a standard five-field cron expression (minute, hour, day of
 * month, month, day of week) or one of the macros Kubernetes accepts. It is checked
 * when the CronJob is created, with the bounds of the parser Kubernetes uses
 * (robfig/cron v3; day of week 0-6 or SUN-SAT, months 1-12 or JAN-DEC): six fields
 * (seconds), values out of range and schedules that never run (`0 0 31 2 *`,
 * February 31) are errors, and so are schedules that do not mean what they seem to:
 * a step larger than its field (`*\/90` minutes runs at minute 0 only), both day fields
 * restricted (cron runs on either; see `dayOrWeekdayReason`), and a `TZ=` or
 * `CRON_TZ=` prefix (Kubernetes refuses it: set the CronJob's `timeZone`).
 *
 * @example
 * CronSchedule.expression('30 3 * * *')   // every day at 03:30
 * CronSchedule.expression('0 *\/6 * * 1-5') // every six hours on weekdays
 * CronSchedule.DAILY
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax
 */
export class CronSchedule {
  /** Once an hour, at minute 0 (`@hourly`). */
  public static readonly HOURLY = new CronSchedule('@hourly');
  /** Once a day, at midnight (`@daily`). */
  public static readonly DAILY = new CronSchedule('@daily');
  /** Once a week, at midnight between Saturday and Sunday (`@weekly`). */
  public static readonly WEEKLY = new CronSchedule('@weekly');
  /** Once a month, at midnight on the first (`@monthly`). */
  public static readonly MONTHLY = new CronSchedule('@monthly');
  /** Once a year, at midnight on January 1 (`@yearly`). */
  public static readonly YEARLY = new CronSchedule('@yearly');

  /** A five-field cron expression or a macro such as `@daily`. */
  public static expression(expression: string, options: CronScheduleOptions = {}): CronSchedule {
    return new CronSchedule(expression, options.dayOrWeekdayReason);
  }

  private constructor(
    /** The expression, as rendered in `spec.schedule`. */
    public readonly expression: string,
    /** Why both day fields are restricted, if they may be. */
    public readonly dayOrWeekdayReason?: string,
  ) {}

  /**
   * Throws unless the expression is a valid schedule that runs at some time and
   * means what it seems to say.
   * @internal
   */
  public _check(scope: IConstruct): void {
    if (typeof this.expression !== 'string') {
      throw _invalid(scope, 'schedule', this.expression, 'must be a cron expression', 'pass a string such as \'30 3 * * *\'');
    }
    const e = this.expression.trim();
    const zone = /^(CRON_)?TZ=(\S*)\s*(.*)$/.exec(e);
    // the API server refuses any schedule that contains 'TZ' (TZ= and CRON_TZ= prefixes)
    if (zone || e.includes('TZ')) {
      const rest = zone ? zone[3] : '30 3 * * *';
      throw _invalid(scope, 'schedule', this.expression,
        'must not name a time zone: Kubernetes refuses TZ= and CRON_TZ= in a CronJob\'s schedule',
        `write the schedule alone ('${rest}') and set the CronJob's timeZone prop${zone && zone[2] ? ` (timeZone: '${zone[2]}')` : ', for example timeZone: \'Europe/Berlin\''}`);
    }
    if (this.dayOrWeekdayReason !== undefined && (typeof this.dayOrWeekdayReason !== 'string' || this.dayOrWeekdayReason.trim() === '')) {
      throw _invalid(scope, 'dayOrWeekdayReason', this.dayOrWeekdayReason, 'must say why either day is meant',
        'write the reason, for example \'billing runs on the 1st and every Monday\'');
    }
    if (e.startsWith('@')) {
      if (!MACROS.includes(e)) {
        throw _invalid(scope, 'schedule', this.expression, `must be one of the macros Kubernetes accepts (${MACROS.join(', ')}) or five fields`,
          'use a five-field expression such as \'0 3 * * *\', or CronSchedule.DAILY');
      }
      this.checkReasonUsed(scope, false);
      return;
    }
    const fields = e.split(/\s+/);
    if (fields.length !== 5) {
      const seconds = fields.length === 6 ? ' (a six-field expression starts with seconds, which Kubernetes does not take)' : '';
      throw _invalid(scope, 'schedule', this.expression,
        `must have five fields (minute hour day-of-month month day-of-week), but has ${fields.length}${seconds}`,
        'write minute, hour, day of month, month and day of week, for example \'30 3 * * *\'');
    }
    const sets = fields.map((f, i) => parseField(scope, this.expression, f, FIELDS[i]));
    const [, , days, months, weekdays] = sets;
    // as in robfig/cron: when both day fields are restricted, a day matches either
    if (days.restricted && weekdays.restricted) {
      if (this.dayOrWeekdayReason === undefined) {
        const dayOfWeek = withNames(FIELDS[4], fields[4]);
        throw _invalid(scope, 'schedule', this.expression,
          `restricts both the day of month (${fields[2]}) and the day of week (${dayOfWeek}), which cron combines with OR: `
          + `it runs on every day of month in ${fields[2]} and on every day of week in ${dayOfWeek}, not only on days that are both`,
          `write '*' in one of the two fields (for 'the first Monday', run on days 1-7 with '*' as the day of week and let the job check the weekday), `
          + `or, if either day is meant, say so: CronSchedule.expression('${this.expression}', { dayOrWeekdayReason: '...' })`);
      }
      return;
    }
    this.checkReasonUsed(scope, true);
    const possible = [...months.values].some(m => [...days.values].some(d => d <= MONTH_DAYS[m - 1]));
    if (!possible) {
      throw _invalid(scope, 'schedule', this.expression,
        `never runs: no month of ${withNames(FIELDS[3], fields[3])} has day ${fields[2]}`,
        'pick a day the chosen months have (February has at most 29 days; April, June, September and November 30)');
    }
  }

  private checkReasonUsed(scope: IConstruct, fields: boolean): void {
    if (this.dayOrWeekdayReason !== undefined) {
      throw _invalid(scope, 'dayOrWeekdayReason', this.dayOrWeekdayReason,
        `is given, but the schedule ('${this.expression}') ${fields ? 'does not restrict both the day of month and the day of week' : 'is a macro'}, so nothing combines with OR`,
        'remove dayOrWeekdayReason');
    }
  }
}

/** The values a field allows, and whether it restricts them (robfig/cron's star bit is not set). */
function parseField(scope: IConstruct, expression: string, field: string, spec: Field): { values: Set<number>; restricted: boolean } {
  const range = spec.names ? `a number from ${spec.min} to ${spec.max} or a name ${show(spec, spec.min)}-${show(spec, spec.max)}` : `a number from ${spec.min} to ${spec.max}`;
  const fail = (why: string, fix?: string): Error => _invalid(scope, 'schedule', expression, `has an invalid ${spec.name} field ('${field}'): ${why}`,
    fix ?? `write the ${spec.name} as '*', ${range}, a range 'a-b', a step '*/n' or 'a-b/n', or a list of those`);
  const number = (text: string): number => {
    const named = spec.names?.indexOf(text.toLowerCase()) ?? -1;
    if (named >= 0) {
      return named + spec.min;
    }
    if (!/^\d+$/.test(text)) {
      throw fail(`'${text}' is not a number${spec.names ? ' or a name' : ''}`);
    }
    const n = Number(text);
    if (n === 7 && spec.names === DAYS) {
      throw fail(`7 is outside ${spec.min}-${spec.max} (SUN-SAT): Kubernetes' cron parser takes only 0 for Sunday`, 'write 0 or SUN for Sunday');
    }
    if (n < spec.min || n > spec.max) {
      throw fail(`${n} is outside ${spec.min}-${spec.max}${spec.names ? ` (${show(spec, spec.min)}-${show(spec, spec.max)})` : ''}`);
    }
    return n;
  };
  const values = new Set<number>();
  let restricted = true;
  for (const part of field.split(',')) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(part);
    if (!m) {
      throw fail(`'${part}' is not a value, range or step`);
    }
    const step = m[2] !== undefined ? Number(m[2]) : 1;
    if (step < 1) {
      throw fail('a step must be at least 1');
    }
    let from: number;
    let to: number;
    if (m[1] === '*' || m[1] === '?') {
      [from, to] = [spec.min, spec.max];
      // robfig/cron: '*' and '?' leave the field unrestricted, unless stepped by more than 1
      restricted = restricted && step > 1;
    } else if (m[1].includes('-')) {
      const [a, b] = m[1].split('-');
      [from, to] = [number(a), number(b)];
      if (from > to) {
        throw fail(`the range ${withNames(spec, m[1])} runs backwards`);
      }
    } else {
      from = number(m[1]);
      // 'a/n' means 'a-max/n'
      to = m[2] !== undefined ? spec.max : from;
    }
    if (step > 1 && from + step > to) {
      const span = from === spec.min && to === spec.max ? `its ${spec.name} field (${spec.min}-${spec.max})` : `the range ${show(spec, from)}-${show(spec, to)} it steps through`;
      throw fail(`the step ${step} is larger than ${span}, so it picks only ${show(spec, from)} (a step starts again every ${spec.period}, it does not carry over)`,
        `write '${show(spec, from)}' if once ${spec.period === 'hour' ? 'an' : 'a'} ${spec.period} is meant, or a step of at most ${to - from}`
        + (spec.name === 'minute' && step > 60 ? ' (for every 90 minutes, use two CronJobs, such as \'0 0-21/3 * * *\' and \'30 1-22/3 * * *\')' : ''));
    }
    for (let v = from; v <= to; v += step) {
      values.add(v);
    }
  }
  return { values, restricted };
}

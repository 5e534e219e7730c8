import { IConstruct } from 'constructs';
import { _invalid } from '../internal/errors';

const MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** The most days each month can have (February: 29, in leap years). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const FIELDS: Array<{ name: string; min: number; max: number; names?: string[] }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 7, names: DAYS },
];

/**
 * When a CronJob runs: a standard five-field cron expression (minute, hour, day of
 * month, month, day of week) or one of the macros Kubernetes accepts. It is checked
 * when the CronJob is created: six fields (seconds), values out of range and
 * schedules that never run (`0 0 31 2 *`, February 31) are errors.
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
  public static expression(expression: string): CronSchedule {
    return new CronSchedule(expression);
  }

  private constructor(
    /** The expression, as rendered in `spec.schedule`. */
    public readonly expression: string,
  ) {}

  /**
   * Throws unless the expression is a valid schedule that runs at some time.
   * @internal
   */
  public _check(scope: IConstruct): void {
    const e = this.expression.trim();
    if (e.startsWith('@')) {
      if (!MACROS.includes(e)) {
        throw _invalid(scope, 'schedule', this.expression, `must be one of the macros Kubernetes accepts (${MACROS.join(', ')}) or five fields`,
          'use a five-field expression such as \'0 3 * * *\', or CronSchedule.DAILY');
      }
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
    // when day of week is restricted too, cron runs on either: the schedule runs
    if (weekdays.restricted) {
      return;
    }
    const possible = [...months.values].some(m => [...days.values].some(d => d <= MONTH_DAYS[m - 1]));
    if (!possible) {
      throw _invalid(scope, 'schedule', this.expression,
        `never runs: no month of ${fields[3]} has day ${fields[2]}`,
        'pick a day the chosen months have (February has at most 29 days; April, June, September and November 30)');
    }
  }
}

/** The values a field allows, and whether it restricts them at all. */
function parseField(scope: IConstruct, expression: string, field: string, spec: { name: string; min: number; max: number; names?: string[] }):
{ values: Set<number>; restricted: boolean } {
  const fail = (why: string): Error => _invalid(scope, 'schedule', expression, `has an invalid ${spec.name} field ('${field}'): ${why}`,
    `write the ${spec.name} as '*', a number from ${spec.min} to ${spec.max}, a range 'a-b', a step '*/n' or 'a-b/n', or a list of those`);
  const number = (text: string): number => {
    const named = spec.names?.indexOf(text.toLowerCase()) ?? -1;
    if (named >= 0) {
      return named + (spec.names === MONTHS ? 1 : 0);
    }
    if (!/^\d+$/.test(text)) {
      throw fail(`'${text}' is not a number${spec.names ? ' or a name' : ''}`);
    }
    const n = Number(text);
    if (n < spec.min || n > spec.max) {
      throw fail(`${n} is outside ${spec.min}-${spec.max}`);
    }
    return n;
  };
  const values = new Set<number>();
  // as in the cron library Kubernetes uses: a field starting with '*' or '?' is unrestricted
  const restricted = !field.split(',').some(p => ['*', '?'].includes(p.split('/')[0]));
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
    } else if (m[1].includes('-')) {
      const [a, b] = m[1].split('-');
      [from, to] = [number(a), number(b)];
      if (from > to) {
        throw fail(`the range ${m[1]} runs backwards`);
      }
    } else {
      from = number(m[1]);
      to = m[2] !== undefined ? spec.max : from;
    }
    for (let v = from; v <= to; v += step) {
      values.add(v);
    }
  }
  return { values, restricted };
}

import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { _instanceOf, _invalid } from './errors';
import { ErrorCode } from './configuration-error';

/**
 * A Duration as the whole number of seconds a field takes, at least `min`.
 * Fractions (`Duration.seconds(1.5)`) are refused with the construct path and the
 * nearest whole values, instead of cdk8s' own message without either. `countedIn`
 * says who reads the field in seconds, for the message.
 * @internal
 */
export function _wholeSeconds(scope: IConstruct, prop: string, duration: Duration, min: number,
  countedIn = 'Kubernetes counts this field in seconds'): number {
  const millis = _duration(scope, prop, duration).toMilliseconds();
  const seconds = millis / 1000;
  if (!Number.isInteger(seconds)) {
    const down = Math.max(Math.floor(seconds), min);
    const up = Math.max(Math.ceil(seconds), min);
    throw _invalid(scope, prop, `${seconds}s`, `must be a whole number of seconds (${countedIn})`,
      down === up ? `use Duration.seconds(${up})` : `use Duration.seconds(${down}) or Duration.seconds(${up})`, ErrorCode.OUT_OF_RANGE);
  }
  if (seconds < min) {
    throw _invalid(scope, prop, `${seconds}s`, `must be at least ${min} second${min === 1 ? '' : 's'}`, `use Duration.seconds(${min}) or more`, ErrorCode.OUT_OF_RANGE);
  }
  return seconds;
}

/**
 * Checks that a prop holds a Duration (plain JavaScript and tsx do not type-check: a
 * string such as '30s' or a number of seconds would fail as a bare TypeError).
 */
export function _duration(scope: IConstruct, prop: string, value: Duration): Duration {
  return _instanceOf(scope, prop, value, Duration, 'use Duration.seconds(n), Duration.minutes(n) or Duration.hours(n)');
}

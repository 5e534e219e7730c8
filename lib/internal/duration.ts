import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { _invalid } from './errors';

/**
 * A Duration as the whole number of seconds a field takes, at least `min`.
 * Fractions (`Duration.seconds(1.5)`) are refused with the construct path and the
 * nearest whole values, instead of cdk8s' own message without either. `countedIn`
 * says who reads the field in seconds, for the message.
 * @internal
 */
export function _wholeSeconds(scope: IConstruct, prop: string, duration: Duration, min: number,
  countedIn = 'Kubernetes counts this field in seconds'): number {
  const millis = duration.toMilliseconds();
  const seconds = millis / 1000;
  if (!Number.isInteger(seconds)) {
    const down = Math.max(Math.floor(seconds), min);
    const up = Math.max(Math.ceil(seconds), min);
    throw _invalid(scope, prop, `${seconds}s`, `must be a whole number of seconds (${countedIn})`,
      down === up ? `use Duration.seconds(${up})` : `use Duration.seconds(${down}) or Duration.seconds(${up})`);
  }
  if (seconds < min) {
    throw _invalid(scope, prop, `${seconds}s`, `must be at least ${min} second${min === 1 ? '' : 's'}`, `use Duration.seconds(${min}) or more`);
  }
  return seconds;
}

import { IConstruct } from 'constructs';
import { ErrorCode } from '../internal/configuration-error';
import { _invalid } from '../internal/errors';

/**
 * The names of the IANA time zone database, zones and links (`backward` included:
 * `US/Eastern`, `Asia/Calcutta`), from the `tzdata` package. They are the names Go's
 * `time.LoadLocation` finds in the database Go embeds (`time/tzdata`), which is what
 * the API server checks a CronJob's `timeZone` with; test/workloads/time-zone.test.ts
 * holds the verdicts of that check on 600 names, recorded once.
 */
let names: Set<string> | undefined;

function timeZoneNames(): Set<string> {
  if (names === undefined) {
    const data = require('tzdata') as { zones: Record<string, unknown> };
    names = new Set(Object.keys(data.zones));
  }
  return names;
}

/**
 * Throws unless `value` is a time zone the API server accepts in a CronJob's
 * `spec.timeZone`: a name of the IANA database as written there, case included
 * (`time.LoadLocation` looks it up case-sensitively), and not `Local`.
 * @internal
 */
export function _checkTimeZone(scope: IConstruct, prop: string, value: string): void {
  const all = timeZoneNames();
  if (typeof value === 'string' && all.has(value)) {
    return;
  }
  const expected = 'must be a name of the IANA time zone database as it is written there, case included (the API server looks it up with Go\'s time.LoadLocation)';
  if (typeof value !== 'string') {
    throw _invalid(scope, prop, value, expected, 'pass the name as a string, for example \'Europe/Berlin\'', ErrorCode.WRONG_TYPE);
  }
  const sameLetters = [...all].find(n => n.toLowerCase() === value.trim().toLowerCase());
  if (sameLetters !== undefined) {
    throw _invalid(scope, prop, value, expected, `write '${sameLetters}'`, ErrorCode.UNKNOWN_OPTION);
  }
  if (value.toLowerCase() === 'local') {
    throw _invalid(scope, prop, value, `${expected}; 'Local' would be the controller's own zone, which Kubernetes refuses`,
      'name the zone, for example \'Europe/Berlin\', or leave timeZone out for \'Etc/UTC\'', ErrorCode.UNKNOWN_OPTION);
  }
  throw _invalid(scope, prop, value, expected,
    'use a name such as \'Europe/Berlin\', \'America/New_York\' or \'Etc/UTC\' (an offset is not a name: a fixed UTC+1 is \'Etc/GMT-1\', the sign inverted)', ErrorCode.UNKNOWN_OPTION);
}

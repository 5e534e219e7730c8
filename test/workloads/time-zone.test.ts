import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { _checkTimeZone } from '../../lib/workloads/time-zone';

/**
 * The API server's verdicts (Go's time.LoadLocation behind Kubernetes' own rules) on
 * 602 names, recorded once by fixtures/load-location.go; see the fixture's `about`.
 */
const GO = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'time-zones-go.json'), 'utf8')) as { accepted: string[]; refused: string[] };

function accepted(zone: string): boolean {
  try {
    _checkTimeZone(new Construct(Testing.app(), 'nightly'), 'timeZone', zone);
    return true;
  } catch {
    return false;
  }
}

describe('time zone names', () => {
  test('the recorded Go comparison covers a few hundred names both ways', () => {
    expect([GO.accepted.length, GO.refused.length]).toEqual([308, 294]);
    expect(GO.accepted).toEqual(expect.arrayContaining(['US/Eastern', 'Asia/Calcutta', 'Etc/UTC', 'UTC', 'CET']));
    expect(GO.refused).toEqual(expect.arrayContaining(['EUROPE/BERLIN', 'Local', 'PST', 'SystemV/EST5', '+01:00', 'posixrules', '']));
  });

  test('accepts every name the API server accepts', () => {
    expect(GO.accepted.filter(z => !accepted(z))).toEqual([]);
  });

  test('refuses every name the API server refuses', () => {
    expect(GO.refused.filter(z => accepted(z))).toEqual([]);
  });
});

import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { CronSchedule } from '../../lib';

function check(expression: string): void {
  CronSchedule.expression(expression)._check(new Construct(Testing.app(), 'nightly'));
}

describe('CronSchedule', () => {
  test.each([
    '30 3 * * *', '*/15 * * * *', '0 9-17/2 * * 1-5', '0 0 1,15 * *', '0 0 * jan,jul mon', '0 0 29 2 *', '0 0 31 2 1', '0 0 30 1-3 *', '0 12 ? * SUN', '0 0 * * 7',
    '@hourly', '@daily', '@midnight', '@weekly', '@monthly', '@yearly', '@annually',
  ])('accepts %s', expression => {
    expect(() => check(expression)).not.toThrow();
  });

  test('the macros are constants', () => {
    expect([CronSchedule.HOURLY, CronSchedule.DAILY, CronSchedule.WEEKLY, CronSchedule.MONTHLY, CronSchedule.YEARLY].map(s => s.expression))
      .toEqual(['@hourly', '@daily', '@weekly', '@monthly', '@yearly']);
  });

  test('fails when the expression has six fields (seconds)', () => {
    expect(() => check('0 30 3 * * *'))
      .toThrow("nightly: 'schedule' ('0 30 3 * * *') must have five fields (minute hour day-of-month month day-of-week), but has 6 (a six-field expression starts with seconds, which Kubernetes does not take); write minute, hour, day of month, month and day of week, for example '30 3 * * *'");
  });

  test('fails when the expression has four fields', () => {
    expect(() => check('0 3 * *')).toThrow(/must have five fields \(minute hour day-of-month month day-of-week\), but has 4; /);
  });

  test.each([
    ['0 0 31 2 *', 'never runs: no month of 2 has day 31'],
    ['0 0 30 feb *', 'never runs: no month of feb has day 30'],
    ['0 0 31 4,6,9,11 *', 'never runs: no month of 4,6,9,11 has day 31'],
  ])('fails when %s names an impossible date', (expression, expected) => {
    expect(() => check(expression))
      .toThrow(`nightly: 'schedule' ('${expression}') ${expected}; pick a day the chosen months have (February has at most 29 days; April, June, September and November 30)`);
  });

  test.each([
    ['60 * * * *', "has an invalid minute field ('60'): 60 is outside 0-59"],
    ['0 24 * * *', "has an invalid hour field ('24'): 24 is outside 0-23"],
    ['0 0 0 * *', "has an invalid day of month field ('0'): 0 is outside 1-31"],
    ['0 0 * 13 *', "has an invalid month field ('13'): 13 is outside 1-12"],
    ['0 0 * * 8', "has an invalid day of week field ('8'): 8 is outside 0-7"],
    ['0 0 * * funday', "has an invalid day of week field ('funday'): 'funday' is not a number or a name"],
    ['5-1 * * * *', "has an invalid minute field ('5-1'): the range 5-1 runs backwards"],
    ['*/0 * * * *', "has an invalid minute field ('*/0'): a step must be at least 1"],
    ['1//2 * * * *', "has an invalid minute field ('1//2'): '1//2' is not a value, range or step"],
  ])('fails when %s has a bad field', (expression, expected) => {
    expect(() => check(expression)).toThrow(`nightly: 'schedule' ('${expression}') ${expected}; write the `);
  });

  test('fails when the macro is unknown', () => {
    expect(() => check('@every 1h'))
      .toThrow("nightly: 'schedule' ('@every 1h') must be one of the macros Kubernetes accepts (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly) or five fields; use a five-field expression such as '0 3 * * *', or CronSchedule.DAILY");
  });
});

import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { CronSchedule } from '../../lib';

function check(expression: string, dayOrWeekdayReason?: string): void {
  CronSchedule.expression(expression, { dayOrWeekdayReason })._check(new Construct(Testing.app(), 'nightly'));
}

describe('CronSchedule', () => {
  test.each([
    '30 3 * * *', '*/15 * * * *', '0 9-17/2 * * 1-5', '0 0 1,15 * *', '0 0 * jan,jul mon', '0 0 29 2 *', '0 0 30 1-3 *', '0 12 ? * SUN', '0 0 * * 0',
    '0 0 * JAN-DEC SUN-SAT', '0 0 * Jan-Jun Mon-Fri', '0 0 * * 6', '*/30 * * * *', '0 */12 * * *', '0 0 * * */3', '0 0 1-7 * *', '0 0 */2 * *', '0 0 * * */1',
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
    ['0 0 31 2 *', 'never runs: no month of 2 (FEB) has day 31'],
    ['0 0 30 feb *', 'never runs: no month of feb has day 30'],
    ['0 0 31 4,6,9,11 *', 'never runs: no month of 4,6,9,11 (APR,JUN,SEP,NOV) has day 31'],
  ])('fails when %s names an impossible date', (expression, expected) => {
    expect(() => check(expression))
      .toThrow(`nightly: 'schedule' ('${expression}') ${expected}; pick a day the chosen months have (February has at most 29 days; April, June, September and November 30)`);
  });

  test.each([
    ['60 * * * *', "has an invalid minute field ('60'): 60 is outside 0-59"],
    ['0 24 * * *', "has an invalid hour field ('24'): 24 is outside 0-23"],
    ['0 0 0 * *', "has an invalid day of month field ('0'): 0 is outside 1-31"],
    ['0 0 * 13 *', "has an invalid month field ('13'): 13 is outside 1-12 (JAN-DEC)"],
    ['0 0 * * 8', "has an invalid day of week field ('8'): 8 is outside 0-6 (SUN-SAT)"],
    ['0 0 * * funday', "has an invalid day of week field ('funday'): 'funday' is not a number or a name"],
    ['5-1 * * * *', "has an invalid minute field ('5-1'): the range 5-1 runs backwards"],
    ['*/0 * * * *', "has an invalid minute field ('*/0'): a step must be at least 1"],
    ['1//2 * * * *', "has an invalid minute field ('1//2'): '1//2' is not a value, range or step"],
  ])('fails when %s has a bad field', (expression, expected) => {
    expect(() => check(expression)).toThrow(`nightly: 'schedule' ('${expression}') ${expected}; write the `);
  });

  test('fails when day of week is 7: Kubernetes\' parser (robfig/cron v3) takes 0-6, Sunday 0', () => {
    expect(() => check('0 0 * * 7'))
      .toThrow("nightly: 'schedule' ('0 0 * * 7') has an invalid day of week field ('7'): 7 is outside 0-6 (SUN-SAT): Kubernetes' cron parser takes only 0 for Sunday; write 0 or SUN for Sunday");
    expect(() => check('0 0 * * 5-7')).toThrow(/7 is outside 0-6 \(SUN-SAT\)/);
  });

  test('the messages write a range out of bounds and a backwards range by name', () => {
    expect(() => check('0 0 * 5-3 *')).toThrow("has an invalid month field ('5-3'): the range 5-3 (MAY-MAR) runs backwards; write the month as '*', a number from 1 to 12 or a name JAN-DEC");
  });

  describe('schedules that parse but do not mean what they say', () => {
    test('fails when both day fields are restricted: cron runs on either', () => {
      expect(() => check('0 0 1 * MON')).toThrow("nightly: 'schedule' ('0 0 1 * MON') restricts both the day of month (1) and the day of week (MON), which cron combines with OR: "
        + "it runs on every day of month in 1 and on every day of week in MON, not only on days that are both; write '*' in one of the two fields "
        + "(for 'the first Monday', run on days 1-7 with '*' as the day of week and let the job check the weekday), "
        + "or, if either day is meant, say so: CronSchedule.expression('0 0 1 * MON', { dayOrWeekdayReason: '...' })");
      // weekdays by name; a stepped '*' restricts (robfig/cron clears its star bit)
      expect(() => check('0 0 1,15 * 1-5')).toThrow(/the day of week \(1-5 \(MON-FRI\)\)/);
      expect(() => check('0 0 */2 * 1')).toThrow(/restricts both the day of month \(\*\/2\) and the day of week \(1 \(MON\)\)/);
      expect(() => check('0 0 31 2 1')).toThrow(/restricts both/);
    });

    test('both day fields restricted, with a reason, is accepted as written', () => {
      expect(() => check('0 0 1 * MON', 'invoices go out on the 1st, reminders every Monday')).not.toThrow();
    });

    test.each([
      ['30 3 * * *', "does not restrict both the day of month and the day of week"],
      ['@daily', 'is a macro'],
    ])('fails when dayOrWeekdayReason is given for %s, which nothing combines', (expression, why) => {
      expect(() => check(expression, 'why not'))
        .toThrow(`nightly: 'dayOrWeekdayReason' ('why not') is given, but the schedule ('${expression}') ${why}, so nothing combines with OR; remove dayOrWeekdayReason`);
    });

    test('fails when dayOrWeekdayReason is empty', () => {
      expect(() => check('0 0 1 * MON', ' ')).toThrow("nightly: 'dayOrWeekdayReason' (' ') must say why either day is meant; write the reason");
    });

    test.each([
      ['*/90 * * * *', "has an invalid minute field ('*/90'): the step 90 is larger than its minute field (0-59), so it picks only 0 (a step starts again every hour, it does not carry over); "
        + "write '0' if once an hour is meant, or a step of at most 59 (for every 90 minutes, use two CronJobs, such as '0 0-21/3 * * *' and '30 1-22/3 * * *')"],
      ['0 */30 * * *', "has an invalid hour field ('*/30'): the step 30 is larger than its hour field (0-23), so it picks only 0 (a step starts again every day, it does not carry over); "
        + "write '0' if once a day is meant, or a step of at most 23"],
      ['5/60 * * * *', "has an invalid minute field ('5/60'): the step 60 is larger than the range 5-59 it steps through, so it picks only 5"],
      ['0 0 * 1-3/4 *', "has an invalid month field ('1-3/4'): the step 4 is larger than the range JAN-MAR it steps through, so it picks only JAN (a step starts again every year, it does not carry over); "
        + "write 'JAN' if once a year is meant, or a step of at most 2"],
      ['0 0 * * */7', "has an invalid day of week field ('*/7'): the step 7 is larger than its day of week field (0-6), so it picks only SUN"],
    ])('fails when %s has a step larger than its field', (expression, expected) => {
      expect(() => check(expression)).toThrow(`nightly: 'schedule' ('${expression}') ${expected}`);
    });

    test.each([
      ['TZ=Europe/Berlin 30 3 * * *', "write the schedule alone ('30 3 * * *') and set the CronJob's timeZone prop (timeZone: 'Europe/Berlin')"],
      ['CRON_TZ=America/New_York 0 9 * * 1-5', "write the schedule alone ('0 9 * * 1-5') and set the CronJob's timeZone prop (timeZone: 'America/New_York')"],
    ])('fails when %s names a time zone in the schedule (not a seconds field: following that would move the run to UTC)', (expression, fix) => {
      expect(() => check(expression))
        .toThrow(`nightly: 'schedule' ('${expression}') must not name a time zone: Kubernetes refuses TZ= and CRON_TZ= in a CronJob's schedule; ${fix}`);
    });
  });

  test('fails when the macro is unknown', () => {
    expect(() => check('@every 1h'))
      .toThrow("nightly: 'schedule' ('@every 1h') must be one of the macros Kubernetes accepts (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly) or five fields; use a five-field expression such as '0 3 * * *', or CronSchedule.DAILY");
  });
});

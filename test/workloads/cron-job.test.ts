import { Duration } from 'cdk8s';
import { ConcurrencyPolicy, CronJob, CronJobProps, CronSchedule, Image } from '../../lib';
import { find, objects, setup } from '../_helpers';

function props(overrides: Partial<CronJobProps> = {}): CronJobProps {
  return { image: Image.fromTag('ghcr.io/acme/accounts', '2.4.1'), args: ['sessions', 'purge'], schedule: CronSchedule.expression('30 3 * * *'), ...overrides };
}

describe('CronJob', () => {
  test('defaults: UTC, one run at a time, a 30-minute starting deadline, 3 successful and 1 failed Job kept, runs like a Job', () => {
    const { context } = setup();

    const cleanup = new CronJob(context, 'cleanup', props());

    expect([cleanup.timeZone, cleanup.concurrencyPolicy, cleanup.startingDeadline.toSeconds(), cleanup.successfulJobsHistoryLimit, cleanup.failedJobsHistoryLimit])
      .toEqual(['Etc/UTC', ConcurrencyPolicy.FORBID, 1800, 3, 1]);
    expect([cleanup.backoffLimit, cleanup.activeDeadline.toSeconds(), cleanup.parallelism, cleanup.completions, cleanup.waitForTerminatingPods, cleanup.component])
      .toEqual([3, 3600, 1, 1, true, 'cronjob']);
    const manifests = objects(context);
    const c = find(manifests, 'CronJob', 'cleanup');
    expect(c.metadata.labels['app.kubernetes.io/instance']).toEqual('cleanup');
    expect(c.spec).toMatchObject({
      schedule: '30 3 * * *', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 1800,
      successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1,
      jobTemplate: { spec: { backoffLimit: 3, activeDeadlineSeconds: 3600, parallelism: 1, completions: 1, podReplacementPolicy: 'Failed' } },
    });
    // the history limits clean up: a TTL would fight them (kube-linter job-ttl-seconds-after-finished)
    expect(c.spec.jobTemplate.spec).not.toHaveProperty('ttlSecondsAfterFinished');
    const pod = c.spec.jobTemplate.spec.template.spec;
    expect(pod).toMatchObject({ restartPolicy: 'Never', serviceAccountName: 'cleanup', automountServiceAccountToken: false });
    expect(pod.containers[0]).not.toHaveProperty('lifecycle');
    expect(find(manifests, 'NetworkPolicy', 'cleanup').spec).toEqual({ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'cleanup' } }, policyTypes: ['Ingress', 'Egress'] });
    expect(find(manifests, 'ServiceAccount', 'cleanup').automountServiceAccountToken).toBe(false);
  });

  test('renders the schedule settings given', () => {
    const { context } = setup();

    new CronJob(context, 'report', props({
      schedule: CronSchedule.WEEKLY, timeZone: 'Europe/Berlin', concurrencyPolicy: ConcurrencyPolicy.REPLACE,
      startingDeadline: Duration.minutes(5), successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 2,
    }));

    expect(find(objects(context), 'CronJob', 'report').spec).toMatchObject({
      schedule: '@weekly', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Replace', startingDeadlineSeconds: 300, successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 2,
    });
  });

  test.each([
    [ConcurrencyPolicy.FORBID, 3, 'report 3 pods x 1 = 3'],
    [ConcurrencyPolicy.REPLACE, 5, 'report 6 pods x 1 = 6'],
  ])('the quota check counts the parallel pods of the runs that may overlap (%o)', (policy, pods, parts) => {
    const { context } = setup({ quota: { pods } });

    new CronJob(context, 'report', props({ concurrencyPolicy: policy, parallelism: 3, completions: 3 }));

    if (policy === ConcurrencyPolicy.FORBID) {
      expect(() => objects(context)).not.toThrow();
    } else {
      expect(() => objects(context)).toThrow(new RegExp(`'quota\\.pods' \\('5'\\) is below the pods .* \\(${parts}\\)`));
    }
  });

  test.each([
    ['a link of the database (backward)', 'US/Eastern'],
    ['an old name kept as a link', 'Asia/Calcutta'],
    ['a zone named by its abbreviation in the database', 'CET'],
    ['UTC', 'UTC'],
  ])('accepts a time zone the API server accepts: %s', (_what, zone) => {
    const { context } = setup();

    new CronJob(context, 'cleanup', props({ timeZone: zone }));

    expect(find(objects(context), 'CronJob', 'cleanup').spec).toMatchObject({ schedule: '30 3 * * *', timeZone: zone });
  });

  test.each([
    ['in another case', 'europe/berlin', "write 'Europe/Berlin'"],
    ['in capitals', 'US/EASTERN', "write 'US/Eastern'"],
    ['an offset', '+01:00', "use a name such as 'Europe/Berlin', 'America/New_York' or 'Etc/UTC' (an offset is not a name: a fixed UTC+1 is 'Etc/GMT-1', the sign inverted)"],
    ['an abbreviation the database does not have', 'PST', "use a name such as 'Europe/Berlin', 'America/New_York' or 'Etc/UTC'"],
    ['an id only ICU knows', 'SystemV/EST5', "use a name such as 'Europe/Berlin'"],
  ])('fails when the time zone is %s', (_what, zone, fix) => {
    const { context } = setup();

    expect(() => new CronJob(context, 'cleanup', props({ timeZone: zone })))
      .toThrow(`catalog/cleanup: 'timeZone' ('${zone}') must be a name of the IANA time zone database as it is written there, case included (the API server looks it up with Go's time.LoadLocation); ${fix}`);
  });

  test('fails when the time zone is Local', () => {
    const { context } = setup();

    expect(() => new CronJob(context, 'cleanup', props({ timeZone: 'Local' })))
      .toThrow("catalog/cleanup: 'timeZone' ('Local') must be a name of the IANA time zone database as it is written there, case included (the API server looks it up with Go's time.LoadLocation); "
        + "'Local' would be the controller's own zone, which Kubernetes refuses; name the zone, for example 'Europe/Berlin', or leave timeZone out for 'Etc/UTC'");
  });

  test('a schedule that restricts both day fields renders as written when its reason is given', () => {
    const { context } = setup();

    new CronJob(context, 'billing', props({ schedule: CronSchedule.expression('0 6 1 * MON', { dayOrWeekdayReason: 'invoices on the 1st, reminders every Monday' }) }));

    expect(find(objects(context), 'CronJob', 'billing').spec.schedule).toEqual('0 6 1 * MON');
  });

  test('fails when the schedule has a TZ= prefix, pointing to the timeZone prop', () => {
    const { context } = setup();

    expect(() => new CronJob(context, 'cleanup', props({ schedule: CronSchedule.expression('TZ=Europe/Berlin 30 3 * * *') })))
      .toThrow("catalog/cleanup: 'schedule' ('TZ=Europe/Berlin 30 3 * * *') must not name a time zone: Kubernetes refuses TZ= and CRON_TZ= in a CronJob's schedule; "
        + "write the schedule alone ('30 3 * * *') and set the CronJob's timeZone prop (timeZone: 'Europe/Berlin')");
  });

  test('fails when a history limit is Infinity, showing it as written', () => {
    const { context } = setup();

    expect(() => new CronJob(context, 'cleanup', props({ successfulJobsHistoryLimit: Infinity })))
      .toThrow("catalog/cleanup: 'successfulJobsHistoryLimit' (Infinity) must be a whole number between 0 and 100; keep a few, such as 3");
  });

  test('fails when the starting deadline is under 10 seconds', () => {
    const { context } = setup();

    expect(() => new CronJob(context, 'cleanup', props({ startingDeadline: Duration.seconds(5) })))
      .toThrow(/^catalog\/cleanup: 'startingDeadline' \('5s'\) must be a whole number of seconds, at least 10/);
    expect(() => new CronJob(setup().context, 'cleanup', props({ startingDeadline: Duration.millis(90500) })))
      .toThrow(/^catalog\/cleanup: 'startingDeadline' \('90.5s'\) must be a whole number of seconds \(Kubernetes counts this field in seconds\); use Duration.seconds\(90\) or Duration.seconds\(91\)$/);
  });

  test('fails when the schedule is invalid, naming the CronJob', () => {
    const { context } = setup();

    expect(() => new CronJob(context, 'cleanup', props({ schedule: CronSchedule.expression('0 0 31 2 *') })))
      .toThrow(/^catalog\/cleanup: 'schedule' \('0 0 31 2 \*'\) never runs/);
  });

  test('fails when a history limit is negative', () => {
    const { context } = setup();

    expect(() => new CronJob(context, 'cleanup', props({ failedJobsHistoryLimit: -1 })))
      .toThrow(/^catalog\/cleanup: 'failedJobsHistoryLimit' \(-1\) must be a whole number between 0 and 100; keep at least 1 to read its logs$/);
  });

  test('fails when the name is longer than 52 characters', () => {
    const { context } = setup();

    expect(() => new CronJob(context, 'c'.repeat(53), props())).toThrow(/must be at most 52 characters: Kubernetes names each run's Job after the CronJob plus 11 characters/);
  });
});

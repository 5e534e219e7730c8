import { CronJob, CronSchedule, ErrorCode, Image, Job, Port, Probe, StatefulService } from '../../lib';
import { find, microservice, objects, setup } from '../_helpers';

/**
 * Names a controller extends (issue 20, class 1), at the boundary both ways. Each
 * limit is Kubernetes' own: a label value or a DNS label is at most 63 characters, and
 * - the StatefulSet controller labels its pods controller-revision-hash '<name>-<hash>'
 *   (ControllerRevisionName; the hash the decimal FNV-32 of the revision, up to 10
 *   digits) and names them '<name>-<ordinal>': 63 - 11 = 52;
 * - a Job's pods carry job-name and batch.kubernetes.io/job-name '<job name>', and this
 *   library's Job is named '<name>-<10 hex digits>': 52;
 * - the API server refuses a CronJob named longer than DNS1035LabelMaxLength - 11 = 52
 *   (ValidateCronJobCreate), since each run's Job is '<name>-<scheduled minutes>'.
 * A Deployment's ReplicaSet '<name>-<pod-template-hash>' is a DNS subdomain (253) and
 * its pod-template-hash label holds the hash alone: no limit below the name's own 63.
 */
const IMAGE = Image.fromTag('ghcr.io/acme/batch', '1.0.0');

describe('names a controller extends', () => {
  test('a StatefulService of 52 characters renders; its longest pod name and revision label stay within 63', () => {
    const { context } = setup();
    const name = 's'.repeat(52);

    new StatefulService(context, name, {
      image: IMAGE, ports: [Port.tcp(6379, { name: 'redis' })], readiness: Probe.exec(['redis-cli', 'ping']), liveness: Probe.tcp(),
      owners: [microservice(context, 'products')], replicas: 3,
    });

    expect(find(objects(context), 'StatefulSet', name).metadata.name).toHaveLength(52);
    expect(`${name}-${2 ** 32 - 1}`).toHaveLength(63);
  });

  test('fails when a StatefulService is named longer than 52 characters', () => {
    const { context } = setup();
    const owners = [microservice(context, 'products')];
    const store = (name: string) => () => new StatefulService(context, name, {
      image: IMAGE, ports: [Port.tcp(6379)], readiness: Probe.exec(['redis-cli', 'ping']), liveness: Probe.tcp(), owners,
    });

    expect(store('s'.repeat(53))).toThrow(new RegExp(`^catalog/s{53}: 'id' \\('s{53}'\\) must be at most 52 characters: the StatefulSet controller labels each pod controller-revision-hash '<name>-<revision hash of up to 10 digits>' and names it '<name>-<ordinal>', both at most 63, or it never creates the pods; shorten the name to 52 characters or fewer$`));
    expect(store('t'.repeat(53))).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_NAME, path: `catalog/${'t'.repeat(53)}`, prop: 'id' }));
  });

  test('a Job of 52 characters renders, named and labelled within 63', () => {
    const { context } = setup();

    const job = new Job(context, 'j'.repeat(52), { image: IMAGE });

    expect(job.jobName).toHaveLength(63);
    expect(find(objects(context), 'Job', job.jobName).metadata.labels['app.kubernetes.io/instance']).toHaveLength(63);
  });

  test('fails when a Job is named longer than 52 characters', () => {
    const { context } = setup();

    expect(() => new Job(context, 'j'.repeat(53), { image: IMAGE }))
      .toThrow(/^catalog\/j{53}: 'id' \('j{53}'\) must be at most 52 characters: the Job's name adds '-' and a 10-digit hash, and Kubernetes labels its pods with it \(at most 63\); shorten the name$/);
  });

  test('a CronJob of 52 characters renders', () => {
    const { context } = setup();

    new CronJob(context, 'c'.repeat(52), { image: IMAGE, schedule: CronSchedule.DAILY });

    expect(find(objects(context), 'CronJob', 'c'.repeat(52)).metadata.name).toHaveLength(52);
  });

  test('fails when a CronJob is named longer than 52 characters', () => {
    const { context } = setup();

    expect(() => new CronJob(context, 'c'.repeat(53), { image: IMAGE, schedule: CronSchedule.DAILY }))
      .toThrow(/^catalog\/c{53}: 'id' \('c{53}'\) must be at most 52 characters: Kubernetes names each run's Job after the CronJob plus 11 characters; shorten the name$/);
  });

  test('a Microservice of 63 characters renders: its ReplicaSets and pods add nothing a 63-character limit sees', () => {
    const { context } = setup();

    microservice(context, 'm'.repeat(63));

    expect(find(objects(context), 'Deployment', 'm'.repeat(63)).spec.template.metadata.labels['app.kubernetes.io/name']).toHaveLength(63);
  });
});

import {
  CronJob, CronJobProps, CronSchedule, ErrorCode, Image, Job, JobProps, Microservice, MicroserviceProps, Port, Probe, StatefulService, StatefulServiceProps, Worker, WorkerProps,
} from '../../lib';
import { _KIND_PROPS } from '../../lib/workloads/kind-props';
import { find, microservice, objects, setup } from '../_helpers';

/** true when the props list of a kind is exactly the keys of its props interface (checked by tsc). */
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Listed<K extends keyof typeof _KIND_PROPS> = (typeof _KIND_PROPS)[K][number];
const exact: [
  Exact<keyof MicroserviceProps, Listed<'Microservice'>>, Exact<keyof WorkerProps, Listed<'Worker'>>,
  Exact<keyof StatefulServiceProps, Listed<'StatefulService'>>, Exact<keyof JobProps, Listed<'Job'>>, Exact<keyof CronJobProps, Listed<'CronJob'>>,
] = [true, true, true, true, true];

const IMAGE = Image.fromTag('ghcr.io/acme/batch', '1.0.0');
const STORE = { image: IMAGE, ports: [Port.tcp(6379, { name: 'redis' })], readiness: Probe.exec(['redis-cli', 'ping']), liveness: Probe.tcp() };

describe('a prop of another kind is refused, not ignored (plain JavaScript, tsx)', () => {
  test('each kind lists exactly the props of its interface', () => {
    expect(exact).toEqual([true, true, true, true, true]);
  });

  test('fails when autoscaling bounds are passed to a StatefulService', () => {
    const { context } = setup();
    const owners = [microservice(context, 'products')];

    expect(() => new StatefulService(context, 'cache', { ...STORE, owners, minReplicas: 2, maxReplicas: 4 } as StatefulServiceProps))
      .toThrow(/^catalog\/cache: 'minReplicas' \(2\) must not be set on a StatefulService, which does not read it \(it is a prop of Microservice and Worker\); remove minReplicas, or make this a Microservice or Worker if that is what it is$/);
    expect(() => new StatefulService(context, 'cache2', { ...STORE, owners, targetCpuUtilization: 60 } as StatefulServiceProps))
      .toThrow(/^catalog\/cache2: 'targetCpuUtilization' \(60\) must not be set on a StatefulService/);
  });

  test('fails when a schedule is passed to a Job, or ports to a Job or CronJob', () => {
    const { context } = setup();

    expect(() => new Job(context, 'migrate', { image: IMAGE, schedule: CronSchedule.DAILY } as JobProps))
      .toThrow(/^catalog\/migrate: 'schedule' \(\{"expression":"@daily"\}\) must not be set on a Job, which does not read it \(it is a prop of CronJob\); remove schedule, or make this a CronJob if that is what it is$/);
    expect(() => new CronJob(context, 'cleanup', { image: IMAGE, schedule: CronSchedule.DAILY, ports: [Port.http(8080)] } as CronJobProps))
      .toThrow(/^catalog\/cleanup: 'ports' \(.*\) must not be set on a CronJob, which does not read it \(it is a prop of Microservice, Worker, StatefulService\); remove ports, or make this a Microservice or Worker or StatefulService if that is what it is$/);
  });

  test('fails when a Job is given probes, a Worker owners, or a Microservice claims', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    expect(() => new Job(context, 'migrate', { image: IMAGE, withoutProbes: 'runs to completion' } as JobProps)).toThrow(/^catalog\/migrate: 'withoutProbes' \('runs to completion'\) must not be set on a Job/);
    expect(() => new Worker(context, 'relay', { ...STORE, owners: [products] } as WorkerProps)).toThrow(/^catalog\/relay: 'owners' \('<Array>'\) must not be set on a Worker, which does not read it \(it is a prop of StatefulService\)/);
    expect(() => microservice(context, 'orders', { claims: [] } as Partial<MicroserviceProps>)).toThrow(/^catalog\/orders: 'claims' \(\[\]\) must not be set on a Microservice/);
  });

  test('fails when a prop belongs to no kind (a misspelling)', () => {
    const { context } = setup();

    expect(() => microservice(context, 'products', { replica: 3 } as Partial<MicroserviceProps>))
      .toThrow(/^catalog\/products: 'replica' \(3\) is not a prop of Microservice, nor of any workload kind; remove it, or correct its name \(the props are those of MicroserviceProps\)$/);
  });

  test('the refusals carry their codes: CONFLICT for another kind\'s prop, UNKNOWN_OPTION for a prop of none', () => {
    const { context } = setup();

    expect(() => new Job(context, 'migrate', { image: IMAGE, schedule: CronSchedule.DAILY } as JobProps))
      .toThrow(expect.objectContaining({ code: ErrorCode.CONFLICT, path: 'catalog/migrate', prop: 'schedule' }));
    expect(() => microservice(context, 'products', { replica: 3 } as Partial<MicroserviceProps>))
      .toThrow(expect.objectContaining({ code: ErrorCode.UNKNOWN_OPTION, path: 'catalog/products', prop: 'replica', value: 3 }));
  });

  test('another kind\'s prop is refused as such before its value is checked; missing props are left to the kind\'s own checks', () => {
    const { context } = setup();

    // a schedule given as a string is not a CronSchedule either, but a Job reads no schedule at all
    expect(() => new Job(context, 'migrate', { image: IMAGE, schedule: '@daily' } as unknown as JobProps))
      .toThrow(expect.objectContaining({ code: ErrorCode.CONFLICT, prop: 'schedule' }));
    // a misspelt image: the misspelling is named, not the missing image
    expect(() => new Job(context, 'seed', { imgae: IMAGE } as unknown as JobProps))
      .toThrow(expect.objectContaining({ code: ErrorCode.UNKNOWN_OPTION, prop: 'imgae' }));
    // no props at all (plain JavaScript): the missing image, not a TypeError
    expect(() => new (Microservice as any)(context, 'products'))
      .toThrow(expect.objectContaining({ code: ErrorCode.MISSING_REQUIRED, path: 'catalog/products', prop: 'image' }));
  });

  test('the nearest valid input is accepted: the props of the kind, and another kind\'s left undefined', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    new StatefulService(context, 'cache', { ...STORE, owners: [products], replicas: 2, minReplicas: undefined } as StatefulServiceProps);
    new Job(context, 'migrate', { image: IMAGE, schedule: undefined } as JobProps);

    const manifests = objects(context);
    expect(find(manifests, 'StatefulSet', 'cache').spec.replicas).toEqual(2);
    expect(manifests.filter(m => m.kind === 'HorizontalPodAutoscaler').map(m => m.metadata.name)).toEqual(['products']);
    expect(manifests.filter(m => m.kind === 'Job')).toHaveLength(1);
  });
});

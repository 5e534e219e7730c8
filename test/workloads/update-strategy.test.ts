import { ErrorCode, Image, Microservice, Probe, UpdateStrategy, Worker, WorkerProps } from '../../lib';
import { find, microservice, objects, setup } from '../_helpers';

/** A worker relay with exec probes, plus `extra`. */
const props = (extra: Partial<WorkerProps> = {}): WorkerProps => ({
  image: Image.fromTag('ghcr.io/acme/relay', '1.2.0'), readiness: Probe.exec(['/app/ready']), liveness: Probe.exec(['/app/alive']), ...extra,
});
const SUPPRESS = 'conformance.cdk8s-microservices.io/suppress';

describe('updateStrategy', () => {
  test('defaults to UpdateStrategy.SURGE: a rolling update of one extra pod, never below the desired count', () => {
    const { context } = setup();

    const relay = new Worker(context, 'relay', props());
    const products = microservice(context, 'products');

    expect(relay.updateStrategy).toBe(UpdateStrategy.SURGE);
    expect(products.updateStrategy).toBe(UpdateStrategy.SURGE);
    expect(find(objects(context), 'Deployment', 'relay').spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });

  test('a singleton worker can be recreated: every old pod gone before the new one starts, no surge', () => {
    const { context } = setup();

    const relay = new Worker(context, 'relay', props({ replicas: 1, updateStrategy: UpdateStrategy.RECREATE }));

    expect(relay.maxSurge).toEqual(0);
    const d = find(objects(context), 'Deployment', 'relay');
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    // a worker has no Service: kube-score's deployment-strategy does not apply, nothing is suppressed
    expect(d.metadata.annotations[SUPPRESS]).not.toContain('deployment-strategy');
  });

  test('REPLACE rolls without surge: maxSurge 0, maxUnavailable 1', () => {
    const { context } = setup();

    const relay = new Worker(context, 'relay', props({ replicas: 1, updateStrategy: UpdateStrategy.REPLACE }));

    expect(relay.maxSurge).toEqual(0);
    expect(find(objects(context), 'Deployment', 'relay').spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
  });

  test('a recreated microservice with a Service carries kube-score\'s deployment-strategy suppression, with the reason', () => {
    const { context } = setup();

    microservice(context, 'leader', { replicas: 1, updateStrategy: UpdateStrategy.RECREATE });

    const d = find(objects(context), 'Deployment', 'leader');
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    expect(d.metadata.annotations['kube-score/ignore']).toEqual('deployment-strategy');
    expect(JSON.parse(d.metadata.annotations[SUPPRESS])).toContainEqual({ tool: 'kube-score', check: 'deployment-strategy',
      reason: 'updateStrategy RECREATE by choice: every old pod is gone before a new one starts, so that two never run at once; callers wait during a rollout' });
  });

  test('the quota counts no surge: RECREATE needs the desired count, REPLACE one pod more for a singleton', () => {
    const footprint = (strategy: UpdateStrategy) => {
      const { context } = setup();
      return new Worker(context, 'relay', props({ replicas: 1, updateStrategy: strategy }))._footprint().peakPods;
    };

    expect([footprint(UpdateStrategy.SURGE), footprint(UpdateStrategy.REPLACE), footprint(UpdateStrategy.RECREATE)]).toEqual([3, 2, 1]);
  });

  test('fails when maxSurge is set with a strategy that never surges', () => {
    const { context } = setup();

    expect(() => new Worker(context, 'relay', props({ replicas: 1, updateStrategy: UpdateStrategy.RECREATE, maxSurge: 1 })))
      .toThrow(/^catalog\/relay: 'maxSurge' \(1\) must not be set with 'updateStrategy' UpdateStrategy.RECREATE, which never starts extra pods; remove maxSurge, or use UpdateStrategy.SURGE$/);
    expect(() => new Worker(context, 'relay2', props({ replicas: 1, updateStrategy: UpdateStrategy.REPLACE, maxSurge: 1 })))
      .toThrow(expect.objectContaining({ code: ErrorCode.CONFLICT, path: 'catalog/relay2', prop: 'maxSurge', value: 1 }));
  });

  test('fails when updateStrategy is not an UpdateStrategy (plain JavaScript)', () => {
    const { context } = setup();

    expect(() => new Microservice(context, 'products', { ...props(), updateStrategy: 'Recreate' as never }))
      .toThrow(/^catalog\/products: 'updateStrategy' \('Recreate'\) must be one of UpdateStrategy.SURGE \('SURGE'\), UpdateStrategy.REPLACE \('REPLACE'\), UpdateStrategy.RECREATE \('RECREATE'\); use UpdateStrategy.RECREATE$/);
    expect(() => new Microservice(context, 'orders', { ...props(), updateStrategy: 'Recreate' as never }))
      .toThrow(expect.objectContaining({ code: ErrorCode.UNKNOWN_OPTION, path: 'catalog/orders', prop: 'updateStrategy', value: 'Recreate' }));
  });
});

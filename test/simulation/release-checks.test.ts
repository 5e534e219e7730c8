import { Pod, Workload } from './model';
import { EndpointSlice, failedTrackVerdict, FailedTrackInput } from './release-checks';

function pod(name: string, opts: { ready?: boolean; phase?: string } = {}): Pod {
  return {
    metadata: { name, namespace: 'catalog', labels: { 'app.kubernetes.io/name': 'products' } },
    spec: { nodeName: 'sim-zone-a-1', containers: [{ name: 'products', image: 'x:1' }] },
    status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

function stable(available = 2): Workload {
  return {
    kind: 'Deployment', metadata: { name: 'products', namespace: 'catalog', generation: 3 },
    spec: { replicas: 2, selector: { matchLabels: { 'app.kubernetes.io/instance': 'products' } }, template: { spec: { containers: [{ name: 'products', image: 'x:1' }] } } },
    status: { observedGeneration: 3, replicas: 2, updatedReplicas: 2, availableReplicas: available, readyReplicas: available },
  };
}

function slice(service: string, endpoints: Array<[string, boolean]>): EndpointSlice {
  return {
    metadata: { name: `${service}-abcde`, namespace: 'catalog', labels: { 'kubernetes.io/service-name': service } },
    endpoints: endpoints.map(([name, ready]) => ({ addresses: ['10.244.0.1'], conditions: { ready }, targetRef: { kind: 'Pod', name } })),
  };
}

/** A failed canary as it should look: two ready stable pods, two canary pods running and never ready. */
function healthy(): FailedTrackInput {
  return {
    stable: stable(), stablePods: [pod('products-1'), pod('products-2')],
    failingPods: [pod('products-canary-1', { ready: false }), pod('products-canary-2', { ready: false })],
    slices: [
      slice('products-stable', [['products-1', true], ['products-2', true]]),
      slice('products', [['products-1', true], ['products-2', true], ['products-canary-1', false], ['products-canary-2', false]]),
      slice('products-canary', [['products-canary-1', false], ['products-canary-2', false]]),
    ],
    stableService: 'products-stable', service: 'products',
  };
}

describe('the failed-track check', () => {
  test('passes while the stable track serves alone and the canary never becomes ready', () => {
    expect(failedTrackVerdict(healthy())).toEqual([]);
  });

  test('fails when the stable Deployment is not available or a stable pod is not ready', () => {
    const input = { ...healthy(), stable: stable(1), stablePods: [pod('products-1'), pod('products-2', { ready: false })] };
    input.slices = [slice('products-stable', [['products-1', true], ['products-2', false]]), slice('products', [['products-1', true]])];
    expect(failedTrackVerdict(input)).toEqual([
      'Deployment/catalog/products: not available and fully rolled out: 1/2 available, 2 updated, 2 total',
      'Deployment/catalog/products: Pod/catalog/products-2 is not Ready',
      'EndpointSlice/catalog/products-stable-abcde of Service products-stable lists Pod/catalog/products-2, which is not ready',
    ]);
  });

  test('fails when the stable Service lists a canary pod, or leaves a ready stable pod out', () => {
    const input = healthy();
    input.slices[0] = slice('products-stable', [['products-1', true], ['products-canary-1', true]]);
    expect(failedTrackVerdict(input)).toEqual([
      'EndpointSlice/catalog/products-stable-abcde of Service products-stable lists Pod/catalog/products-canary-1 as ready, which is not a ready pod of the stable track',
      'Service products-stable: its EndpointSlices do not list the ready stable Pod products-2',
    ]);
  });

  test('fails when the service\'s Service sends traffic to a canary pod', () => {
    const input = healthy();
    input.slices[1] = slice('products', [['products-1', true], ['products-2', true], ['products-canary-1', true]]);
    expect(failedTrackVerdict(input)).toEqual(['EndpointSlice/catalog/products-abcde of Service products sends traffic to Pod/catalog/products-canary-1, which is not a ready stable pod']);
  });

  test('fails when the failure was not simulated: no failing pod runs, or one became ready', () => {
    expect(failedTrackVerdict({ ...healthy(), failingPods: [] })).toEqual(['no pod of the failing track runs: the failure was not simulated']);
    expect(failedTrackVerdict({ ...healthy(), failingPods: [pod('products-canary-1')] }))
      .toEqual(['Pod/catalog/products-canary-1 of the failing track became Ready: the never-ready stage did not apply']);
  });

  test('fails when the stable Deployment is gone', () => {
    expect(failedTrackVerdict({ ...healthy(), stable: undefined })).toEqual(['the stable Deployment is gone']);
  });
});

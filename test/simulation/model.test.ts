import {
  evaluatePdb, evaluateSpread, formatResource, Node, nodeManifests, parseQuantity, Pdb, platformDemand, Pod, podRequests, quotaExcess,
  rolledImage, scaled, selects, sizeNodes, SpreadConstraint, tolerates, Workload, workloadReady,
} from './model';

const GI = 2 ** 30;
const MI = 2 ** 20;

function node(name: string, zone: string, extra: Partial<Node['spec']> = {}): Node {
  return { metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone } }, spec: extra };
}

function pod(name: string, nodeName: string | undefined, labels: Record<string, string>, opts: { ready?: boolean; deleting?: boolean; ns?: string } = {}): Pod {
  return {
    metadata: { name, namespace: opts.ns ?? 'shop', labels, ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { nodeName, containers: [{ name: 'app', image: 'x:1' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

function deployment(name: string, replicas: number | undefined, labels: Record<string, string>, extra: Partial<Workload['spec']> = {}): Workload {
  return {
    kind: 'Deployment', metadata: { name, namespace: 'shop', generation: 2 },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'x:1' }] } }, ...extra },
  };
}

describe('quantities and selectors', () => {
  test('parses the quantities Kubernetes writes', () => {
    expect(parseQuantity('250m')).toBeCloseTo(0.25);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('1.5')).toBe(1.5);
    expect(parseQuantity('384Mi')).toBe(384 * MI);
    expect(parseQuantity('16Gi')).toBe(16 * GI);
    expect(parseQuantity('1k')).toBe(1000);
    expect(parseQuantity('2e3')).toBe(2000);
    expect(parseQuantity(3)).toBe(3);
  });

  test('fails when a quantity is malformed', () => {
    expect(() => parseQuantity('12 cores')).toThrow("'12 cores' is not a Kubernetes quantity");
  });

  test('formats CPU and bytes for messages', () => {
    expect(formatResource('requests.cpu', 0.25)).toBe('250m');
    expect(formatResource('requests.cpu', 5.4)).toBe('5.4');
    expect(formatResource('requests.memory', 8 * GI)).toBe('8Gi');
    expect(formatResource('limits.memory', 384 * MI)).toBe('384Mi');
    expect(formatResource('pods', 30)).toBe('30');
  });

  test('a selector: absent selects nothing, empty selects everything, expressions hold', () => {
    expect(selects(undefined, { a: '1' })).toBe(false);
    expect(selects({}, { a: '1' })).toBe(true);
    expect(selects({ matchLabels: { a: '1' } }, { a: '1', b: '2' })).toBe(true);
    expect(selects({ matchLabels: { a: '1' } }, { a: '2' })).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'z', operator: 'In', values: ['a', 'b'] }] }, { z: 'b' })).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'z', operator: 'NotIn', values: ['a'] }] }, {})).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'z', operator: 'DoesNotExist' }] }, { z: 'a' })).toBe(false);
  });

  test('percentages scale as Kubernetes rounds them', () => {
    expect(scaled('25%', 3, true, 0)).toBe(1);
    expect(scaled('25%', 3, false, 0)).toBe(0);
    expect(scaled(undefined, 8, true, '25%')).toBe(2);
    expect(scaled(2, 8, true, '25%')).toBe(2);
  });

  test('tolerations: Exists without a key tolerates everything, a key needs its value', () => {
    const taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
    expect(tolerates([{ operator: 'Exists' }], taint)).toBe(true);
    expect(tolerates([{ key: 'other', operator: 'Exists' }], taint)).toBe(false);
    expect(tolerates([{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }], { key: 'dedicated', value: 'db', effect: 'NoSchedule' })).toBe(true);
    expect(tolerates([{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }], { key: 'dedicated', value: 'db', effect: 'NoSchedule' })).toBe(false);
    expect(tolerates(undefined, taint)).toBe(false);
  });
});

describe('requests, demand and node sizing', () => {
  test('a container without requests takes its limits, else the LimitRange default', () => {
    const r = podRequests({
      containers: [
        { name: 'a', image: 'x', resources: { requests: { 'cpu': '250m', 'memory': '384Mi' } } },
        { name: 'b', image: 'x', resources: { limits: { cpu: '500m' } } },
        { name: 'c', image: 'x' },
      ],
    }, { request: { 'cpu': '100m', 'memory': '256Mi', 'ephemeral-storage': '128Mi' } });
    expect(r.cpu).toBeCloseTo(0.25 + 0.5 + 0.1);
    expect(r.memory).toBe(384 * MI + 256 * MI + 256 * MI);
    // per resource: no container sets ephemeral storage, each gets the default
    expect(r.ephemeral).toBe(3 * 128 * MI);
  });

  test('an init container counts when it is larger than the app containers', () => {
    const r = podRequests({
      initContainers: [{ name: 'init', image: 'x', resources: { requests: { cpu: '2' } } }],
      containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '250m' } } }],
    });
    expect(r.cpu).toBe(2);
  });

  test('demand: maximum scale from the HPA plus surge, Jobs by parallelism, DaemonSets per node', () => {
    const web = { ...deployment('web', undefined, { app: 'web' }), apiVersion: 'apps/v1' };
    web.spec.template.spec.containers[0].resources = { requests: { cpu: '500m', memory: '1Gi' } };
    web.spec.strategy = { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    const d = platformDemand([
      web as never,
      { kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'shop' }, spec: { maxReplicas: 4, minReplicas: 2, scaleTargetRef: { kind: 'Deployment', name: 'web' } } },
      { kind: 'Job', metadata: { name: 'j', namespace: 'shop' }, spec: { parallelism: 3, completions: 2, template: { spec: { containers: [{ name: 'j', image: 'x' }] } } } },
      { kind: 'DaemonSet', metadata: { name: 'ds', namespace: 'shop' }, spec: { template: { spec: { containers: [{ name: 'd', image: 'x', resources: { requests: { cpu: '100m' } } }] } } } },
    ]);
    expect(d.workloads).toEqual([
      { name: 'Deployment/shop/web', pods: 5, requests: { cpu: 0.5, memory: GI, ephemeral: 0 } },
      { name: 'Job/shop/j', pods: 2, requests: { cpu: 0, memory: 0, ephemeral: 0 } },
    ]);
    expect(d.pods).toBe(7);
    expect(d.perNode).toEqual({ cpu: 0.1, memory: 0, ephemeral: 0, pods: 1 });
  });

  test('nodes are sized so that count - 1 of them hold every workload spread evenly', () => {
    const size = sizeNodes({
      pods: 12,
      workloads: [{ name: 'a', pods: 12, requests: { cpu: 0.25, memory: 384 * MI, ephemeral: 128 * MI } }],
      perNode: { cpu: 0, memory: 0, ephemeral: 0, pods: 0 },
    }, 6);
    // ceil(12 / 5) = 3 pods of the workload on one node: 750m, 1152Mi, 384Mi
    expect(size).toEqual({ cpu: 1, memory: 2 * GI, ephemeral: GI, pods: 110 });
    const big = sizeNodes({ pods: 200, workloads: [{ name: 'a', pods: 200, requests: { cpu: 0.1, memory: MI, ephemeral: 0 } }], perNode: { cpu: 0, memory: 0, ephemeral: 0, pods: 0 } }, 2);
    expect(big.pods).toBe(200);
    expect(big.cpu).toBe(20);
  });

  test('nodes go round-robin over the zones, with zone and hostname labels and capacity', () => {
    const nodes = nodeManifests(4, 3, { cpu: 4, memory: 8 * GI, ephemeral: 20 * GI, pods: 110 });
    expect(nodes.map((n) => n.metadata.name)).toEqual(['sim-zone-a-1', 'sim-zone-b-1', 'sim-zone-c-1', 'sim-zone-a-2']);
    expect(nodes[3].metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'sim-zone-a-2', 'topology.kubernetes.io/zone': 'sim-zone-a' });
    expect(nodes[0].metadata.annotations).toMatchObject({ 'kwok.x-k8s.io/node': 'fake' });
    expect(nodes[0].status?.allocatable).toEqual({ 'cpu': '4', 'memory': '8192Mi', 'ephemeral-storage': '20480Mi', 'pods': '110' });
  });
});

describe('disruption budgets', () => {
  const labels = { app: 'web' };
  const web = deployment('web', 4, labels);
  const pdb = (spec: Pdb['spec']): Pdb => ({ metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { matchLabels: labels }, ...spec } });
  const pods = (ready: number, down: number, deleting = 0): Pod[] => [
    ...Array.from({ length: ready }, (_, i) => pod(`r${i}`, 'n', labels)),
    ...Array.from({ length: down }, (_, i) => pod(`d${i}`, 'n', labels, { ready: false })),
    ...Array.from({ length: deleting }, (_, i) => pod(`t${i}`, 'n', labels, { deleting: true })),
  ];

  test('maxUnavailable 1 of 4 promises 3; a terminating pod is not healthy', () => {
    expect(evaluatePdb(pdb({ maxUnavailable: 1 }), pods(3, 0, 1), [web])).toEqual({ expected: 4, desiredHealthy: 3, healthy: 3 });
  });

  test('fails when two pods of four are down under maxUnavailable 1', () => {
    const s = evaluatePdb(pdb({ maxUnavailable: 1 }), pods(2, 2), [web]);
    expect(s.healthy).toBeLessThan(s.desiredHealthy);
  });

  test('minAvailable as a number and as a percentage (rounded up)', () => {
    expect(evaluatePdb(pdb({ minAvailable: 2 }), pods(4, 0), [web]).desiredHealthy).toBe(2);
    expect(evaluatePdb(pdb({ minAvailable: '60%' }), pods(4, 0), [web]).desiredHealthy).toBe(3);
    expect(evaluatePdb(pdb({ maxUnavailable: '30%' }), pods(4, 0), [web]).desiredHealthy).toBe(2);
  });

  test('pods and workloads of other namespaces or labels do not count', () => {
    const other = [pod('x', 'n', labels, { ns: 'elsewhere' }), pod('y', 'n', { app: 'api' })];
    expect(evaluatePdb(pdb({ maxUnavailable: 0 }), other, [deployment('api', 3, { app: 'api' }), web])).toEqual({ expected: 4, desiredHealthy: 4, healthy: 0 });
  });
});

describe('topology spread', () => {
  const labels = { 'app': 'web', 'pod-template-hash': 'h1' };
  const zone = (extra: Partial<SpreadConstraint> = {}): SpreadConstraint => ({
    maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule',
    labelSelector: { matchLabels: { app: 'web' } }, matchLabelKeys: ['pod-template-hash'], ...extra,
  });
  const nodes = [node('a1', 'a'), node('a2', 'a'), node('b1', 'b'), node('c1', 'c')];
  const template = (c: SpreadConstraint, spec: Partial<Pod['spec']> = {}): Workload['spec']['template'] => ({ metadata: { labels }, spec: { containers: [], topologySpreadConstraints: [c], ...spec } });

  test('counts pods per zone; an empty zone counts as zero', () => {
    const pods = [pod('p1', 'a1', labels), pod('p2', 'a2', labels), pod('p3', 'b1', labels)];
    const [r] = evaluateSpread(template(zone()), pods, pods, nodes);
    expect(r.counts).toEqual({ a: 2, b: 1, c: 0 });
    expect(r.skew).toBe(2);
    expect(r.group).toBe('pod-template-hash=h1');
  });

  test('matchLabelKeys: pods of another ReplicaSet (hash) do not count', () => {
    const pods = [pod('p1', 'a1', labels), pod('p2', 'b1', labels), pod('p3', 'c1', labels), pod('old', 'a2', { ...labels, 'pod-template-hash': 'h0' })];
    const results = evaluateSpread(template(zone()), pods.slice(0, 3), pods, nodes);
    expect(results.map((r) => r.skew)).toEqual([0]);
  });

  test('terminating pods and pods of other apps do not count', () => {
    const pods = [pod('p1', 'a1', labels), pod('t', 'a2', labels, { deleting: true }), pod('x', 'a1', { app: 'api', 'pod-template-hash': 'h1' })];
    const [r] = evaluateSpread(template(zone()), [pods[0]], pods, nodes);
    expect(r.counts).toEqual({ a: 1, b: 0, c: 0 });
  });

  test('nodeAffinityPolicy Honor limits the domains to the nodes the pod may use; Ignore counts every zone', () => {
    const pinned = { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['a'] }] }] } } } };
    const pods = [pod('p1', 'a1', labels), pod('p2', 'a2', labels), pod('p3', 'a1', labels)];
    expect(evaluateSpread(template(zone(), pinned), pods, pods, nodes)[0].skew).toBe(0);
    expect(evaluateSpread(template(zone({ nodeAffinityPolicy: 'Ignore' }), pinned), pods, pods, nodes)[0].skew).toBe(3);
  });

  test('nodeTaintsPolicy Honor leaves a cordoned node out; Ignore keeps it', () => {
    const host = zone({ topologyKey: 'kubernetes.io/hostname' });
    const cordoned = [node('a1', 'a', { unschedulable: true }), node('b1', 'b'), node('c1', 'c')];
    const pods = [pod('p1', 'b1', labels), pod('p2', 'c1', labels)];
    expect(evaluateSpread(template({ ...host, nodeTaintsPolicy: 'Honor' }), pods, pods, cordoned)[0].counts).toEqual({ b1: 1, c1: 1 });
    expect(evaluateSpread(template(host), pods, pods, cordoned)[0].skew).toBe(1);
  });

  test('below minDomains the minimum is zero', () => {
    const pods = [pod('p1', 'a1', labels), pod('p2', 'b1', labels)];
    const two = [node('a1', 'a'), node('b1', 'b')];
    expect(evaluateSpread(template(zone({ minDomains: 3 })), pods, pods, two)[0].skew).toBe(1);
    expect(evaluateSpread(template(zone()), pods, pods, two)[0].skew).toBe(0);
  });
});

describe('quota', () => {
  test('reports every resource used above hard', () => {
    expect(quotaExcess({
      metadata: { name: 'q', namespace: 'shop' },
      status: { hard: { 'pods': '3', 'requests.cpu': '4', 'requests.memory': '8Gi' }, used: { 'pods': '4', 'requests.cpu': '3500m', 'requests.memory': '9Gi' } },
    })).toEqual(['pods: used 4 > hard 3', 'requests.memory: used 9Gi > hard 8Gi']);
  });

  test('used equal to hard is within the quota', () => {
    expect(quotaExcess({ metadata: { name: 'q' }, status: { hard: { 'limits.cpu': '12' }, used: { 'limits.cpu': '12000m' } } })).toEqual([]);
  });
});

describe('workloads', () => {
  const status = (s: Record<string, number | string>): Workload['status'] => ({ observedGeneration: 2, ...s });

  test('a Deployment is ready when every replica is updated and available and none is left over', () => {
    const d = { ...deployment('web', 3, { app: 'web' }), status: status({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 }) };
    expect(workloadReady(d).ready).toBe(true);
  });

  test('fails while an old pod is left or the generation is not observed', () => {
    expect(workloadReady({ ...deployment('web', 3, { app: 'web' }), status: status({ replicas: 4, updatedReplicas: 3, availableReplicas: 3 }) }))
      .toEqual({ ready: false, detail: '3/3 available, 3 updated, 4 total' });
    expect(workloadReady({ ...deployment('web', 3, { app: 'web' }), status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3 } }).ready).toBe(false);
  });

  test('fails while the HPA has not yet scaled it to minReplicas', () => {
    const d = { ...deployment('web', 1, { app: 'web' }), status: status({ replicas: 1, updatedReplicas: 1, availableReplicas: 1 }) };
    expect(workloadReady(d, 3)).toEqual({ ready: false, detail: '1/1 available, 1 updated, 1 total (the HPA has not yet scaled it to minReplicas 3)' });
  });

  test('a StatefulSet is ready when its current revision is the update revision', () => {
    const s = { ...deployment('db', 3, { app: 'db' }), kind: 'StatefulSet' };
    const full = { replicas: 3, updatedReplicas: 3, availableReplicas: 3, readyReplicas: 3 };
    expect(workloadReady({ ...s, status: status({ ...full, currentRevision: 'a', updateRevision: 'a' }) }).ready).toBe(true);
    expect(workloadReady({ ...s, status: status({ ...full, currentRevision: 'a', updateRevision: 'b' }) }).ready).toBe(false);
  });

  test('a Job is ready once Complete, and not when Failed', () => {
    const j = { ...deployment('j', undefined, {}), kind: 'Job' };
    expect(workloadReady({ ...j, status: { conditions: [{ type: 'Complete', status: 'True' }] } }).ready).toBe(true);
    expect(workloadReady({ ...j, status: { conditions: [{ type: 'Failed', status: 'True', message: 'BackoffLimitExceeded' }] } }))
      .toEqual({ ready: false, detail: 'Failed: BackoffLimitExceeded' });
  });

  test('a DaemonSet is ready when it runs, updated and available, on every node it should', () => {
    const ds = { ...deployment('agent', undefined, {}), kind: 'DaemonSet' };
    expect(workloadReady({ ...ds, status: status({ desiredNumberScheduled: 6, numberAvailable: 6, updatedNumberScheduled: 6 }) }).ready).toBe(true);
    expect(workloadReady({ ...ds, status: status({ desiredNumberScheduled: 6, numberAvailable: 5, updatedNumberScheduled: 6 }) }).ready).toBe(false);
  });

  test('the rolled image changes the tag, adds one, or replaces a digest with another well-formed one', () => {
    expect(rolledImage('ghcr.io/acme/accounts:2.4.1')).toBe('ghcr.io/acme/accounts:2.4.1-rolled');
    expect(rolledImage('localhost:5000/web')).toBe('localhost:5000/web:rolled');
    const pinned = `ghcr.io/acme/auth@sha256:${'3b0a'.repeat(16)}`;
    const r = rolledImage(pinned);
    expect(r).toMatch(/^ghcr\.io\/acme\/auth@sha256:[0-9a-f]{64}$/);
    expect(r).not.toBe(pinned);
  });
});

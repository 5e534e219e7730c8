import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Cpu } from 'cdk8s-plus-27';
import { ConfigurationError, ThirdPartyChart } from '../../lib';
import { _chartFootprints, _checkScope, _parseBytes, _parseCpu } from '../../lib/delivery/third-party-chart-checks';
import { Manifest, find, objects, setup } from '../_helpers';

/** A stand-in for helm that prints the chart directory's rendered.yaml (the real helm renders the echo chart in the conformance run). */
const PRINT_RENDERED = path.join(__dirname, '..', 'fixtures', 'charts', 'print-rendered.sh');

const DEFAULTS = { cpuRequest: 100, cpuLimit: 500, memoryRequest: 256 * 2 ** 20, memoryLimit: 256 * 2 ** 20, ephemeralStorageRequest: 128 * 2 ** 20, ephemeralStorageLimit: 512 * 2 ** 20 };

/** The echo chart's objects as `helm template echo test/fixtures/charts/echo -n catalog` renders them, changed by `change`. */
function echo(change: (objs: Manifest[]) => void = () => undefined): Manifest[] {
  const labels = { 'app.kubernetes.io/name': 'echo', 'app.kubernetes.io/instance': 'echo' };
  const objs: Manifest[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'echo', namespace: 'catalog', labels }, automountServiceAccountToken: false },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', labels }, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'echo', namespace: 'catalog', labels },
      spec: {
        replicas: 1, selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'echo', automountServiceAccountToken: false, priorityClassName: 'shop-standard',
            securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'echo', image: 'registry.example.com/echo@sha256:2a9d1b41c3e8d2e7b8f0c6e1f25b7d2c4a0e6f3d9b8c7a1e5f4d3c2b1a0f9e8d',
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/healthz', port: 'http' } }, livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
              resources: { requests: { 'cpu': '100m', 'memory': '64Mi', 'ephemeral-storage': '64Mi' }, limits: { 'cpu': '200m', 'memory': '128Mi', 'ephemeral-storage': '128Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            }],
          },
        },
      },
    },
  ];
  change(objs);
  return objs;
}

/** A chart directory whose rendering (through PRINT_RENDERED) is `objs`. */
function chartOf(objs: Manifest[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'third-party-chart-'));
  fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: echo\nversion: 0.1.0\n');
  fs.writeFileSync(path.join(dir, 'rendered.yaml'), objs.map(o => JSON.stringify(o)).join('\n---\n'));
  return dir;
}

const deployment = (objs: Manifest[]) => objs.find(o => o.kind === 'Deployment')!;
const container = (objs: Manifest[]) => deployment(objs).spec.template.spec.containers[0];

describe('quantities', () => {
  test.each([['250m', 250], ['0.5', 500], [2, 2000], ['1.5m', 2]])('CPU %j is %d millicores', (q, n) => expect(_parseCpu(q)).toBe(n));
  test.each([['256Mi', 256 * 2 ** 20], ['1G', 1e9], [1024, 1024], ['1.5Ki', 1536]])('%j is %d bytes', (q, n) => expect(_parseBytes(q)).toBe(n));
  test.each([['lots'], [undefined], ['1x']])('%j is no quantity', q => {
    expect(_parseCpu(q)).toBeUndefined();
    expect(_parseBytes(q)).toBeUndefined();
  });
});

describe('_checkScope', () => {
  test('passes namespaced objects of the context, or without a namespace', () => {
    expect(_checkScope('c', 'catalog', echo())).toEqual([]);
  });

  test('refuses a cluster-scoped object and one in another namespace, naming each', () => {
    const errors = _checkScope('shop/catalog/echo', 'catalog', [
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'echo-reader' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'kube-system' } },
    ]);
    expect(errors.map(e => e.message)).toEqual([
      expect.stringContaining("shop/catalog/echo: 'chart' ('ClusterRole echo-reader') must render only namespaced objects: a ClusterRole is cluster-scoped"),
      expect.stringContaining("'chart' ('ConfigMap kube-system/x') must be in the context's namespace ('catalog'), not 'kube-system'"),
    ]);
    expect(errors.every(e => e.code === 'WRONG_SCOPE')).toBe(true);
  });
});

describe('_chartFootprints', () => {
  test('a Deployment counts its replicas plus the default 25% surge, its containers\' requests and limits, and the chart\'s Services on it', () => {
    const { workloads, errors } = _chartFootprints('c', echo(o => { deployment(o).spec.replicas = 3; }), DEFAULTS);
    expect(errors).toEqual([]);
    expect(workloads).toEqual([{ name: 'Deployment/echo', footprint: {
      peakPods: 4, services: 1, configMaps: 0, secrets: 0, claims: 0, storage: 0, pullSecrets: [],
      perPod: { cpuRequest: 100, cpuLimit: 200, memoryRequest: 64 * 2 ** 20, memoryLimit: 128 * 2 ** 20, ephemeralStorageRequest: 64 * 2 ** 20, ephemeralStorageLimit: 128 * 2 ** 20 },
    } }]);
  });

  test('an autoscaler\'s maxReplicas is the peak; missing ephemeral storage is counted at the LimitRange defaults', () => {
    const { workloads } = _chartFootprints('c', echo(o => {
      o.push({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'echo' }, spec: { maxReplicas: 6, scaleTargetRef: { kind: 'Deployment', name: 'echo' } } });
      const r = container(o).resources;
      delete r.requests['ephemeral-storage'];
      delete r.limits['ephemeral-storage'];
    }), DEFAULTS);
    expect(workloads[0].footprint.peakPods).toBe(6 + 2);
    expect(workloads[0].footprint.perPod.ephemeralStorageLimit).toBe(DEFAULTS.ephemeralStorageLimit);
  });

  test('a StatefulSet counts a claim per template and replica', () => {
    const { workloads } = _chartFootprints('c', echo(o => {
      const d = deployment(o);
      d.kind = 'StatefulSet';
      d.spec.replicas = 2;
      d.spec.volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '1Gi' } } } }];
    }), DEFAULTS);
    expect(workloads[0].footprint).toMatchObject({ peakPods: 2, claims: 2, storage: 2 * 2 ** 30 });
  });

  test('refuses a container without CPU or memory limits, and a DaemonSet', () => {
    const missing = _chartFootprints('c', echo(o => { delete container(o).resources.limits.memory; }), DEFAULTS).errors;
    expect(missing.map(e => e.message)).toEqual([expect.stringMatching(/'chart' \('Deployment catalog\/echo \$\.spec\.template\.spec\.containers\[0\]\.resources'\) must set CPU and memory requests and limits on every container \(missing or not a quantity: memoryLimit\)/)]);
    const daemon = _chartFootprints('c', echo(o => { deployment(o).kind = 'DaemonSet'; }), DEFAULTS).errors;
    expect(daemon.map(e => e.message)).toEqual([expect.stringContaining("'chart' ('DaemonSet catalog/echo') must not be a DaemonSet")]);
  });
});

describe('ThirdPartyChart', () => {
  test('renders the chart into the context\'s namespace: an object without one is given it', () => {
    const { context } = setup();
    const chart = new ThirdPartyChart(context, 'echo', { chart: chartOf(echo()), helmExecutable: PRINT_RENDERED });
    const out = objects(context);
    expect(find(out, 'Service', 'echo').metadata.namespace).toBe('catalog');
    expect(chart.apiObjects.map(o => o.kind).sort()).toEqual(['Deployment', 'Service', 'ServiceAccount']);
  });

  test('defaults: the release is named after the id, helm is the one on PATH, no rule is acknowledged', () => {
    const { context } = setup();
    // cdk8s runs helm through this object so that tests can see what it starts
    const { _child_process: child } = require('cdk8s/lib/_child_process');
    const real = child.spawnSync;
    const started: string[] = [];
    const spy = jest.spyOn(child, 'spawnSync').mockImplementation(((prog: string, args: string[], opts: object) => {
      started.push(prog);
      return real(PRINT_RENDERED, args, opts);
    }) as any);
    try {
      const chart = new ThirdPartyChart(context, 'echo', { chart: chartOf(echo()) });
      expect(started).toEqual(['helm']);
      expect(spy.mock.calls[0][1]).toEqual(expect.arrayContaining(['template', '--namespace', 'catalog', 'echo']));
      expect(chart.releaseName).toBe('echo');
      expect(chart.helmExecutable).toBe('helm');
      expect(chart.acknowledged).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  test('a policy violation refuses the synth with the rule and the object', () => {
    const { context } = setup();
    new ThirdPartyChart(context, 'echo', { chart: chartOf(echo(o => { delete container(o).readinessProbe; })), helmExecutable: PRINT_RENDERED });
    expect(() => objects(context)).toThrow(/catalog\/echo: 'chart' \('Deployment catalog\/echo'\) breaks policy rule CMS-002 probes: Deployment catalog\/echo .*has no readinessProbe/);
  });

  test('an acknowledged rule passes, with its reason written as the rule\'s suppression annotation; an acknowledgement nothing needs is refused', () => {
    const { context } = setup();
    new ThirdPartyChart(context, 'echo', {
      chart: chartOf(echo(o => { delete container(o).readinessProbe; })), helmExecutable: PRINT_RENDERED,
      acknowledge: [{ rule: 'probes', reason: 'the vendor image has no health endpoint' }],
    });
    const d = find(objects(context), 'Deployment', 'echo');
    expect(d.metadata.annotations['ignore-check.policy.cdk8s-microservices.io/probes']).toBe('the vendor image has no health endpoint');

    const other = setup();
    new ThirdPartyChart(other.context, 'echo', { chart: chartOf(echo()), helmExecutable: PRINT_RENDERED, acknowledge: [{ rule: 'CMS-002', reason: 'not needed' }] });
    expect(() => objects(other.context)).toThrow(/'acknowledge' \('CMS-002'\) acknowledges CMS-002 probes, which no object of the chart breaks; remove the acknowledgement/);
  });

  test('refuses an unknown rule or an empty reason', () => {
    const { context } = setup();
    expect(() => new ThirdPartyChart(context, 'a', { chart: chartOf(echo()), helmExecutable: PRINT_RENDERED, acknowledge: [{ rule: 'nope', reason: 'x' }] }))
      .toThrow(/'acknowledge\[0\]\.rule' \('nope'\) must name a rule of the policy pack/);
    expect(() => new ThirdPartyChart(context, 'b', { chart: chartOf(echo()), helmExecutable: PRINT_RENDERED, acknowledge: [{ rule: 'probes', reason: ' ' }] }))
      .toThrow(/'acknowledge\[0\]\.reason' \(' '\) must say why/);
  });

  test('refuses a cluster-scoped object at construction, naming it', () => {
    const { context } = setup();
    const chart = chartOf(echo(o => o.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'echo-reader' }, rules: [] })));
    expect(() => new ThirdPartyChart(context, 'echo', { chart, helmExecutable: PRINT_RENDERED })).toThrow(ConfigurationError);
    expect(() => new ThirdPartyChart(context, 'echo2', { chart, helmExecutable: PRINT_RENDERED })).toThrow(/\('ClusterRole echo-reader'\) must render only namespaced objects/);
  });

  test('refuses a directory without a Chart.yaml', () => {
    const { context } = setup();
    expect(() => new ThirdPartyChart(context, 'echo', { chart: os.tmpdir(), helmExecutable: PRINT_RENDERED })).toThrow(/'chart' .* must be a local chart directory \(with a Chart.yaml\)/);
  });

  test('the chart\'s pods count against the context\'s quota with its own workloads', () => {
    const { context } = setup({ quota: { cpuRequests: Cpu.millis(300) } });
    new ThirdPartyChart(context, 'echo', { chart: chartOf(echo(o => { deployment(o).spec.replicas = 3; })), helmExecutable: PRINT_RENDERED });
    expect(() => objects(context)).toThrow(/'quota\.cpuRequests' \('300m'\) is below the CPU requests .*echo: Deployment\/echo 4 pods x 100m/);
  });
});

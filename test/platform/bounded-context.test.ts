import { Size, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { BoundedContext, Microservice, Platform, Probe } from '../../lib';
import { find, microservice, objects, setup } from '../_helpers';

function service(context: BoundedContext, id: string, extra: Partial<ConstructorParameters<typeof Microservice>[2]> = {}): Microservice {
  return microservice(context, id, extra);
}

describe('BoundedContext', () => {
  describe('defaults', () => {
    test('the namespace is the construct id and enforces, audits and warns Pod Security restricted', () => {
      const { context } = setup();
      const ns = find(objects(context), 'Namespace', 'catalog');
      expect(context.namespaceName).toBe('catalog');
      expect(ns.metadata.namespace).toBeUndefined();
      expect(ns.metadata.labels).toEqual({
        'app.kubernetes.io/name': 'catalog',
        'app.kubernetes.io/part-of': 'shop',
        'app.kubernetes.io/managed-by': 'cdk8s',
        'cdk8s-microservices.io/context': 'catalog',
        'cdk8s-microservices.io/team': 'catalog-team',
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/audit-version': 'latest',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/warn-version': 'latest',
      });
    });

    test('the namespace comes first in the chart, before every namespaced object', () => {
      const { context } = setup();
      const out = objects(context);
      expect(out[0].kind).toBe('Namespace');
      for (const o of out.slice(1)) {
        expect(o.metadata.namespace).toBe('catalog');
      }
    });

    test('the namespace prop overrides the id', () => {
      const app = Testing.app();
      const platform = new Platform(app, 'shop');
      const context = new BoundedContext(app, 'catalog', { platform, team: 't', namespace: 'catalog-prod' });
      expect(context.namespaceName).toBe('catalog-prod');
      expect(find(objects(context), 'Namespace', 'catalog-prod')).toBeDefined();
    });

    test('the quota has the documented defaults and forbids NodePorts and LoadBalancers', () => {
      const { context } = setup();
      const quota = find(objects(context), 'ResourceQuota', 'context-quota');
      expect(quota.spec.hard).toEqual({
        'requests.cpu': '8',
        'limits.cpu': '16',
        'requests.memory': '16Gi',
        'limits.memory': '32Gi',
        'requests.ephemeral-storage': '16Gi',
        'limits.ephemeral-storage': '32Gi',
        'pods': '50',
        'services': '20',
        'services.loadbalancers': '0',
        'services.nodeports': '0',
        'persistentvolumeclaims': '10',
        'requests.storage': '100Gi',
        'configmaps': '50',
        'secrets': '50',
      });
      expect(context.quota).toEqual(quota.spec.hard);
    });

    test('the limit range has the documented container defaults and maximums', () => {
      const { context } = setup();
      const limits = find(objects(context), 'LimitRange', 'container-limits');
      expect(limits.spec.limits).toEqual([{
        type: 'Container',
        default: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '512Mi' },
        defaultRequest: { 'cpu': '100m', 'memory': '256Mi', 'ephemeral-storage': '128Mi' },
        max: { 'cpu': '2', 'memory': '4Gi', 'ephemeral-storage': '2Gi' },
      }]);
    });

    test('a default-deny policy covers ingress and egress of every pod', () => {
      const { context } = setup();
      expect(find(objects(context), 'NetworkPolicy', 'default-deny').spec).toEqual({
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
      });
    });

    test('every pod may reach the cluster DNS on port 53 over UDP and TCP, and nothing else', () => {
      const { context } = setup();
      expect(find(objects(context), 'NetworkPolicy', 'allow-dns').spec).toEqual({
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{
          to: [{
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          }],
          ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
        }],
      });
    });

    test('microservices default to the context container defaults', () => {
      const { context } = setup({
        containerLimits: {
          defaultCpuRequest: Cpu.millis(50), defaultCpuLimit: Cpu.millis(300),
          defaultMemoryRequest: Size.mebibytes(64), defaultMemoryLimit: Size.mebibytes(128),
          defaultEphemeralStorageRequest: Size.mebibytes(100), defaultEphemeralStorageLimit: Size.mebibytes(200),
        },
      });
      const products = service(context, 'products');
      expect(products.resources).toEqual({
        cpuRequest: '50m', cpuLimit: '300m', memoryRequest: '64Mi', memoryLimit: '128Mi', ephemeralStorageRequest: '100Mi', ephemeralStorageLimit: '200Mi',
      });
      const container = find(objects(context), 'Deployment', 'products').spec.template.spec.containers[0];
      expect(container.resources).toEqual({
        requests: { 'cpu': '50m', 'memory': '64Mi', 'ephemeral-storage': '100Mi' },
        limits: { 'cpu': '300m', 'memory': '128Mi', 'ephemeral-storage': '200Mi' },
      });
    });

    test('Microservice.all lists the context microservices in creation order', () => {
      const { context } = setup();
      const a = service(context, 'a');
      const b = service(context, 'b');
      expect(Microservice.all(context)).toEqual([a, b]);
      Microservice.all(context).pop();
      expect(Microservice.all(context)).toHaveLength(2);
    });
  });

  describe('quota fit', () => {
    test('a context whose services fit at peak synthesizes', () => {
      const { context } = setup({ quota: { cpuRequests: Cpu.millis(1200), pods: 12 } });
      // 2..4 replicas + 1 surge + 1 terminating = 6 pods x 100m = 600m, twice
      service(context, 'a');
      service(context, 'b');
      expect(() => objects(context)).not.toThrow();
    });

    test('fails when the CPU request quota is below max replicas plus surge plus the terminating pods, times requests', () => {
      // a rolling update creates the next surge pods while the last ones still terminate (and count)
      const { context } = setup({ quota: { cpuRequests: Cpu.millis(1100) } });
      service(context, 'a');
      service(context, 'b');
      expect(() => objects(context)).toThrow(
        /catalog: 'quota.cpuRequests' \('1100m'\) is below the CPU requests .*\(a 6 pods x 100m \+ b 6 pods x 100m = 1200m\); raise quota.cpuRequests to at least 1200m/);
    });

    test('fails when the memory limit quota is too small', () => {
      const { context } = setup({ quota: { memoryLimits: Size.gibibytes(1) } });
      service(context, 'a', { maxReplicas: 5 });
      expect(() => objects(context)).toThrow(/'quota.memoryLimits' \('1Gi'\) .*a 7 pods x 256Mi = 1792Mi.*raise quota.memoryLimits/);
    });

    test('fails when the CPU limit, memory request and ephemeral storage quotas are too small', () => {
      const { context } = setup({
        quota: {
          cpuLimits: Cpu.millis(100), memoryRequests: Size.mebibytes(1),
          ephemeralStorageRequests: Size.mebibytes(1), ephemeralStorageLimits: Size.mebibytes(1),
        },
      });
      service(context, 'a');
      const run = () => objects(context);
      expect(run).toThrow(/'quota.cpuLimits'/);
      expect(run).toThrow(/'quota.memoryRequests'/);
      expect(run).toThrow(/'quota.ephemeralStorageRequests'/);
      expect(run).toThrow(/'quota.ephemeralStorageLimits'/);
    });

    test('fails when the pod quota is below the peak pod count', () => {
      const { context } = setup({ quota: { pods: 4 } });
      service(context, 'a');
      expect(() => objects(context)).toThrow(/'quota.pods' \('4'\) is below the pods .*a 6 pods x 1 = 6.*raise quota.pods to at least 6/);
    });

    test('fails when the service quota is below the number of Services', () => {
      const { context } = setup({ quota: { services: 1 } });
      service(context, 'a');
      service(context, 'b');
      service(context, 'worker', { ports: [], readiness: Probe.exec(['/ready']), liveness: Probe.exec(['/live']) });
      expect(() => objects(context)).toThrow(/'quota.services' \(1\) is below the number of Services the context renders \(2\); raise quota.services to at least 2/);
    });
  });

  describe('bad input', () => {
    test('fails when the namespace is not a DNS-1123 label', () => {
      const app = Testing.app();
      const platform = new Platform(app, 'shop');
      expect(() => new BoundedContext(app, 'Catalog_Team', { platform, team: 't' }))
        .toThrow(/Catalog_Team: 'id' \('Catalog_Team'\) must be a DNS-1123 label.*rename it, for example 'catalog-team'/);
      expect(() => new BoundedContext(app, 'ok', { platform, team: 't', namespace: '-bad' }))
        .toThrow(/ok: 'namespace' \('-bad'\) must be a DNS-1123 label/);
      expect(() => new BoundedContext(app, 'x'.repeat(64), { platform, team: 't' })).toThrow(/must be a DNS-1123 label/);
    });

    test('fails when the namespace is one Kubernetes reserves', () => {
      const app = Testing.app();
      const platform = new Platform(app, 'shop');
      expect(() => new BoundedContext(app, 'kube-system', { platform, team: 't' }))
        .toThrow(/'namespace' \('kube-system'\) must not be a namespace Kubernetes reserves/);
    });

    test('fails when two contexts share a namespace', () => {
      const app = Testing.app();
      const platform = new Platform(app, 'shop');
      new BoundedContext(app, 'catalog', { platform, team: 't' });
      expect(() => new BoundedContext(app, 'catalog2', { platform, team: 't', namespace: 'catalog' }))
        .toThrow(/catalog2: 'namespace' \('catalog'\) must be unique in the platform, but catalog uses it too/);
    });

    test('fails when the team is not a label value', () => {
      const app = Testing.app();
      const platform = new Platform(app, 'shop');
      expect(() => new BoundedContext(app, 'catalog', { platform, team: 'Catalog Team!' }))
        .toThrow(/catalog: 'team' \('Catalog Team!'\) must be a valid label value/);
    });

    test('fails when a default request exceeds the default limit', () => {
      const app = Testing.app();
      const platform = new Platform(app, 'shop');
      expect(() => new BoundedContext(app, 'catalog', {
        platform, team: 't', containerLimits: { defaultCpuRequest: Cpu.units(1), defaultCpuLimit: Cpu.millis(500) },
      })).toThrow(/catalog: 'containerLimits.defaultCpuRequest' \('1'\) must not exceed containerLimits.defaultCpuLimit \(500m\); lower defaultCpuRequest or raise defaultCpuLimit/);
    });

    test('fails when a default limit exceeds the maximum', () => {
      const app = Testing.app();
      const platform = new Platform(app, 'shop');
      expect(() => new BoundedContext(app, 'catalog', {
        platform, team: 't', containerLimits: { maxMemory: Size.mebibytes(128) },
      })).toThrow(/'containerLimits.defaultMemoryLimit' \('256Mi'\) must not exceed containerLimits.maxMemory \(128Mi\)/);
    });

    test('fails when a CPU amount is negative or finer than a millicore, naming the prop', () => {
      const app = Testing.app();
      const platform = new Platform(app, 'shop');
      expect(() => new BoundedContext(app, 'catalog', { platform, team: 't', quota: { cpuRequests: Cpu.millis(-500) } }))
        .toThrow(/^catalog: 'quota.cpuRequests' \('-500m'\) must be a CPU amount of zero or more, in whole millicores \(Kubernetes allows no finer precision\); use Cpu.millis\(n\) with a whole n, or Cpu.units\(n\) such as Cpu.units\(0.25\)$/);
      expect(() => new BoundedContext(app, 'c2', { platform, team: 't', containerLimits: { maxCpu: Cpu.units(-1) } }))
        .toThrow(/^c2: 'containerLimits.maxCpu' \('-1'\) must be a CPU amount of zero or more/);
      expect(() => new BoundedContext(app, 'c3', { platform, team: 't', containerLimits: { defaultCpuRequest: Cpu.millis(0.5) } }))
        .toThrow(/^c3: 'containerLimits.defaultCpuRequest' \('0.5m'\) must be a CPU amount of zero or more, in whole millicores/);
      expect(() => new BoundedContext(app, 'c4', { platform, team: 't', containerLimits: { defaultCpuLimit: Cpu.units(0.3) } })).not.toThrow();
    });

    test('fails when a count in the quota is negative or fractional', () => {
      const app = Testing.app();
      const platform = new Platform(app, 'shop');
      expect(() => new BoundedContext(app, 'catalog', { platform, team: 't', quota: { pods: -1 } }))
        .toThrow(/catalog: 'quota.pods' \(-1\) must be a whole number at least 0; set quota.pods to 0 or more/);
      expect(() => new BoundedContext(app, 'c2', { platform, team: 't', quota: { secrets: 1.5 } }))
        .toThrow(/'quota.secrets' \(1.5\)/);
    });

    test('fails when a microservice takes a name the context uses itself', () => {
      const { context } = setup();
      expect(() => service(context, 'default-deny')).toThrow(/catalog\/default-deny: 'id' \('default-deny'\) must not be one of the names the context uses itself/);
    });
  });
});

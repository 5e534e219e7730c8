import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Testing, Yaml } from 'cdk8s';
import { DEV, ENVIRONMENTS, OTLP_ENDPOINT, PROD, STAGING, buildSalesPlatform } from '../charts';
import { ArgoCdDelivery, Environment, PreviousOutput, REVISION_ANNOTATION, parityReport, synthesizeEnvironments } from '../lib';
import { Manifest, resolvedEnv } from './_helpers';

const ROOT = path.join(__dirname, '..', 'dist');
/** Production's manifests: the platform as its code declares it. */
const DIST = path.join(ROOT, 'prod');

let loaded: Manifest[] | undefined;

/** Every object in the committed dist/prod/, in file order (read once). */
function distObjects(): Manifest[] {
  loaded ??= fs.readdirSync(DIST).filter(f => f.endsWith('.yaml')).sort()
    .flatMap(f => Yaml.load(path.join(DIST, f)) as Manifest[]);
  return loaded;
}

const key = (o: Manifest) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

describe('reference platform', () => {
  test('dist/ is what a fresh synth writes, one directory per environment, byte for byte (regenerate with npm run synth)', () => {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dist-')), 'dist');
    try {
      // compared with the committed output, as npm run synth does (its ConfigMap revisions are carried over from there)
      synthesizeEnvironments(ENVIRONMENTS, (app, env) => buildSalesPlatform(app, env),
        { outdir, previous: env => PreviousOutput.fromDirectory(path.join(ROOT, env.name)), extraFiles: built => ArgoCdDelivery.files(built) });
      // the diagram (dist/diagram/) is compared with a fresh synth by test/delivery/diagram-files.test.ts
      expect(fs.readdirSync(ROOT).sort()).toEqual(['applyset-crd.yaml', 'argocd', 'dev', 'dev.applyset.yaml', 'diagram', 'prod', 'prod.applyset.yaml', 'staging', 'staging.applyset.yaml']);
      for (const f of ['applyset-crd.yaml', ...ENVIRONMENTS.map(e => `${e.name}.applyset.yaml`), ...ENVIRONMENTS.map(e => `argocd/${e.name}.yaml`)]) {
        expect(`${f}:\n${fs.readFileSync(path.join(ROOT, f), 'utf8')}`).toEqual(`${f}:\n${fs.readFileSync(path.join(outdir, f), 'utf8')}`);
      }
      for (const env of ENVIRONMENTS) {
        const fresh = fs.readdirSync(path.join(outdir, env.name)).sort();
        expect(fs.readdirSync(path.join(ROOT, env.name)).sort()).toEqual(fresh);
        for (const f of fresh) {
          expect(`${env.name}/${f}:\n${fs.readFileSync(path.join(ROOT, env.name, f), 'utf8')}`)
            .toEqual(`${env.name}/${f}:\n${fs.readFileSync(path.join(outdir, env.name, f), 'utf8')}`);
        }
      }
    } finally {
      fs.rmSync(path.dirname(outdir), { recursive: true, force: true });
    }
  });

  test('prod is the platform as its code declares it: the same manifests as a build without an environment, but for its name and the earlier configurations kept', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'dist-'));
    // what an environment adds: its name in the traces' resource attributes (and so in the hashed
    // name of the Job whose pod carries it), and the earlier ConfigMap revisions carried from the
    // committed output, which a plain synth does not read
    const unnamed = (objs: Manifest[]) => objs.filter(o => o.metadata.annotations?.[REVISION_ANNOTATION] === undefined)
      .map(o => JSON.stringify(o).replace(/deployment\.environment\.name=prod,/g, '').replace(/(orders-migrate)-[0-9a-f]{10}/g, '$1-<hash>'));
    try {
      const app = new App({ outdir });
      buildSalesPlatform(app);
      app.synth();
      const files = fs.readdirSync(outdir).sort();
      expect(files).toEqual(fs.readdirSync(DIST).sort());
      for (const f of files) {
        const fresh = Yaml.load(path.join(outdir, f)) as Manifest[];
        expect(JSON.stringify(fresh)).not.toContain('deployment.environment.name');
        expect([f, ...unnamed(Yaml.load(path.join(DIST, f)) as Manifest[])]).toEqual([f, ...unnamed(fresh)]);
      }
      const kept = distObjects().filter(o => o.metadata.annotations?.[REVISION_ANNOTATION] !== undefined);
      expect(kept.length).toBeLessThanOrEqual(3 * distObjects().filter(o => o.kind === 'ConfigMap' && o.metadata.annotations?.[REVISION_ANNOTATION] === undefined).length);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  describe.each([DEV, STAGING])('the $name environment', (env: Environment) => {
    const objects = (name: string) => fs.readdirSync(path.join(ROOT, name)).sort().flatMap(f => Yaml.load(path.join(ROOT, name, f)) as Manifest[]);

    test('snapshot of its manifests', () => {
      expect(objects(env.name)).toMatchSnapshot();
    });

    test('differs from prod only where it declares so, and the same objects exist but for the routes and policies of its gateway', () => {
      const report = parityReport({ name: env.name, declared: env.declared(), manifests: objects(env.name) },
        { name: 'prod', declared: PROD.declared(), manifests: objects('prod') });
      expect(report.undeclared).toEqual([]);
      expect(report.objects.length).toBeGreaterThan(0);
      const aspects = new Set(report.objects.flatMap(o => o.differences.flatMap(d => d.aspects)));
      expect([...aspects]).toEqual(expect.arrayContaining(['replicas', 'hosts', 'secretStores']));
      // the workloads are the same set everywhere
      const workloads = (name: string) => objects(name).filter(o => ['Deployment', 'StatefulSet', 'CronJob'].includes(o.kind)).map(key).sort();
      expect(workloads(env.name)).toEqual(workloads('prod'));
    });

    test('bounds every autoscaler by its replica bounds and stores by its secret stores', () => {
      const max = env.replicas!.max!;
      const hpas = objects(env.name).filter(o => o.kind === 'HorizontalPodAutoscaler');
      // seven services and products' canary
      expect(hpas.length).toBe(9);
      for (const h of hpas) {
        expect(h.spec.maxReplicas).toBeLessThanOrEqual(max);
      }
      const stores = objects(env.name).filter(o => o.kind === 'ExternalSecret').map(o => o.spec.secretStoreRef.name);
      expect(stores).toEqual([`vault-${env.name}`, `vault-${env.name}`]);
      const gateway = objects(env.name).find(o => o.kind === 'Gateway')!;
      expect(gateway.spec.listeners[0].hostname).toBe(env.host('api'));
    });
  });

  test('dev serves plain HTTP from the office network, at a quarter of the CPU and half the memory; staging and prod serve HTTPS', () => {
    const gateway = (name: string) => (fs.readdirSync(path.join(ROOT, name)).sort().flatMap(f => Yaml.load(path.join(ROOT, name, f)) as Manifest[]))
      .filter(o => ['Gateway', 'SecurityPolicy', 'Deployment'].includes(o.kind));
    const dev = gateway('dev');
    expect(dev.find(o => o.kind === 'Gateway')!.spec.listeners.map((l: Manifest['spec']) => l.protocol)).toEqual(['HTTP']);
    expect(dev.find(o => o.kind === 'SecurityPolicy')!.spec.authorization.rules[0].principal.clientCIDRs).toEqual(['10.0.0.0/8']);
    const auth = (objs: Manifest[]) => objs.find(o => o.kind === 'Deployment' && o.metadata.name === 'auth')!.spec.template.spec.containers[0].resources;
    expect(auth(dev)).toEqual({ requests: expect.objectContaining({ cpu: '63m', memory: '192Mi' }), limits: expect.objectContaining({ cpu: '250m', memory: '192Mi' }) });
    expect(auth(gateway('prod'))).toEqual({ requests: expect.objectContaining({ cpu: '250m', memory: '384Mi' }), limits: expect.objectContaining({ cpu: '1', memory: '384Mi' }) });
    for (const name of ['staging', 'prod']) {
      expect(gateway(name).find(o => o.kind === 'Gateway')!.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '4', 'cert-manager.io/cluster-issuer': `letsencrypt-${name}` });
    }
  });

  test('snapshot of every manifest of the reference platform', () => {
    const app = Testing.app();
    const { platform, accounts, catalog, orders, gateway } = buildSalesPlatform(app);
    const rendered = Object.fromEntries([platform, accounts, catalog, orders, gateway].map(c => [c.node.id, Testing.synth(c)]));
    expect(rendered).toMatchSnapshot();
  });

  test('dist/ files are ordered so that one apply creates cluster-scoped objects and namespaces first', () => {
    expect(fs.readdirSync(DIST).sort()).toEqual(['0000-sales.k8s.yaml', '0001-accounts.k8s.yaml', '0002-catalog.k8s.yaml', '0003-orders.k8s.yaml', '0004-gateway.k8s.yaml']);
    const all = distObjects();
    const seen = new Set<string>();
    for (const o of all) {
      if (o.metadata.namespace) {
        expect(seen.has(`Namespace/${o.metadata.namespace}`)).toBe(true);
      }
      seen.add(`${o.kind}/${o.metadata.name}`);
    }
    expect(all.filter(o => o.kind === 'PriorityClass').map(o => all.indexOf(o))).toEqual([0, 1, 2]);
  });

  test('dist/ puts every ConfigMap and Secret a workload reads before the workload, so one apply creates them before its pods', () => {
    const all = distObjects();
    const producers = new Map<string, number>();
    all.forEach((o, i) => {
      const ns = o.metadata.namespace;
      if (o.kind === 'ConfigMap') producers.set(`${ns}/configmap/${o.metadata.name}`, i);
      if (o.kind === 'Secret' || o.kind === 'SealedSecret') producers.set(`${ns}/secret/${o.metadata.name}`, i);
      if (o.kind === 'ExternalSecret') producers.set(`${ns}/secret/${o.spec.target?.name ?? o.metadata.name}`, i);
    });
    let checked = 0;
    all.forEach((o, i) => {
      const pod = o.spec?.jobTemplate?.spec?.template?.spec ?? o.spec?.template?.spec;
      if (!pod || !['Deployment', 'StatefulSet', 'Job', 'CronJob'].includes(o.kind)) return;
      const refs = new Set<string>();
      const walk = (v: any): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') {
          for (const [k, x] of Object.entries(v)) {
            if ((k === 'configMapKeyRef' || k === 'configMapRef' || k === 'configMap') && (x as any).name) refs.add(`configmap/${(x as any).name}`);
            if ((k === 'secretKeyRef' || k === 'secretRef') && (x as any).name) refs.add(`secret/${(x as any).name}`);
            if (k === 'secret' && (x as any).secretName) refs.add(`secret/${(x as any).secretName}`);
            walk(x);
          }
        }
      };
      walk(pod);
      for (const ref of refs) {
        const at = producers.get(`${o.metadata.namespace}/${ref}`);
        if (at === undefined) continue; // made elsewhere (SecretSource.fromSecretName)
        checked++;
        expect(`${ref} at ${at}`).toEqual(`${ref} at ${Math.min(at, i - 1)}`);
      }
    });
    expect(checked).toBeGreaterThan(5);
  });

  test('every context namespace, and the gateway\'s, has a quota, a limit range and a default-deny policy, and enforces restricted', () => {
    const all = distObjects();
    const namespaces = all.filter(o => o.kind === 'Namespace');
    expect(namespaces.map(n => n.metadata.name)).toEqual(['accounts', 'catalog', 'orders', 'gateway']);
    for (const ns of namespaces) {
      const name = ns.metadata.name;
      const inNs = all.filter(o => o.metadata.namespace === name);
      expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
      expect(inNs.filter(o => o.kind === 'ResourceQuota')).toHaveLength(1);
      expect(inNs.filter(o => o.kind === 'LimitRange')).toHaveLength(1);
      expect(inNs.find(o => o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny')?.spec)
        .toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    }
  });

  test('every Deployment has probes, requests and limits, the security settings, its own account, a PDB, an HPA and spread', () => {
    const all = distObjects();
    const byKey = new Map(all.map(o => [key(o), o]));
    const deployments = all.filter(o => o.kind === 'Deployment' && o.metadata.labels['app.kubernetes.io/component'] !== 'worker');
    expect(deployments.map(d => `${d.metadata.namespace}/${d.metadata.name}`)).toEqual([
      'accounts/auth', 'accounts/accounts', 'catalog/products', 'catalog/products-canary', 'catalog/reviews', 'orders/orders', 'orders/payments', 'orders/notifications',
    ]);
    for (const d of deployments) {
      const { name, namespace } = d.metadata;
      // a release's track runs as its service: the same account and network policy
      const service = d.metadata.labels['app.kubernetes.io/name'];
      const pod = d.spec.template.spec;
      expect(d.spec.replicas).toBeUndefined();
      expect(d.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.securityContext.runAsUser).toBeGreaterThanOrEqual(10000);
      expect(pod.securityContext.runAsGroup).toBeGreaterThanOrEqual(10000);
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.serviceAccountName).toBe(service);
      expect(byKey.get(`ServiceAccount/${namespace}/${service}`)?.automountServiceAccountToken).toBe(false);
      expect(pod.priorityClassName).toMatch(/^sales-(critical|standard|batch)$/);
      expect(pod.topologySpreadConstraints.map((t: Manifest) => t.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(0);
      for (const c of pod.containers) {
        expect(c.readinessProbe).toBeDefined();
        expect(c.livenessProbe).toBeDefined();
        expect(c.readinessProbe).not.toEqual(c.livenessProbe);
        for (const kind of ['requests', 'limits']) {
          expect(Object.keys(c.resources[kind]).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
        }
        expect(c.securityContext).toEqual({
          runAsNonRoot: true, runAsUser: pod.securityContext.runAsUser, runAsGroup: pod.securityContext.runAsGroup,
          allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(c.image).not.toMatch(/:latest$/);
        expect(c.image).toMatch(/:[\w.-]+$|@sha256:[a-f0-9]{64}$/);
        expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
        // the reference platform targets the newest Kubernetes: the kubelet sleeps, the image needs no sleep binary
        expect(c.lifecycle.preStop.sleep.seconds).toBeGreaterThan(0);
        expect(c.lifecycle.preStop).not.toHaveProperty('exec');
      }
      const hpa = byKey.get(`HorizontalPodAutoscaler/${namespace}/${name}`);
      expect(hpa?.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
      expect(hpa?.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(hpa?.spec.maxReplicas).toBeGreaterThan(hpa?.spec.minReplicas);
      const pdb = byKey.get(`PodDisruptionBudget/${namespace}/${name}`);
      expect(pdb?.spec.selector).toEqual(d.spec.selector);
      expect(pdb?.spec.maxUnavailable ?? 0).toBeGreaterThanOrEqual(1);
      expect(pdb?.spec.maxUnavailable).toBeLessThan(hpa?.spec.minReplicas);
      // the service's policy selects its pods: by instance, or by name when a release runs a second track
      const selected = byKey.get(`NetworkPolicy/${namespace}/${service}`)?.spec.podSelector.matchLabels;
      expect(selected).toEqual(service === 'products' ? { 'app.kubernetes.io/name': 'products' } : { 'app.kubernetes.io/instance': name });
      expect(d.spec.template.metadata.labels).toMatchObject(selected);
    }
  });

  test('declared calls become network policy on both sides, and nothing else is allowed', () => {
    const all = distObjects();
    const policy = (ns: string, name: string) => all.find(o => o.kind === 'NetworkPolicy' && o.metadata.namespace === ns && o.metadata.name === name)!;
    const sources = (ns: string, name: string) => policy(ns, name).spec.ingress.map((r: Manifest) =>
      `${r.from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name']}/${r.from[0].podSelector.matchLabels['app.kubernetes.io/name']}:${r.ports[0].port}`);
    const targets = (ns: string, name: string) => policy(ns, name).spec.egress.map((r: Manifest) => (r.to[0].ipBlock
      ? `${r.to.map((t: Manifest) => t.ipBlock.cidr).join(',')}:${r.ports[0].port}`
      : `${r.to[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name']}/${r.to[0].podSelector.matchLabels['app.kubernetes.io/name']}:${r.ports[0].port}`));
    expect(sources('accounts', 'auth')).toEqual(['accounts/accounts:9090', 'catalog/products:9090', 'catalog/reviews:9090', 'orders/orders:9090', 'orders/payments:9090']);
    expect(targets('orders', 'orders')).toEqual([
      'accounts/accounts:8080', 'accounts/auth:9090', 'catalog/products:8080', 'orders/notifications:8080', 'orders/payments:9090', '10.20.3.0/24:5432',
    ]);
    expect(targets('orders', 'payments')).toEqual(['accounts/auth:9090', '10.20.3.0/24:5432', '203.0.113.0/24:443']);
    expect(sources('catalog', 'products')).toEqual(['orders/orders:8080']);
    expect(targets('accounts', 'auth')).toEqual(['10.20.1.0/24:5432']);
    // notifications does leader election: it reaches the API server, and only it does
    expect(targets('orders', 'notifications')).toEqual(['accounts/accounts:8080', '10.20.3.0/24:5432', '10.10.0.0/28:443']);
    expect(all.filter(o => o.kind === 'NetworkPolicy' && JSON.stringify(o.spec.egress ?? []).includes('10.10.0.0/28')).map(o => o.metadata.name)).toEqual(['notifications']);
    // the store admits its owner only; the worker, the job and the cron job admit nothing
    expect(sources('catalog', 'products-cache')).toEqual(['catalog/products:6379']);
    expect(targets('catalog', 'products')).toContain('catalog/products-cache:6379');
    for (const [ns, name] of [['orders', 'outbox-relay'], ['orders', 'orders-migrate'], ['accounts', 'session-cleanup']]) {
      expect(policy(ns, name).spec.ingress).toBeUndefined();
    }
    expect(targets('orders', 'outbox-relay')).toEqual(['orders/notifications:8080', '10.20.3.0/24:5432']);
  });

  test('every workload kind runs restricted, with its own tokenless account, requests and limits, and a policy; each is preceded by its configuration', () => {
    const all = distObjects();
    const controllers = all.filter(o => ['Deployment', 'StatefulSet', 'Job', 'CronJob'].includes(o.kind));
    expect(controllers.map(c => `${c.kind}/${c.metadata.namespace}/${c.metadata.labels['app.kubernetes.io/name']}`)).toEqual(expect.arrayContaining([
      'StatefulSet/catalog/products-cache', 'Deployment/orders/outbox-relay', 'Job/orders/orders-migrate', 'CronJob/accounts/session-cleanup',
    ]));
    for (const c of controllers) {
      const name = c.metadata.labels['app.kubernetes.io/name'];
      const pod = (c.kind === 'CronJob' ? c.spec.jobTemplate.spec.template : c.spec.template).spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.serviceAccountName).toBe(name);
      expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(Object.keys(pod.containers[0].resources.limits).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
      const index = (kind: string, n: string) => all.findIndex(o => o.kind === kind && o.metadata.namespace === c.metadata.namespace && o.metadata.name === n);
      expect(index('NetworkPolicy', name)).toBeGreaterThan(0);
      expect(index('ServiceAccount', name)).toBeLessThan(all.indexOf(c));
      const configMap = all.find(o => o.kind === 'ConfigMap' && o.metadata.labels?.['cdk8s-microservices.io/config-of'] === name && o.metadata.namespace === c.metadata.namespace);
      expect(all.indexOf(configMap!)).toBeLessThan(all.indexOf(c));
    }
  });

  test('the gateway is Gateway API: one Gateway, HTTPS listener with one certificate, HTTP only redirects, Envoy policies, no Ingress', () => {
    const all = distObjects();
    expect(all.filter(o => o.kind === 'Ingress')).toEqual([]);
    const gateways = all.filter(o => o.kind === 'Gateway');
    expect(gateways.map(g => `${g.metadata.namespace}/${g.metadata.name} ${g.spec.gatewayClassName}`)).toEqual(['gateway/gateway eg']);
    const gateway = gateways[0];
    expect(gateway.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '4', 'cert-manager.io/cluster-issuer': 'letsencrypt-prod' });
    expect(gateway.spec.listeners.map((l: Manifest) => `${l.name} ${l.protocol}:${l.port} ${l.hostname ?? '*'} ${l.tls ? `${l.tls.mode} ${l.tls.certificateRefs[0].name}` : '-'}`)).toEqual([
      'https-api-sales-example-com HTTPS:443 api.sales.example.com Terminate gateway-tls',
      'http HTTP:80 * -',
    ]);
    const redirect = all.filter(o => o.kind === 'HTTPRoute' && o.spec.parentRefs[0].sectionName === 'http');
    expect(redirect.map(r => `${r.metadata.namespace}/${r.metadata.name}`)).toEqual(['gateway/gateway-https-redirect']);
    expect(redirect[0].spec.rules).toEqual([{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }]);
    const policies = all.filter(o => o.apiVersion === 'gateway.envoyproxy.io/v1alpha1' && o.kind !== 'EnvoyProxy');
    expect(policies.map(o => `${o.kind} ${o.metadata.namespace}/${o.metadata.name} -> ${o.spec.targetRefs[0].kind}/${o.spec.targetRefs[0].name}`))
      .toEqual(['BackendTrafficPolicy gateway/gateway -> Gateway/gateway', 'ClientTrafficPolicy gateway/gateway -> Gateway/gateway']);
    // the front door is highly available: its own EnvoyProxy, named by the Gateway
    expect(gateway.spec.infrastructure).toEqual({ parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: 'gateway' } });
    const proxy = all.find(o => o.kind === 'EnvoyProxy');
    expect(`${proxy?.metadata.namespace}/${proxy?.metadata.name}`).toBe('gateway/gateway');
    const deployment = proxy?.spec.provider.kubernetes.envoyDeployment;
    expect(deployment.replicas).toBeGreaterThanOrEqual(2);
    expect(deployment.pod.topologySpreadConstraints.map((c: Manifest) => `${c.topologyKey} ${c.whenUnsatisfiable}`))
      .toEqual(['topology.kubernetes.io/zone ScheduleAnyway', 'kubernetes.io/hostname DoNotSchedule']);
    expect(all.some(o => o.kind === 'PriorityClass' && o.metadata.name === deployment.pod.priorityClassName)).toBe(true);
    expect(proxy?.spec.provider.kubernetes.envoyPDB).toEqual({ maxUnavailable: 1 });
  });

  test('each routed service has an HTTPRoute in its namespace on the HTTPS listener, to a Service port there; the listener admits exactly those namespaces', () => {
    const all = distObjects();
    // the gateway's routes (a mesh route's parent is a Service: test/mesh/)
    const routes = all.filter(o => o.kind === 'HTTPRoute' && o.metadata.namespace !== 'gateway' && o.spec.parentRefs[0].kind === 'Gateway');
    expect(routes.map(r => `${r.metadata.namespace}/${r.metadata.name}`)).toEqual([
      'catalog/gateway-products-https-api-sales-example-com', 'accounts/gateway-accounts-https-api-sales-example-com', 'orders/gateway-orders-https-api-sales-example-com',
    ]);
    const flat = routes.flatMap(r => r.spec.rules.map((rule: Manifest) =>
      `${r.spec.hostnames[0]}${rule.matches[0].path.value} -> ${r.metadata.namespace}/${rule.backendRefs[0].name}:${rule.backendRefs[0].port} (${rule.timeouts.request})`));
    expect(flat).toEqual([
      'api.sales.example.com/catalog -> catalog/products-stable:8080 (1m)',
      'api.sales.example.com/accounts -> accounts/accounts:8080 (1m)',
      'api.sales.example.com/orders -> orders/orders:8080 (30s)',
    ]);
    for (const r of routes) {
      expect(r.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'gateway', name: 'gateway', sectionName: 'https-api-sales-example-com' }]);
      for (const b of r.spec.rules.flatMap((rule: Manifest) => rule.backendRefs)) {
        const svc = all.find(o => o.kind === 'Service' && o.metadata.namespace === r.metadata.namespace && o.metadata.name === b.name);
        expect(svc?.spec.ports.map((sp: Manifest) => sp.port)).toContain(b.port);
      }
    }
    const https = all.find(o => o.kind === 'Gateway')!.spec.listeners[0];
    expect(https.allowedRoutes.namespaces).toEqual({
      from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['accounts', 'catalog', 'orders'] }] },
    });
  });

  test.each(['dev', 'staging', 'prod'])('%s runs one canary in progress: products 1.9.0 beside 1.8.2, a tenth of the routed requests, its own autoscaler and budget', name => {
    const all = fs.readdirSync(path.join(ROOT, name)).sort().flatMap(f => Yaml.load(path.join(ROOT, name, f)) as Manifest[]);
    const one = (kind: string, n: string) => all.filter(o => o.kind === kind && o.metadata.namespace === 'catalog' && o.metadata.name === n);
    const tracks = all.filter(o => o.metadata.labels?.['cdk8s-microservices.io/track'] !== undefined).map(key);
    expect(tracks.sort()).toEqual(['Deployment/catalog/products-canary', 'HorizontalPodAutoscaler/catalog/products-canary',
      'PodDisruptionBudget/catalog/products-canary', 'Service/catalog/products-canary', 'Service/catalog/products-stable']);
    const [stable] = one('Deployment', 'products');
    const [canary] = one('Deployment', 'products-canary');
    expect(stable.spec.template.spec.containers[0].image).toBe('ghcr.io/acme-sales/products:1.8.2');
    expect(canary.spec.template.spec.containers[0].image).toBe('ghcr.io/acme-sales/products:1.9.0');
    expect(canary.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/version': '1.9.0', 'cdk8s-microservices.io/track': 'canary' });
    // sized as the stable track is in this environment
    expect(canary.spec.template.spec.containers[0].resources).toEqual(stable.spec.template.spec.containers[0].resources);
    const [hpa] = one('HorizontalPodAutoscaler', 'products-canary');
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual(name === 'prod' ? [2, 4] : [2, Math.min(4, ENVIRONMENTS.find(e => e.name === name)!.replicas!.max!)]);
    expect(one('PodDisruptionBudget', 'products-canary')[0].spec.selector).toEqual(canary.spec.selector);
    // in-cluster callers call products, which selects both tracks; the gateway splits 90/10
    expect(one('Service', 'products')[0].spec.selector).toEqual({ 'app.kubernetes.io/name': 'products' });
    const [route] = all.filter(o => o.kind === 'HTTPRoute' && o.metadata.namespace === 'catalog' && o.spec.parentRefs[0].kind === 'Gateway');
    expect(route.spec.rules[0].backendRefs).toEqual([{ group: '', kind: 'Service', name: 'products-stable', port: 8080, weight: 90 }, { group: '', kind: 'Service', name: 'products-canary', port: 8080, weight: 10 }]);
  });

  test('only the routed services accept traffic from the gateway\'s Envoy proxies, on their routed ports', () => {
    const all = distObjects();
    const fromGateway = all.filter(o => o.kind === 'NetworkPolicy' && JSON.stringify(o.spec.ingress ?? []).includes('envoy-gateway-system'));
    expect(fromGateway.map(p => `${p.metadata.namespace}/${p.metadata.name} ${p.spec.podSelector.matchLabels['app.kubernetes.io/name']}:${p.spec.ingress[0].ports.map((x: Manifest) => x.port).join(',')}`))
      .toEqual(['catalog/products-from-gateway products:8080', 'accounts/accounts-from-gateway accounts:8080', 'orders/orders-from-gateway orders:8080']);
    for (const p of fromGateway) {
      expect(p.spec.ingress[0].from[0].podSelector.matchLabels).toMatchObject({
        'gateway.envoyproxy.io/owning-gateway-name': 'gateway', 'gateway.envoyproxy.io/owning-gateway-namespace': 'gateway',
      });
    }
  });

  test('no secret is in plaintext: no Secret with data, no literal env values, secrets from Vault and sealed-secrets', () => {
    const all = distObjects();
    expect(all.filter(o => o.kind === 'Secret' && (o.data || o.stringData))).toEqual([]);
    // the one value in a pod spec is the traces' resource attributes, which Kubernetes expands from the pod's own fields
    for (const d of all.filter(o => o.kind === 'Deployment')) {
      for (const e of d.spec.template.spec.containers[0].env ?? []) {
        if (e.name === 'OTEL_RESOURCE_ATTRIBUTES') {
          expect(e.value).toBe(`service.namespace=${d.metadata.namespace},service.version=$(SERVICE_VERSION),deployment.environment.name=prod,`
            + 'k8s.namespace.name=$(K8S_NAMESPACE_NAME),k8s.pod.name=$(K8S_POD_NAME)');
        } else {
          expect(e.value).toBeUndefined();
        }
      }
    }
    expect(all.filter(o => o.kind === 'ExternalSecret').map(o => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['orders/orders-db', 'orders/payments-provider']);
    expect(all.filter(o => o.kind === 'SealedSecret').map(o => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['accounts/auth-signing-key']);
    const payments = all.find(o => o.kind === 'Deployment' && o.metadata.name === 'payments')!;
    expect(payments.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'secret-provider', mountPath: '/var/run/secrets/provider', readOnly: true });
    // every workload's configuration is immutable and named after its content; the dashboards are Grafana's to reload
    const dashboards = all.filter(o => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1');
    expect(dashboards.map(o => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['accounts/accounts-dashboard', 'catalog/catalog-dashboard', 'orders/orders-dashboard']);
    for (const cm of all.filter(o => o.kind === 'ConfigMap' && !dashboards.includes(o))) {
      expect(cm.immutable).toBe(true);
      expect(cm.metadata.name).toMatch(/-config-[0-9a-f]{10}$/);
    }
  });

  test.each(['dev', 'staging', 'prod'])('%s: every service, store and worker is scraped and alerted on, products and orders with objectives; every workload is traced and logs JSON, each context has a dashboard', name => {
    const all = fs.readdirSync(path.join(ROOT, name)).sort().flatMap(f => Yaml.load(path.join(ROOT, name, f)) as Manifest[]);
    const named = (kind: string) => all.filter(o => o.kind === kind).map(o => `${o.metadata.namespace}/${o.metadata.name}`);
    expect(named('ServiceMonitor')).toEqual(['accounts/auth', 'accounts/accounts', 'catalog/products', 'catalog/reviews', 'orders/orders', 'orders/payments', 'orders/notifications']);
    expect(named('PodMonitor')).toEqual(['catalog/products-cache', 'orders/outbox-relay']);
    expect(named('PrometheusRule').sort()).toEqual([...named('ServiceMonitor'), ...named('PodMonitor')].sort());
    for (const m of all.filter(o => o.kind === 'ServiceMonitor' || o.kind === 'PodMonitor')) {
      // kube-prometheus-stack's defaults: its release label, the job label the alerts select by
      expect(m.metadata.labels.release).toBe('kube-prometheus-stack');
      const [endpoint] = m.spec.endpoints ?? m.spec.podMetricsEndpoints;
      expect(endpoint).toMatchObject({ path: '/metrics', interval: '30s', relabelings: [{ targetLabel: 'job', replacement: `${m.metadata.namespace}/${m.metadata.name}` }] });
    }
    // a gRPC service is scraped on an HTTP port, and its alerts read the RPC server metrics
    const port = (kind: string, n: string) => all.find(o => o.kind === kind && o.metadata.name === n)!.spec[kind === 'PodMonitor' ? 'podMetricsEndpoints' : 'endpoints'][0].port;
    expect([port('ServiceMonitor', 'auth'), port('ServiceMonitor', 'payments'), port('PodMonitor', 'outbox-relay'), port('PodMonitor', 'products-cache')])
      .toEqual(['http', 'http-admin', 'metrics', 'metrics']);
    const rules = (n: string) => all.find(o => o.kind === 'PrometheusRule' && o.metadata.name === n)!.spec.groups;
    const metricOf = (n: string) => rules(n)[0].rules.find((r: Manifest) => r.alert === 'ServiceErrorRatioHigh')?.expr.match(/sum\(rate\((\w+)\{/)?.[1];
    expect(['auth', 'accounts', 'products', 'reviews', 'orders', 'payments', 'notifications', 'products-cache', 'outbox-relay'].map(metricOf)).toEqual([
      'rpc_server_duration_milliseconds_count', 'http_server_request_duration_seconds_count', 'http_server_request_duration_seconds_count',
      'http_server_request_duration_seconds_count', 'http_server_request_duration_seconds_count', 'rpc_server_duration_milliseconds_count',
      'http_server_request_duration_seconds_count', undefined, undefined]);
    expect(rules('products').map((g: Manifest) => g.name)).toEqual(['catalog/products.red', 'catalog/products.slo-availability', 'catalog/products.slo-latency']);
    expect(rules('orders').map((g: Manifest) => g.name)).toEqual(['orders/orders.red', 'orders/orders.slo-availability']);
    expect(all.filter(o => o.kind === 'PrometheusRule' && o.spec.groups.length > 1).map(o => o.metadata.name)).toEqual(['products', 'orders']);
    // the objectives as declared: three nines and 99% within 250 ms for products, 99.5% for orders
    const burn = (n: string, slo: string) => rules(n).find((g: Manifest) => g.name.endsWith(`slo-${slo}`)).rules.find((r: Manifest) => r.alert === 'SloErrorBudgetBurn').expr;
    // the fast page: 14.4 times the budget (0.1% and 0.5% of the requests)
    expect(burn('products', 'availability')).toContain('slo="availability"} > 0.0144 and');
    expect(burn('orders', 'availability')).toContain('slo="availability"} > 0.072 and');
    expect(JSON.stringify(rules('products'))).toContain('le=\\"0.25\\"');
    // each metrics port is open to the Prometheus pods alone, each workload reaches the collector on its port alone
    for (const p of all.filter(o => o.kind === 'NetworkPolicy' && o.metadata.name.endsWith('-metrics'))) {
      expect(p.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }],
        ports: [{ protocol: 'TCP', port: expect.any(Number) }] }]);
    }
    const controllers = all.filter(o => ['Deployment', 'StatefulSet', 'Job', 'CronJob'].includes(o.kind)).map(o => o.metadata.labels['app.kubernetes.io/name']);
    const tracing = all.filter(o => o.kind === 'NetworkPolicy' && o.metadata.name.endsWith('-tracing'));
    expect(tracing.map(p => p.metadata.name).sort()).toEqual([...new Set(controllers)].map(n => `${n}-tracing`).sort());
    for (const p of tracing) {
      expect(p.spec.egress).toEqual([{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'opentelemetry-collector' } } }],
        ports: [{ protocol: 'TCP', port: 4318 }] }]);
    }
    // every environment sends its traces to the same in-cluster collector, each named by its environment
    const products = all.find(o => o.kind === 'Deployment' && o.metadata.name === 'products')!;
    const env = Object.fromEntries(resolvedEnv(all, products).map(e => [e.name, e.value]));
    expect(env).toMatchObject({ OTEL_SERVICE_NAME: 'products', OTEL_EXPORTER_OTLP_ENDPOINT: OTLP_ENDPOINT, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' });
    expect(env.OTEL_RESOURCE_ATTRIBUTES).toContain(`deployment.environment.name=${name},`);
    const orders = all.find(o => o.kind === 'Deployment' && o.metadata.name === 'orders')!;
    expect(Object.fromEntries(resolvedEnv(all, orders).map(e => [e.name, e.value])).OTEL_TRACES_SAMPLER).toBe('parentbased_always_on');
    // our workloads log JSON at info; redis (the cache) logs as its redis.conf says
    for (const c of all.filter(o => ['Deployment', 'StatefulSet', 'Job', 'CronJob'].includes(o.kind))) {
      const pod = c.kind === 'CronJob' ? c.spec.jobTemplate.spec.template.spec : c.spec.template.spec;
      const vars = Object.fromEntries(resolvedEnv(all, { ...c, spec: { template: { spec: pod } } }).map(e => [e.name, e.value]));
      const logs = c.metadata.labels['app.kubernetes.io/name'] === 'products-cache' ? {} : { LOG_FORMAT: 'json', LOG_LEVEL: 'info' };
      expect(`${c.metadata.name} ${JSON.stringify({ LOG_FORMAT: vars.LOG_FORMAT, LOG_LEVEL: vars.LOG_LEVEL })}`).toBe(`${c.metadata.name} ${JSON.stringify(logs)}`);
    }
    // one Grafana dashboard per context, for kube-prometheus-stack's sidecar: a row per service alerted on with requests
    for (const [ns, services] of [['accounts', ['auth', 'accounts']], ['catalog', ['products', 'reviews']], ['orders', ['orders', 'payments', 'notifications']]] as const) {
      const cm = all.find(o => o.kind === 'ConfigMap' && o.metadata.name === `${ns}-dashboard`)!;
      expect(cm.metadata).toMatchObject({ namespace: ns, labels: { grafana_dashboard: '1' } });
      const board = JSON.parse(cm.data[`${ns}.json`]);
      expect(board).toMatchObject({ uid: ns, title: `${ns} services` });
      expect(board.panels.filter((p: Manifest) => p.type === 'row').map((p: Manifest) => p.title)).toEqual(services);
      // a burn-rate panel per objective: products' two, orders' one
      const burns = board.panels.filter((p: Manifest) => / error budget burn rate$/.test(p.title)).map((p: Manifest) => p.title);
      expect(burns).toEqual({ accounts: [], catalog: ['products: availability 99.9% error budget burn rate', 'products: latency 99% error budget burn rate'],
        orders: ['orders: availability 99.5% error budget burn rate'] }[ns]);
    }
  });

  test('callers get the URLs of the services they call', () => {
    const all = distObjects();
    const orders = all.find(o => o.kind === 'Deployment' && o.metadata.name === 'orders')!;
    const env = Object.fromEntries(resolvedEnv(all, orders).map(e => [e.name, e.value]));
    expect(env).toMatchObject({
      PRODUCTS_URL: 'http://products.catalog.svc.cluster.local:8080',
      PAYMENTS_URL: 'dns:///payments.orders.svc.cluster.local:9090',
      AUTH_GRPC_URL: 'dns:///auth.accounts.svc.cluster.local:9090',
      DATABASE_URL: 'postgresql://orders-db.orders.sales.internal:5432/orders?sslmode=verify-full',
    });
  });
});

import { ApiObject, App, Testing, YamlOutputType } from 'cdk8s';
import {
  ArgoCdDelivery, ArgoCdDeliveryProps, ArgoCdHook, ArgoCdSyncWave, BoundedContext, ConfigurationError, Environment, ErrorCode, Image, Job, Platform, StatefulService, argoCdSyncWaveOf,
} from '../../lib';
import { Manifest, microservice, storeProps, thrown } from '../_helpers';

const REPO = 'https://github.com/acme-sales/platform.git';
const PROD = Environment.of('prod');

/** A platform 'shop' (environment prod unless `env` is null) with contexts catalog (a service and a store) and orders (a service), and its delivery. */
function build(props: Partial<ArgoCdDeliveryProps> = {}, env: Environment | null = PROD, extra: (app: App, platform: Platform) => void = () => undefined) {
  const app = Testing.app();
  const platform = new Platform(app, 'shop', { environment: env ?? undefined });
  const delivery = new ArgoCdDelivery(platform, 'argocd', { repoURL: REPO, ...props });
  const catalog = new BoundedContext(app, 'catalog', { platform, team: 'catalog-team' });
  const products = microservice(catalog, 'products', { minReplicas: 2, maxReplicas: 4 });
  new StatefulService(catalog, 'cache', storeProps([products]));
  const orders = new BoundedContext(app, 'orders', { platform, team: 'orders-team' });
  microservice(orders, 'orders', { minReplicas: 2, maxReplicas: 4 });
  extra(app, platform);
  return { app, platform, delivery };
}

/** The Argo CD objects of a built app, synthesized as synthesizeEnvironments does. */
function render(app: App): Manifest[] {
  app.synth();
  return ArgoCdDelivery.of(app)!._render(app);
}

const byKind = (docs: Manifest[], kind: string) => docs.filter(d => d.kind === kind);
const named = (docs: Manifest[], kind: string, name: string) => docs.find(d => d.kind === kind && d.metadata.name === name)!;

describe('ArgoCdDelivery', () => {
  test('defaults: HEAD of the repository, the environment\'s directory, namespace argocd, the cluster Argo CD runs in, automated sync with prune and self-heal, 5 retries', () => {
    const { delivery } = build();
    expect([delivery.repoURL, delivery.targetRevision, delivery.path, delivery.namespace, delivery.server, delivery.prune, delivery.selfHeal, delivery.retryLimit])
      .toEqual([REPO, 'HEAD', 'dist/prod', 'argocd', 'https://kubernetes.default.svc', true, true, 5]);
    expect(build({}, null).delivery.path).toBe('dist');
  });

  test('one application per chart, each reading exactly its chart\'s file of the environment\'s directory, in the argocd namespace', () => {
    const { app } = build();
    const docs = render(app);
    const apps = byKind(docs, 'Application');
    expect(apps.map(a => [a.metadata.name, a.metadata.namespace, a.spec.project, a.spec.source.directory.include, a.spec.destination.namespace])).toEqual([
      ['shop', 'argocd', 'shop-platform', '0000-shop.k8s.yaml', undefined],
      ['shop-catalog', 'argocd', 'catalog-team', '0001-catalog.k8s.yaml', 'catalog'],
      ['shop-orders', 'argocd', 'orders-team', '0002-orders.k8s.yaml', 'orders'],
    ]);
    for (const a of apps) {
      expect(a.spec.source).toEqual({ repoURL: REPO, targetRevision: 'HEAD', path: 'dist/prod', directory: { include: a.spec.source.directory.include, recurse: false } });
      expect(a.spec.destination.server).toBe('https://kubernetes.default.svc');
      expect(a.spec.syncPolicy).toEqual({
        automated: { enabled: true, prune: true, selfHeal: true },
        syncOptions: ['ServerSideApply=true', 'CreateNamespace=false', 'PruneLast=true', 'RespectIgnoreDifferences=true', 'FailOnSharedResource=true'],
        retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
      });
    }
  });

  test('props reach every application', () => {
    const { app } = build({ targetRevision: 'release-1', path: 'deploy/prod', namespace: 'gitops', server: 'https://10.0.0.1:6443', prune: false, selfHeal: false, retryLimit: 0 });
    const docs = render(app);
    for (const d of docs) expect(d.metadata.namespace).toBe('gitops');
    const a = named(docs, 'Application', 'shop-orders');
    expect([a.spec.source.targetRevision, a.spec.source.path, a.spec.destination.server, a.spec.syncPolicy.automated, a.spec.syncPolicy.retry.limit])
      .toEqual(['release-1', 'deploy/prod', 'https://10.0.0.1:6443', { enabled: true, prune: false, selfHeal: false }, 0]);
  });

  test('a project per team allows exactly its namespace, its own Namespace by name and the namespaced kinds its chart renders', () => {
    const { app } = build();
    const docs = render(app);
    expect(byKind(docs, 'AppProject').map(p => p.metadata.name)).toEqual(['catalog-team', 'orders-team', 'shop-platform']);
    const catalog = named(docs, 'AppProject', 'catalog-team').spec;
    expect(catalog.sourceRepos).toEqual([REPO]);
    expect(catalog.destinations).toEqual([{ server: 'https://kubernetes.default.svc', namespace: 'catalog' }]);
    expect(catalog.clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace', name: 'catalog' }]);
    const rendered = Testing.synth(app.charts.find(c => BoundedContext.isBoundedContext(c) && c.namespaceName === 'catalog')!)
      .filter(o => o.metadata.namespace !== undefined);
    const kinds = [...new Set(rendered.map(o => `${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}/${o.kind}`))].sort();
    expect(catalog.namespaceResourceWhitelist.map((k: Manifest) => `${k.group}/${k.kind}`)).toEqual(kinds);
    expect(kinds).toEqual(expect.arrayContaining(['apps/StatefulSet', 'apps/Deployment', '/Service']));
    // orders renders no store: its project does not allow StatefulSets
    expect(named(docs, 'AppProject', 'orders-team').spec.namespaceResourceWhitelist).not.toContainEqual({ group: 'apps', kind: 'StatefulSet' });
  });

  test('the platform project holds the platform-level chart: its cluster-scoped kinds, and namespace \'\' for an application whose objects name no single namespace', () => {
    const { app } = build();
    const spec = named(render(app), 'AppProject', 'shop-platform').spec;
    expect(spec.clusterResourceWhitelist).toEqual([{ group: 'scheduling.k8s.io', kind: 'PriorityClass' }]);
    expect(spec.destinations).toEqual([{ server: 'https://kubernetes.default.svc', namespace: '' }]);
    expect(spec.namespaceResourceWhitelist).toEqual([]);
  });

  test('ignores the replicas of every Deployment an autoscaler scales, and nothing else', () => {
    const { app } = build();
    const docs = render(app);
    expect(named(docs, 'Application', 'shop-catalog').spec.ignoreDifferences).toEqual([
      { group: 'apps', kind: 'Deployment', namespace: 'catalog', name: 'products', jsonPointers: ['/spec/replicas'] },
    ]);
    expect(named(docs, 'Application', 'shop').spec.ignoreDifferences).toBeUndefined();
  });

  test('annotates every rendered object with its wave: namespace and governance, secrets, stores and Services, workloads, exposure', () => {
    const { app } = build();
    app.synth();
    const all = app.charts.flatMap(c => c.toJson()) as Manifest[];
    for (const o of all) expect(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBe(String(argoCdSyncWaveOf(o.apiVersion, o.kind)));
    const wave = (kind: string) => new Set(all.filter(o => o.kind === kind).map(o => Number(o.metadata.annotations['argocd.argoproj.io/sync-wave'])));
    expect([...wave('Namespace'), ...wave('ResourceQuota'), ...wave('LimitRange'), ...wave('ServiceAccount')]).toEqual([0, 0, 0, 0]);
    expect([...wave('StatefulSet')]).toEqual([2]);
    expect([...wave('Deployment')]).toEqual([3]);
  });

  test('keeps the wave an object names itself: a Sync hook Job between its secrets and the workloads', () => {
    const { app } = build({}, PROD, a => {
      new Job(a.charts[2] as BoundedContext, 'migrate', { image: Image.fromTag('ghcr.io/acme/orders', '1.0.0'), args: ['migrate'], argoCdHook: ArgoCdHook.SYNC, argoCdSyncWave: ArgoCdSyncWave.STORES });
    });
    app.synth();
    const job = (app.charts[2].toJson() as Manifest[]).find(o => o.kind === 'Job')!;
    expect(job.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/sync-wave': '2' });
  });

  test('no annotation on a platform that does not deliver through Argo CD', () => {
    const app = Testing.app();
    const platform = new Platform(app, 'shop');
    microservice(new BoundedContext(app, 'catalog', { platform, team: 'catalog-team' }), 'products');
    app.synth();
    expect(ArgoCdDelivery.of(app)).toBeUndefined();
    expect(JSON.stringify(app.charts.flatMap(c => c.toJson()))).not.toContain('argocd.argoproj.io');
  });
});

describe('argoCdSyncWave', () => {
  test('orders what a workload needs before it', () => {
    const w = argoCdSyncWaveOf;
    expect(w('v1', 'Namespace')).toBe(ArgoCdSyncWave.FOUNDATION);
    expect(w('v1', 'ResourceQuota')).toBeLessThan(w('external-secrets.io/v1', 'ExternalSecret'));
    expect(w('external-secrets.io/v1', 'SecretStore')).toBe(w('external-secrets.io/v1', 'ExternalSecret'));
    expect(w('bitnami.com/v1alpha1', 'SealedSecret')).toBeLessThan(w('apps/v1', 'StatefulSet'));
    expect(w('apps/v1', 'StatefulSet')).toBeLessThan(w('apps/v1', 'Deployment'));
    expect(w('v1', 'Service')).toBeLessThan(w('apps/v1', 'Deployment'));
    expect(w('argoproj.io/v1alpha1', 'AnalysisTemplate')).toBeLessThan(w('argoproj.io/v1alpha1', 'Rollout'));
    expect(w('apps/v1', 'Deployment')).toBeLessThan(w('monitoring.coreos.com/v1', 'ServiceMonitor'));
    expect(w('gateway.envoyproxy.io/v1alpha1', 'EnvoyProxy')).toBeLessThan(w('gateway.networking.k8s.io/v1', 'Gateway'));
    expect(w('gateway.networking.k8s.io/v1', 'Gateway')).toBe(ArgoCdSyncWave.EXPOSURE);
  });

  test('a kind it does not know goes with the secrets and configuration, before every workload', () => {
    expect(argoCdSyncWaveOf('example.com/v1', 'Widget')).toBe(ArgoCdSyncWave.SECRETS);
  });
});

describe('refusals', () => {
  const refused = (fn: () => unknown, prop: string, code?: string) => {
    const e = thrown(fn);
    expect(e).toBeInstanceOf(ConfigurationError);
    expect(e.prop).toBe(prop);
    if (code) expect(e.code).toBe(code);
    return e;
  };

  test.each(['not a url', 'ftp://example.com/repo.git', 'https://user:secret@github.com/acme/platform.git', 'https://github.com', ''])('a repoURL that is not a git URL: %p', url => {
    refused(() => build({ repoURL: url }), 'repoURL');
  });

  test('accepts https, ssh and scp-like git URLs', () => {
    for (const url of [REPO, 'ssh://git@github.com/acme-sales/platform.git', 'git@github.com:acme-sales/platform.git']) expect(build({ repoURL: url }).delivery.repoURL).toBe(url);
  });

  test('a missing repoURL', () => {
    refused(() => build({ repoURL: undefined as unknown as string }), 'repoURL', ErrorCode.MISSING_REQUIRED);
  });

  test.each(['dist/dev', '/dist/prod', 'dist/../prod', 'dist//prod'])('a path that is not the environment\'s directory: %p', p => {
    const e = refused(() => build({ path: p }), 'path');
    expect(e.message).toContain('ending in \'prod\'');
  });

  test('two Argo CD deliveries on one platform', () => {
    refused(() => build({}, PROD, (_app, platform) => new ArgoCdDelivery(platform, 'again', { repoURL: REPO })), 'scope', ErrorCode.DUPLICATE);
  });

  test('declared elsewhere than on the platform', () => {
    refused(() => build({}, PROD, app => new ArgoCdDelivery(app.charts[1], 'argocd', { repoURL: REPO })), 'scope', ErrorCode.WRONG_SCOPE);
  });

  test('a bounded context that renders into another namespace, or a cluster-scoped kind, would widen its team\'s project', () => {
    const { app } = build({}, PROD, a => {
      new ApiObject(a.charts[1], 'elsewhere', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'elsewhere', namespace: 'orders' } });
      new ApiObject(a.charts[1], 'wide', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'wide' } });
    });
    const e = thrown(() => app.synth());
    expect(e.message).toContain('ConfigMap orders/elsewhere');
    expect(e.message).toContain('ClusterRole wide');
    expect(e.message).toContain('team \'catalog-team\'s AppProject allows that namespace only');
  });

  test('a PreSync hook in a bounded context: it would run before the Sync phase creates the namespace, and the first sync could never pass', () => {
    const { app } = build({}, PROD, a => {
      new Job(a.charts[2] as BoundedContext, 'migrate', { image: Image.fromTag('ghcr.io/acme/orders', '1.0.0'), args: ['migrate'], argoCdHook: ArgoCdHook.PRE_SYNC });
    });
    const e = thrown(() => app.synth());
    expect(e.message).toContain('must not be a PreSync hook');
    expect(e.message).toContain('argoCdHook: ArgoCdHook.SYNC, argoCdSyncWave: ArgoCdSyncWave.STORES');
  });

  test('an app that does not write one file per chart: an application reads its chart\'s file', () => {
    const app = Testing.app({ yamlOutputType: YamlOutputType.FILE_PER_RESOURCE });
    new ArgoCdDelivery(new Platform(app, 'shop', { environment: PROD }), 'argocd', { repoURL: REPO });
    app.synth();
    expect(thrown(() => ArgoCdDelivery.files([{ environment: PROD, app, directory: 'prod' }])).prop).toBe('yamlOutputType');
  });

  test('a team named as the platform\'s project', () => {
    const { app } = build({}, PROD, (a, platform) => { new BoundedContext(a, 'billing', { platform, team: 'shop-platform' }); });
    refused(() => render(app), 'team', ErrorCode.RESERVED_NAME);
  });

  test.each([
    [{ retryLimit: -1 }, 'retryLimit'], [{ retryLimit: 1.5 }, 'retryLimit'], [{ namespace: 'Argo CD' }, 'namespace'],
    [{ server: 'http://10.0.0.1' }, 'server'], [{ targetRevision: 'a..b' }, 'targetRevision'], [{ prune: 'yes' as unknown as boolean }, 'prune'],
  ])('%p', (props, prop) => {
    refused(() => build(props as Partial<ArgoCdDeliveryProps>), prop);
  });
});

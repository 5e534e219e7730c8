import { Testing } from 'cdk8s';
import { PROD, SalesPlatform, buildSalesPlatform } from '../../charts';
import { ChangeCategory, ChangeReport, Subject, TeamRole, changeReport, renderChangeReport } from '../../lib';
import { Manifest } from '../_helpers';

/** The reference platform (production), built in this process, after `plant` changed its code. */
function platform(plant: (p: SalesPlatform) => void = () => undefined): Manifest[] {
  const app = Testing.app();
  plant(buildSalesPlatform(app, PROD));
  return app.charts.flatMap(c => Testing.synth(c));
}

let baseline: Manifest[] | undefined;
/** The reference platform as its code declares it (built once). */
function base(): Manifest[] {
  baseline ??= platform();
  return baseline;
}

/** A copy of the baseline with one object changed by `edit` (or removed, when `edit` returns undefined). */
function edited(kind: string, namespace: string, name: string, edit: (o: Manifest) => Manifest | undefined): Manifest[] {
  const copy: Manifest[] = JSON.parse(JSON.stringify(base()));
  const at = copy.findIndex(o => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name);
  expect(at).toBeGreaterThanOrEqual(0);
  const now = edit(copy[at]);
  return now === undefined ? [...copy.slice(0, at), ...copy.slice(at + 1)] : [...copy.slice(0, at), now, ...copy.slice(at + 1)];
}

/** The report's lines as `context sign category text`. */
function lines(report: ChangeReport): string[] {
  return report.lines.map(l => `${l.context} ${l.sign} ${l.category.value} ${l.text}`);
}

describe('change report on planted changes to the reference platform', () => {
  test('no change: no line, every object compared', () => {
    const report = changeReport(base(), platform());
    expect(report).toEqual({ lines: [], compared: base().length, added: 0, changed: 0 });
    expect(renderChangeReport(report, 'prod')).toBe(`change report prod: ${base().length} objects compared, 0 differ (0 added); 0 line(s) in 0 context(s)\n`);
  });

  test('a new call: opened on both sides, in the caller\'s and the callee\'s context', () => {
    const report = changeReport(base(), platform(p => p.accounts.auth.connectTo(p.catalog.products)));
    const config = base().find(o => o.kind === 'ConfigMap' && o.metadata.namespace === 'accounts' && o.metadata.name.startsWith('auth-config-'))!;
    // the call also adds products' address to auth's configuration: a new hashed ConfigMap, and the old one (not carried as a revision in this in-process build) pruned
    expect(lines(report)).toEqual([
      'accounts + call accounts/auth -> catalog/products :8080/TCP',
      `accounts - prune ConfigMap accounts/${config.metadata.name}`,
      'catalog + call accounts/auth -> catalog/products :8080/TCP',
      // the mesh: the callee's AuthorizationPolicy admits the caller's identity on the port
      'catalog + call mesh ALLOW cluster.local/ns/accounts/sa/auth -> catalog/products :8080',
    ]);
  });

  test('a new grant: each rule of the role, for the new subject', () => {
    const report = changeReport(base(), platform(p => p.orders.grantTeam(Subject.group('oidc:auditors'), TeamRole.VIEWER)));
    const grants = report.lines.filter(l => l.category === ChangeCategory.GRANT);
    const viewer = base().find(o => o.kind === 'Role' && o.metadata.namespace === 'orders' && o.metadata.name === 'team-viewer')!;
    // one line: the subject, every rule of the role it is bound to, where
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ context: 'orders', sign: '+' });
    expect(grants[0].text).toMatch(/^Group oidc:auditors via Role orders\/team-viewer may get,list,watch pods,pods\/log,services,endpoints,configmaps,events,serviceaccounts,persistentvolumeclaims,resourcequotas,limitranges; /);
    expect(grants[0].text.split('; ')).toHaveLength(viewer.rules.length);
    expect(report.lines.filter(l => l.category !== ChangeCategory.GRANT)).toEqual([]);
  });

  test('a removed route: withdrawn, and pruned', () => {
    // a gateway's route (a mesh route, on a Service, has no hostnames)
    const route = base().find(o => o.kind === 'HTTPRoute' && (o.spec.hostnames ?? []).length > 0 && (o.spec.rules ?? []).some((r: Manifest) => (r.backendRefs ?? []).length > 0))!;
    const after = edited('HTTPRoute', route.metadata.namespace, route.metadata.name, () => undefined);
    const report = changeReport(base(), after);
    const routes = report.lines.filter(l => l.category === ChangeCategory.ROUTE);
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.every(l => l.sign === '-' && l.context === route.metadata.namespace && l.text.startsWith(`HTTPRoute ${route.spec.hostnames[0]}`))).toBe(true);
    expect(lines(report).filter(l => l.includes(' prune '))).toEqual([`${route.metadata.namespace} - prune HTTPRoute ${route.metadata.namespace}/${route.metadata.name}`]);
    expect(report).toMatchObject({ added: 0, changed: 1 });
  });

  test('an image bump', () => {
    const after = edited('Deployment', 'orders', 'payments', o => {
      o.spec.template.spec.containers[0].image = 'ghcr.io/acme-sales/payments:2.12.0';
      return o;
    });
    expect(lines(changeReport(base(), after))).toEqual([
      `orders ~ image Deployment orders/payments container ${base().find(o => o.kind === 'Deployment' && o.metadata.name === 'payments')!.spec.template.spec.containers[0].name}: `
        + 'ghcr.io/acme-sales/payments:2.11.0 -> ghcr.io/acme-sales/payments:2.12.0',
    ]);
  });

  test('a capacity change: an autoscaler\'s bounds', () => {
    const hpa = base().find(o => o.kind === 'HorizontalPodAutoscaler' && o.metadata.namespace === 'catalog')!;
    const after = edited('HorizontalPodAutoscaler', 'catalog', hpa.metadata.name, o => ({ ...o, spec: { ...o.spec, maxReplicas: o.spec.maxReplicas + 5 } }));
    expect(lines(changeReport(base(), after))).toEqual([
      `catalog ~ capacity HorizontalPodAutoscaler catalog/${hpa.metadata.name} replicas: ${hpa.spec.minReplicas}..${hpa.spec.maxReplicas} -> ${hpa.spec.minReplicas}..${hpa.spec.maxReplicas + 5}`,
    ]);
  });

  test('a pruned object, and a replaced one (an immutable field, as the safe-change check knows them)', () => {
    const sa = base().find(o => o.kind === 'ServiceAccount' && o.metadata.namespace === 'accounts')!;
    const pruned = edited('ServiceAccount', 'accounts', sa.metadata.name, () => undefined);
    expect(lines(changeReport(base(), pruned))).toEqual([`accounts - prune ServiceAccount accounts/${sa.metadata.name}`]);

    const replaced = edited('RoleBinding', 'orders', 'team-viewer', o => ({ ...o, roleRef: { ...o.roleRef, name: 'team-developer' } }));
    const report = lines(changeReport(base(), replaced));
    expect(report).toContain('orders ~ replace RoleBinding orders/team-viewer (roleRef.name is immutable: delete and re-create)');
    // the viewers now hold the developer role's rules: grants added, and the viewer role's rules that the developer role lacks removed
    expect(report.some(l => l.startsWith('orders + grant Group oidc:sales-readers via Role orders/team-developer may '))).toBe(true);
  });

  test('the rendering: a totals line, then each context with its lines; deterministic', () => {
    // one object more than without the mesh: the callee's AuthorizationPolicy
    const after = platform(p => p.accounts.auth.connectTo(p.catalog.products));
    const text = renderChangeReport(changeReport(base(), after), 'prod: git HEAD:dist/prod');
    expect(text).toBe(renderChangeReport(changeReport(base(), after), 'prod: git HEAD:dist/prod'));
    expect(text.split('\n')[0]).toMatch(/^change report prod: git HEAD:dist\/prod: \d+ objects compared, 6 differ \(1 added\); 4 line\(s\) in 2 context\(s\): call 3, prune 1$/);
    expect(text.split('\n').slice(1)).toEqual(['accounts:', '  + call accounts/auth -> catalog/products :8080/TCP', expect.stringMatching(/^  - prune ConfigMap accounts\/auth-config-/),
      'catalog:', '  + call accounts/auth -> catalog/products :8080/TCP', '  + call mesh ALLOW cluster.local/ns/accounts/sa/auth -> catalog/products :8080', '']);
  });

  test('ignores what is not an object, and names a cluster-scoped object\'s context (cluster)', () => {
    const pc = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'bulk' }, value: 5 };
    expect(lines(changeReport([pc, null, 'x'], [{ ...pc, value: 6 }]))).toEqual(['(cluster) ~ replace PriorityClass bulk (value is immutable: delete and re-create)']);
  });
});

describe('change report on plain manifests', () => {
  const np = (spec: Manifest) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'shop' }, spec });

  test('calls: an IP block, a peer in the own namespace, any peer and any port, a port range', () => {
    const after = np({ podSelector: { matchLabels: { app: 'web' } },
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 5432 }] }, { to: [{ podSelector: {} }] },
        { to: [{ namespaceSelector: { matchLabels: { team: 'ops' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'envoy', 'component': 'proxy' } } }], ports: [{ port: 53 }] }],
      ingress: [{ ports: [{ port: 8000, endPort: 8010, protocol: 'UDP' }] }] });
    expect(lines(changeReport([], [after]))).toEqual([
      'shop + call anywhere -> shop/web :8000-8010/UDP',
      'shop + call shop/web -> 10.0.0.0/8 except 10.1.0.0/16 :5432/TCP',
      'shop + call shop/web -> ops/envoy :53/TCP',
      'shop + call shop/web -> shop/* any port',
    ]);
  });

  test('mesh calls: a method added to an AuthorizationPolicy rule, an allow-nothing policy, a rule open to any identity, a DENY', () => {
    const ap = (name: string, spec: Manifest) => ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: 'shop' }, spec });
    const reviews = (methods: string[]) => ap('reviews', { selector: { matchLabels: { 'app.kubernetes.io/instance': 'reviews' } }, action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }], to: [{ operation: { ports: ['8080'], methods, paths: ['/reviews*'] } }] }] });
    const after = [reviews(['GET', 'POST']), ap('default-deny', { action: 'ALLOW' }), ap('open', { selector: { matchLabels: { app: 'x' } }, rules: [{}] }),
      ap('deny', { action: 'DENY', rules: [{ from: [{ source: { notNamespaces: ['shop'] } }] }] })];
    expect(lines(changeReport([reviews(['GET'])], after))).toEqual([
      'shop + call mesh ALLOW any identity -> shop/x any port',
      'shop - call mesh ALLOW cluster.local/ns/shop/sa/web -> shop/reviews :8080 GET /reviews*',
      'shop + call mesh ALLOW cluster.local/ns/shop/sa/web -> shop/reviews :8080 GET,POST /reviews*',
      'shop + call mesh ALLOW nothing -> shop/*',
      'shop + call mesh DENY not ns shop -> shop/* any port',
    ]);
  });

  test('grants: a ClusterRole bound in a namespace and cluster-wide, a service account subject, named resources', () => {
    const rbac = 'rbac.authorization.k8s.io/v1';
    const role = { apiVersion: rbac, kind: 'Role', metadata: { name: 'r', namespace: 'shop' },
      rules: [{ apiGroups: ['apps', ''], resources: ['deployments'], verbs: ['get'], resourceNames: ['web'] }] };
    const binding = { apiVersion: rbac, kind: 'RoleBinding', metadata: { name: 'b', namespace: 'shop' }, roleRef: { kind: 'Role', name: 'r' },
      subjects: [{ kind: 'ServiceAccount', name: 'ci' }] };
    const cluster = { apiVersion: rbac, kind: 'RoleBinding', metadata: { name: 'v', namespace: 'shop' }, roleRef: { kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'User', name: 'ann' }] };
    const wide = { apiVersion: rbac, kind: 'ClusterRoleBinding', metadata: { name: 'w' }, roleRef: { kind: 'ClusterRole', name: 'admin' },
      subjects: [{ kind: 'Group', name: 'ops' }] };
    expect(lines(changeReport([role, binding, wide], [role, cluster]))).toEqual([
      '(cluster) - grant Group ops via ClusterRole admin may what ClusterRole admin allows',
      '(cluster) - prune ClusterRoleBinding w',
      'shop - grant ServiceAccount shop/ci via Role shop/r may get apps/deployments,deployments named web',
      'shop + grant User ann via ClusterRole view in shop may what ClusterRole view allows',
      'shop - prune RoleBinding shop/b',
    ]);
  });

  test('routes: gRPC methods, a route without hostnames, a redirect', () => {
    const route = (kind: string, spec: Manifest) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind, metadata: { name: 'r', namespace: 'edge' }, spec });
    const grpc = route('GRPCRoute', { parentRefs: [{ name: 'gw', sectionName: 'https' }],
      rules: [{ matches: [{ method: { service: 'orders.Orders' } }], backendRefs: [{ name: 'orders', namespace: 'orders', port: 9090, weight: 90 }] }] });
    const redirect = route('HTTPRoute', { hostnames: ['a.example'], rules: [{ matches: [{ path: { type: 'Exact', value: '/x' } }], filters: [{ type: 'RequestRedirect' }] }, {}] });
    expect(lines(changeReport([], [grpc, redirect]))).toEqual([
      'edge + route GRPCRoute */orders.Orders/* via gw/https -> orders/orders:9090 (weight 90)',
      'edge + route HTTPRoute a.example/* via (no parent) -> no backend',
      'edge + route HTTPRoute a.example/x via (no parent) -> RequestRedirect',
    ]);
  });

  test('what is exposed besides routes: a Gateway listener and who may attach to it, Ingress rules, a LoadBalancer and a NodePort Service', () => {
    const gateway = (namespaces: Manifest) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'gw', namespace: 'edge' },
      spec: { gatewayClassName: 'eg', listeners: [{ name: 'https', protocol: 'HTTPS', port: 443, hostname: 'a.example', allowedRoutes: { namespaces } }, { name: 'http', protocol: 'HTTP', port: 80 }] } });
    const before = gateway({ from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['shop'] }] } });
    const ingress = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'shop' },
      spec: { ingressClassName: 'haproxy', defaultBackend: { service: { name: 'web', port: { name: 'http' } } },
        rules: [{ host: 'b.example', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { number: 8080 } } } }] } }] } };
    const service = (type: string, extra: Manifest = {}) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: type.toLowerCase(), namespace: 'shop' },
      spec: { type, ports: [{ port: 80, ...extra }] } });
    expect(lines(changeReport([before, service('ClusterIP')], [gateway({ from: 'All' }), ingress, service('ClusterIP'), service('LoadBalancer'), service('NodePort', { nodePort: 30080 })]))).toEqual([
      'edge + route Gateway edge/gw listener https: HTTPS :443 a.example, routes from all',
      'edge - route Gateway edge/gw listener https: HTTPS :443 a.example, routes from kubernetes.io/metadata.name In shop',
      'shop + route Ingress b.example/api* via haproxy -> shop/api:8080',
      'shop + route Ingress shop/i default -> shop/web:http',
      'shop + route Service shop/loadbalancer LoadBalancer :80/TCP',
      'shop + route Service shop/nodeport NodePort :80/TCP (node port 30080)',
    ]);
  });

  test('capacity and images: a CronJob\'s container, a workload\'s replicas, a quota', () => {
    const cron = (image: string, cpu: string) => ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c', namespace: 'shop' },
      spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'main', image, resources: { requests: { cpu } } }] } } } } } });
    const sts = (replicas: number) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'shop' }, spec: { replicas } });
    const quota = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'shop' }, spec: { hard: { pods: '10' } } };
    expect(lines(changeReport([cron('a:1', '100m'), sts(2)], [cron('a:2', '200m'), sts(3), quota]))).toEqual([
      'shop ~ capacity CronJob shop/c container main: requests cpu=100m; limits - -> requests cpu=200m; limits -',
      'shop + capacity ResourceQuota shop/q hard: (none) -> pods=10',
      'shop ~ capacity StatefulSet shop/db replicas: 2 -> 3',
      'shop ~ image CronJob shop/c container main: a:1 -> a:2',
    ]);
  });

  test('the categories, in the order a report lists them', () => {
    expect(ChangeCategory.ALL.map(c => c.value)).toEqual(['call', 'grant', 'route', 'capacity', 'image', 'replace', 'prune']);
  });
});

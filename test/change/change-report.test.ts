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
    ]);
  });

  test('a new grant: each rule of the role, for the new subject', () => {
    const report = changeReport(base(), platform(p => p.orders.grantTeam(Subject.group('oidc:auditors'), TeamRole.VIEWER)));
    const grants = report.lines.filter(l => l.category === ChangeCategory.GRANT);
    expect(grants.length).toBeGreaterThan(0);
    expect(grants.every(l => l.context === 'orders' && l.sign === '+' && l.text.startsWith('Group oidc:auditors may '))).toBe(true);
    expect(grants.map(l => l.text)).toContain('Group oidc:auditors may get,list,watch pods,pods/log,services,endpoints,configmaps,events,serviceaccounts,'
      + 'persistentvolumeclaims,resourcequotas,limitranges in orders (Role orders/team-viewer)');
    expect(report.lines.filter(l => l.category !== ChangeCategory.GRANT)).toEqual([]);
  });

  test('a removed route: withdrawn, and pruned', () => {
    const route = base().find(o => o.kind === 'HTTPRoute' && (o.spec.rules ?? []).some((r: Manifest) => (r.backendRefs ?? []).length > 0))!;
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
    expect(report.some(l => l.startsWith('orders + grant Group oidc:sales-readers may '))).toBe(true);
  });

  test('the rendering: a totals line, then each context with its lines; deterministic', () => {
    const after = platform(p => p.accounts.auth.connectTo(p.catalog.products));
    const text = renderChangeReport(changeReport(base(), after), 'prod: git HEAD:dist/prod');
    expect(text).toBe(renderChangeReport(changeReport(base(), after), 'prod: git HEAD:dist/prod'));
    expect(text.split('\n')[0]).toMatch(/^change report prod: git HEAD:dist\/prod: \d+ objects compared, 5 differ \(1 added\); 3 line\(s\) in 2 context\(s\): call 2, prune 1$/);
    expect(text.split('\n').slice(1)).toEqual(['accounts:', '  + call accounts/auth -> catalog/products :8080/TCP', expect.stringMatching(/^  - prune ConfigMap accounts\/auth-config-/),
      'catalog:', '  + call accounts/auth -> catalog/products :8080/TCP', '']);
  });

  test('ignores what is not an object, and names a cluster-scoped object\'s context (cluster)', () => {
    const pc = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'bulk' }, value: 5 };
    expect(lines(changeReport([pc, null, 'x'], [{ ...pc, value: 6 }]))).toEqual(['(cluster) ~ replace PriorityClass bulk (value is immutable: delete and re-create)']);
  });
});

import { Obj, compliantApp, found, pod, violations } from './_fixtures';

const C0 = 'Deployment/web $.spec.template.spec.containers[0]';

function role(rules: Obj[], annotations: Obj = {}, kind = 'Role'): Obj {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name: 'r', namespace: 'shop', annotations }, rules };
}

describe('CMS-011 plaintext-credential', () => {
  test('passes references to Secrets, credential files and plain configuration', () => {
    const config = { kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data: { LOG_LEVEL: 'info', 'app.yaml': 'db:\n  host: db.internal\n  passwordFile: /run/secrets/db\n' } };
    expect(found([...compliantApp().all, config])).toEqual([]);
  });

  test.each<[string, (c: Obj) => void, string]>([
    ['a plain value under a credential name', c => { c.env.push({ name: 'DB_PASS', value: 'correct-horse' }); }, `${C0}.env[2].value`],
    ['a token format in any variable', c => { c.env.push({ name: 'NOTIFY', value: `ghp_${'a1B2'.repeat(9)}` }); }, `${C0}.env[2].value`],
    ['a password flag in args', c => { c.args.push('--password', 'hunter2'); }, `${C0}.args[3]`],
    ['a credential in the command', c => { c.command = ['sh', '-c', 'PGPASSWORD=s3cret psql -h db']; }, `${C0}.command[2]`],
    ['a credential in an exec probe', c => { c.livenessProbe = { exec: { command: ['mysqladmin', 'ping', '--password=Sup3rS3cret'] } }; }, `${C0}.livenessProbe.exec.command[2]`],
  ])('fails with %s', (_what, breakIt, where) => {
    const app = compliantApp();
    breakIt(pod(app).containers[0]);
    const v = violations(app.all);
    expect(v.map(x => `${x.ruleId} ${x.kind}/${x.name} ${x.path}`)).toEqual([`CMS-011 ${where}`]);
    expect(v[0].message).not.toMatch(/hunter2|correct-horse|s3cret|Sup3rS3cret|a1B2a1B2/);
  });

  test('fails for a ConfigMap holding a credential and for any Secret with values', () => {
    const config = { kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data: { REDIS_PASSWORD: 'x9', 'app.env': 'signing_key=Zm9vYmFyYmF6cXV4MTIzNDU2\n' } };
    const secret = { kind: 'Secret', metadata: { name: 's', namespace: 'shop' }, data: { password: 'aHVudGVyMg==' } };
    const token = { kind: 'Secret', metadata: { name: 't', namespace: 'shop' }, type: 'kubernetes.io/service-account-token' };
    expect(found([config, secret, token])).toEqual([
      'CMS-011 ConfigMap/c $.data.REDIS_PASSWORD', 'CMS-011 ConfigMap/c $.data[\'app.env\']', 'CMS-011 Secret/s $.data',
    ]);
  });
});

describe('CMS-012 rbac-wildcard', () => {
  test('passes listed groups, resources and verbs', () => {
    expect(found([role([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }])])).toEqual([]);
  });

  test('fails on wildcards and on bind, escalate, impersonate', () => {
    expect(found([role([
      { apiGroups: ['*'], resources: ['pods'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['deployments/*'], verbs: ['get'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['get', 'bind', 'escalate'] },
      { nonResourceURLs: ['*'], verbs: ['get'] },
    ], {}, 'ClusterRole')])).toEqual([
      'CMS-012 ClusterRole/r $.rules[0].apiGroups[0]', 'CMS-012 ClusterRole/r $.rules[1].resources[0]',
      'CMS-012 ClusterRole/r $.rules[2].verbs[1]', 'CMS-012 ClusterRole/r $.rules[2].verbs[2]', 'CMS-012 ClusterRole/r $.rules[3].nonResourceURLs[0]',
    ]);
  });
});

describe('CMS-013 rbac-escalation', () => {
  test('fails on Secret reads, exec, token minting and pod-creating writes', () => {
    const v = violations([role([
      { apiGroups: [''], resources: ['secrets'], verbs: ['list'] },
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
      { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'] },
      { apiGroups: ['external-secrets.io'], resources: ['externalsecrets'], verbs: ['create'] },
    ])]);
    expect(v.map(x => `${x.ruleId} ${x.path}`)).toEqual(['CMS-013 $.rules[0].resources', 'CMS-013 $.rules[1].resources',
      'CMS-013 $.rules[2].resources', 'CMS-013 $.rules[3].verbs', 'CMS-013 $.rules[4].verbs']);
    expect(v[3].message).toBe('rule 3 grants patch deployments, which lets its holder run a pod as any ServiceAccount of the namespace and mount any of its Secrets, which defeats the refusal to read Secrets');
  });

  test('passes what the library acknowledges with a reason, not an empty acknowledgement', () => {
    const rules = [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['create'] }];
    expect(found([role(rules, { 'cdk8s-microservices.io/escalation': 'the deployer applies the context\'s own Deployments' })])).toEqual([]);
    expect(found([role(rules, { 'cdk8s-microservices.io/escalation': ' ' })])).toEqual(['CMS-013 Role/r $.rules[0].verbs']);
  });

  test('fails on bindings of edit, admin and cluster-admin, not view', () => {
    const binding = (name: string) => ({ kind: 'RoleBinding', metadata: { name, namespace: 'shop' }, roleRef: { kind: 'ClusterRole', name }, subjects: [] });
    expect(found(['view', 'edit', 'system:aggregate-to-admin', 'cluster-admin'].map(binding))).toEqual([
      'CMS-013 RoleBinding/edit $.roleRef.name', 'CMS-013 RoleBinding/system:aggregate-to-admin $.roleRef.name', 'CMS-013 RoleBinding/cluster-admin $.roleRef.name',
    ]);
  });
});

describe('CMS-014 network-policy', () => {
  const LABELS = 'Deployment/web $.spec.template.metadata.labels';
  test('fails for pods no policy governs, per direction', () => {
    const app = compliantApp();
    app.deny.spec.policyTypes = ['Ingress'];
    expect(violations(app.all).map(v => `${v.ruleId} ${v.kind}/${v.name} ${v.path} ${v.message}`))
      .toEqual([`CMS-014 ${LABELS} no NetworkPolicy of the manifests governs the egress of these pods (namespace 'shop')`]);
    app.deny.metadata.namespace = 'other';
    expect(found(app.all)).toEqual([`CMS-014 ${LABELS}`, `CMS-014 ${LABELS}`]);
  });

  test('counts policies that select the pods, with policy types as the API server defaults them', () => {
    const app = compliantApp();
    app.deny.spec = { podSelector: { matchLabels: { tier: 'frontend' } }, ingress: [], egress: [] };
    expect(found(app.all)).toEqual([]);
    app.deny.spec = { podSelector: { matchLabels: { tier: 'backend' } }, policyTypes: ['Ingress', 'Egress'] };
    expect(found(app.all)).toHaveLength(2);
  });
});

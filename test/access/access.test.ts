import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { AccessRule, BoundedContext, ClusterAccess, Microservice, MicroserviceProps, Platform, Subject, TeamRole } from '../../lib';
import { find, Manifest, microservice, objects, setup } from '../_helpers';

function service(context: BoundedContext, extra: Partial<MicroserviceProps> = {}, id = 'notifications'): Microservice {
  return microservice(context, id, extra);
}

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

/** Every (group, resource, verb) a set of rules allows, as `group/resource:verb`. */
function permissions(rules: Rule[]): string[] {
  return rules.flatMap(r => r.apiGroups.flatMap(g => r.resources.flatMap(res => r.verbs.map(v => `${g || 'core'}/${res}:${v}`)))).sort();
}

const developers = Subject.group('oidc:catalog-developers');

describe('team roles', () => {
  test('the README role table is what the rendered Roles grant', () => {
    const { context } = setup();
    for (const role of TeamRole.ALL) {
      context.grantTeam(Subject.group(`g-${role.name}`), role);
    }
    const out = objects(context);
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| (viewer|developer|operator) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$/gm)];
    expect(rows.length).toBeGreaterThan(10);
    const cumulative: Rule[] = [];
    for (const role of TeamRole.ALL) {
      for (const [, name, group, resources, verbs] of rows) {
        if (name === role.name) {
          cumulative.push({ apiGroups: [group.trim() === 'core' ? '' : group.trim()], resources: resources.trim().split(', '), verbs: verbs.trim().split(', ') });
        }
      }
      expect(permissions(find(out, 'Role', `team-${role.name}`).rules)).toEqual(permissions(cumulative));
    }
  });

  test('viewers read but never Secrets; developers scale, delete pods and port-forward but neither exec, read Secrets nor change pod templates', () => {
    const viewer = permissions(TeamRole.VIEWER.rules.map(r => r._render()));
    const developer = permissions(TeamRole.DEVELOPER.rules.map(r => r._render()));
    expect(viewer).toContain('core/pods/log:get');
    expect(viewer.filter(p => p.includes('secrets:') && !p.startsWith('external-secrets') && !p.startsWith('bitnami'))).toEqual([]);
    expect(viewer.filter(p => !/:(get|list|watch)$/.test(p))).toEqual([]);
    expect(developer).toEqual(expect.arrayContaining(['apps/deployments/scale:update', 'core/pods:delete', 'core/pods/portforward:create']));
    expect(developer.filter(p => /^apps\/(deployments|statefulsets):/.test(p) && !/:(get|list|watch)$/.test(p))).toEqual([]);
    expect(developer.filter(p => p.startsWith('core/secrets') || p.startsWith('core/pods/exec'))).toEqual([]);
  });

  test('operators exec and read Secrets; no role touches RBAC or anything cluster-scoped', () => {
    const operator = permissions(TeamRole.OPERATOR.rules.map(r => r._render()));
    expect(operator).toEqual(expect.arrayContaining(['core/pods/exec:create', 'core/secrets:get', 'apps/deployments:create']));
    for (const role of TeamRole.ALL) {
      const all = permissions(role.rules.map(r => r._render()));
      expect(all.filter(p => p.startsWith('rbac.authorization.k8s.io') || /\/(namespaces|nodes|resourcequotas|limitranges):(create|update|patch|delete)/.test(p))).toEqual([]);
    }
  });

  test('subjects of one role share one Role and RoleBinding in the namespace', () => {
    const { context } = setup();
    const a = context.grantTeam(developers, TeamRole.DEVELOPER);
    context.grantTeam(Subject.user('jane@example.com'), TeamRole.DEVELOPER);
    expect(a).toEqual({ subject: developers, role: TeamRole.DEVELOPER, allowExec: false, roleName: 'team-developer' });
    expect(context.teamGrants).toHaveLength(2);
    const out = objects(context);
    expect(out.filter(o => o.kind === 'Role')).toHaveLength(1);
    const binding = find(out, 'RoleBinding', 'team-developer');
    expect(binding.metadata.namespace).toBe('catalog');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'team-developer' });
    expect(binding.subjects).toEqual([
      { kind: 'Group', name: 'oidc:catalog-developers', apiGroup: 'rbac.authorization.k8s.io' },
      { kind: 'User', name: 'jane@example.com', apiGroup: 'rbac.authorization.k8s.io' },
    ]);
  });

  test('allowExec gives developers exec in a separate role, and defaults to false', () => {
    const { context } = setup();
    expect(context.grantTeam(developers, TeamRole.DEVELOPER).allowExec).toBe(false);
    context.grantTeam(Subject.group('oidc:catalog-leads'), TeamRole.DEVELOPER, { allowExec: true });
    const out = objects(context);
    expect(permissions(find(out, 'Role', 'team-developer-exec').rules)).toContain('core/pods/exec:create');
    expect(permissions(find(out, 'Role', 'team-developer').rules)).not.toContain('core/pods/exec:create');
  });

  test('fails when allowExec is given to a role other than developer', () => {
    const { context } = setup();
    expect(() => context.grantTeam(developers, TeamRole.VIEWER, { allowExec: true }))
      .toThrow(/^catalog: 'grantTeam\(viewer\).allowExec' \(true\) only applies to TeamRole.DEVELOPER/);
  });

  test('fails when the subject is empty, padded, a system identity, or granted twice', () => {
    const { context } = setup();
    expect(() => context.grantTeam(Subject.group(''), TeamRole.VIEWER)).toThrow(/^catalog: 'grantTeam\(viewer\).subject' \(''\) must name a group/);
    expect(() => context.grantTeam(Subject.user(' bob'), TeamRole.VIEWER)).toThrow(/must name a user/);
    expect(() => context.grantTeam(Subject.group('system:masters'), TeamRole.VIEWER)).toThrow(/'system:masters'\) must not be a Kubernetes system identity/);
    context.grantTeam(developers, TeamRole.DEVELOPER);
    expect(() => context.grantTeam(developers, TeamRole.DEVELOPER)).toThrow(/must be granted a role once/);
  });
});

describe('conformance suppressions', () => {
  test('operator and deployer bindings carry their access-to-create-pods suppression with a reason; others carry none', () => {
    const { context } = setup();
    context.grantTeam(developers, TeamRole.DEVELOPER);
    context.grantTeam(Subject.group('oidc:ops'), TeamRole.OPERATOR);
    context.addDeployer();
    const out = objects(context);
    const suppressed = (name: string) => {
      const raw = find(out, 'RoleBinding', name).metadata.annotations?.['conformance.cdk8s-microservices.io/suppress'];
      return raw === undefined ? [] : JSON.parse(raw);
    };
    const createPods = { tool: 'kube-linter', check: 'access-to-create-pods', reason: expect.stringMatching(/Pod Security restricted and the namespace quota$/) };
    expect(suppressed('team-developer')).toEqual([]);
    expect(suppressed('deployer')).toEqual([createPods]);
    expect(suppressed('team-operator')).toEqual([
      createPods,
      { tool: 'polaris', check: 'rolebindingRolePodExecAttach', reason: expect.stringMatching(/what the operator role is for/) },
    ]);
    expect(JSON.parse(find(out, 'Role', 'team-operator').metadata.annotations['conformance.cdk8s-microservices.io/suppress']))
      .toEqual([{ tool: 'polaris', check: 'rolePodExecAttach', reason: expect.stringMatching(/confined to this namespace$/) }]);
    expect(find(out, 'Role', 'team-developer').metadata.annotations).toBeUndefined();
  });

  test('a developer role with allowExec carries the Polaris exec suppressions with its own reason', () => {
    const { context } = setup();
    context.grantTeam(developers, TeamRole.DEVELOPER, { allowExec: true });
    const role = find(objects(context), 'Role', 'team-developer-exec');
    expect(JSON.parse(role.metadata.annotations['conformance.cdk8s-microservices.io/suppress']))
      .toEqual([{ tool: 'polaris', check: 'rolePodExecAttach', reason: expect.stringMatching(/granted exec explicitly \(allowExec\)/) }]);
  });
});

describe('custom grants', () => {
  test('rules render a Role and RoleBinding named as given', () => {
    const { context } = setup();
    context.grant(Subject.group('oidc:auditors'), { name: 'auditors', rules: [AccessRule.read('', ['events'])] });
    const out = objects(context);
    expect(find(out, 'Role', 'auditors').rules).toEqual([{ apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] }]);
    expect(find(out, 'RoleBinding', 'auditors').subjects).toEqual([{ kind: 'Group', name: 'oidc:auditors', apiGroup: 'rbac.authorization.k8s.io' }]);
  });

  test('a ClusterRole is bound in the namespace only, with a RoleBinding', () => {
    const { context } = setup();
    context.grant(Subject.group('oidc:support'), { name: 'support', clusterRole: 'view', namespace: 'catalog' });
    const binding = find(objects(context), 'RoleBinding', 'support');
    expect(binding.metadata.namespace).toBe('catalog');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' });
  });

  test.each([
    ['a wildcard verb', AccessRule.of('apps', ['deployments'], ['*']), "'\\*'\\) must not be a wildcard"],
    ['a wildcard resource', AccessRule.of('apps', ['*'], ['get']), "'\\*'\\) must not be a wildcard"],
    ['a wildcard API group', AccessRule.of('*', ['deployments'], ['get']), "'\\*'\\) must not be a wildcard"],
    ['escalate', AccessRule.of('rbac.authorization.k8s.io', ['roles'], ['escalate']), "'escalate'\\) must not be granted"],
    ['bind', AccessRule.of('rbac.authorization.k8s.io', ['roles'], ['bind']), "'bind'\\) must not be granted"],
    ['impersonate', AccessRule.of('', ['users'], ['impersonate']), "'impersonate'\\) must not be granted"],
    ['pods/exec', AccessRule.of('', ['pods/exec'], ['create']), "'pods/exec'\\) must not be granted by a custom rule.*TeamRole.OPERATOR"],
    ['ephemeral containers', AccessRule.of('', ['pods/ephemeralcontainers'], ['patch']), "'pods/ephemeralcontainers'\\) must not be granted by a custom rule"],
    ['ServiceAccount tokens', AccessRule.of('', ['serviceaccounts/token'], ['create']), "'serviceaccounts/token'\\) must not be granted: minting"],
    ['reading every Secret', AccessRule.read('', ['secrets']), "'secrets'\\) must not be readable by every name.*resourceNames"],
    ['a rule with no verbs', AccessRule.of('', ['pods'], []), 'must list at least one resource and one verb'],
  ])('fails when a rule grants %s', (_what, rule, message) => {
    const { context } = setup();
    expect(() => context.grant(developers, { name: 'custom', rules: [rule] }))
      .toThrow(new RegExp(`^catalog: 'grant\\(custom\\).rules\\[0\\]' \\(.*${message}`));
  });

  test('reading named Secrets is allowed', () => {
    const { context } = setup();
    expect(() => context.grant(developers, { name: 'tls-reader', rules: [AccessRule.of('', ['secrets'], ['get'], ['catalog-tls'])] })).not.toThrow();
  });

  test('fails when binding cluster-admin or admin', () => {
    const { context } = setup();
    expect(() => context.grant(developers, { name: 'root', clusterRole: 'cluster-admin' }))
      .toThrow(/^catalog: 'grant\(root\).clusterRole' \('cluster-admin'\) must not be bound: it grants every verb on every resource; grant a TeamRole, or list the exact rules needed$/);
    expect(() => context.grant(developers, { name: 'admin', clusterRole: 'admin' })).toThrow(/'admin'\) must not be bound/);
    expect(() => context.grant(developers, { name: 'edit', clusterRole: 'edit' })).toThrow(/'edit'\) must not be bound/);
  });

  test('fails when binding an aggregated piece of edit or admin, judged by what it grants, not its name', () => {
    const { context } = setup();
    expect(() => context.grant(developers, { name: 'agg', clusterRole: 'system:aggregate-to-edit' }))
      .toThrow(/^catalog: 'grant\(agg\).clusterRole' \('system:aggregate-to-edit'\) must not be bound: it grants the part of `edit` that reads and writes Secrets, execs into pods and impersonates ServiceAccounts; grant a TeamRole/);
    expect(() => context.grant(developers, { name: 'agg2', clusterRole: 'system:aggregate-to-admin' })).toThrow(/must not be bound: it grants the part of `admin` that manages Roles/);
    expect(() => context.grant(developers, { name: 'sys', clusterRole: 'system:controller:deployment-controller' }))
      .toThrow(/'grant\(sys\).clusterRole' \('system:controller:deployment-controller'\) must not be a Kubernetes system ClusterRole/);
  });

  test('binds the built-in read-only aggregate like view', () => {
    const { context } = setup();
    context.grant(developers, { name: 'readers', clusterRole: 'system:aggregate-to-view' });
    expect(find(objects(context), 'RoleBinding', 'readers').roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:aggregate-to-view' });
  });

  test('binds a ClusterRole it does not know only with its rules declared, and checks them like rules', () => {
    const { context } = setup();
    expect(() => context.grant(developers, { name: 'mon', clusterRole: 'monitoring-reader' }))
      .toThrow(/^catalog: 'grant\(mon\).clusterRole' \('monitoring-reader'\) is not a built-in ClusterRole, so what it grants cannot be judged from its name; declare its rules as clusterRoleRules \(kubectl get clusterrole monitoring-reader -o yaml\), or grant the rules themselves with rules$/);
    expect(() => context.grant(developers, { name: 'mon2', clusterRole: 'monitoring-reader', clusterRoleRules: [AccessRule.of('', ['secrets'], ['list'])] }))
      .toThrow(/'grant\(mon2\).clusterRoleRules\[0\]' \('secrets'\) must not be readable by every name/);
    expect(() => context.grant(developers, { name: 'v', clusterRole: 'view', clusterRoleRules: [AccessRule.read('', ['pods'])] }))
      .toThrow(/'grant\(v\).clusterRoleRules' \(1\) must not be given for the built-in ClusterRole 'view'/);
    expect(() => context.grant(developers, { name: 'r', rules: [AccessRule.read('', ['pods'])], clusterRoleRules: [AccessRule.read('', ['pods'])] }))
      .toThrow(/'grant\(r\).clusterRoleRules' \(1\) must come with clusterRole/);

    context.grant(developers, { name: 'mon3', clusterRole: 'monitoring-reader', clusterRoleRules: [AccessRule.read('monitoring.coreos.com', ['prometheusrules'])] });
    expect(find(objects(context), 'RoleBinding', 'mon3').roleRef.name).toEqual('monitoring-reader');
  });

  test('fails when a rule names a built-in resource in the wrong API group, or one its group lacks', () => {
    const { context } = setup();
    expect(() => context.grant(developers, { name: 'a', rules: [AccessRule.of('', ['deployments'], ['get'])] }))
      .toThrow(/^catalog: 'grant\(a\).rules\[0\].resources' \('deployments'\) must be a resource of API group the core group '', but 'deployments' is in 'apps': the rule would grant nothing; use AccessRule.of\('apps', \['deployments'\], \.\.\.\)$/);
    expect(() => context.grant(developers, { name: 'b', rules: [AccessRule.read('apps', ['deployment'])] }))
      .toThrow(/'grant\(b\).rules\[0\].resources' \('deployment'\) must be a resource of API group 'apps', which has no 'deployment': the rule would grant nothing; did you mean 'deployments'\?$/);
    expect(() => context.grant(developers, { name: 'c', rules: [AccessRule.read('batch', ['cronjob'])] })).toThrow(/did you mean 'cronjobs'\?/);
    expect(() => context.grant(developers, { name: 'd', rules: [AccessRule.read('apps', ['widgets'])] })).toThrow(/which has no 'widgets'.*; list the group's resources with kubectl api-resources --api-group=apps$/);
    // custom resources' groups are not known here: accepted
    expect(() => context.grant(developers, { name: 'e', rules: [AccessRule.read('gateway.networking.k8s.io', ['httproutes'])] })).not.toThrow();
  });

  test('fails when a grant names a namespace outside the context', () => {
    const { context } = setup();
    expect(() => context.grant(developers, { name: 'x', rules: [AccessRule.read('', ['pods'])], namespace: 'orders' }))
      .toThrow(/^catalog: 'grant\(x\).namespace' \('orders'\) must be the context's own namespace \('catalog'\)/);
  });

  test('fails when rules and clusterRole are both or neither given, rules are empty, or the name repeats', () => {
    const { context } = setup();
    expect(() => context.grant(developers, { name: 'x' })).toThrow(/must give exactly one of rules and clusterRole/);
    expect(() => context.grant(developers, { name: 'y', clusterRole: 'view', rules: [] })).toThrow(/must give exactly one of rules and clusterRole/);
    expect(() => context.grant(developers, { name: 'z', rules: [] })).toThrow(/'grant\(z\).rules' \(\[\]\) must hold at least one rule/);
    context.grant(developers, { name: 'dup', clusterRole: 'view' });
    expect(() => context.grant(developers, { name: 'dup', clusterRole: 'view' })).toThrow(/'grant\(dup\)' \('dup'\) must be a Role name not used in the context yet/);
    expect(() => context.grant(Subject.user(''), { name: 'e', clusterRole: 'view' })).toThrow(/'grant\(e\).subject' \(''\) must name a user/);
  });
});

describe('deployer', () => {
  test('a ServiceAccount that may apply the context objects and nothing else', () => {
    const { context } = setup();
    const deployer = context.addDeployer();
    expect(deployer.serviceAccountName).toBe('deployer');
    expect(deployer.subject.username).toBe('system:serviceaccount:catalog:deployer');
    expect(context.deployer).toBe(deployer);
    const out = objects(context);
    expect(find(out, 'ServiceAccount', 'deployer').automountServiceAccountToken).toBe(false);
    const granted = permissions(find(out, 'Role', 'deployer').rules);
    expect(granted).toEqual(expect.arrayContaining(['apps/deployments:create', 'core/configmaps:patch', 'networking.k8s.io/networkpolicies:get',
      'apps/statefulsets:create', 'batch/jobs:create', 'batch/cronjobs:patch']));
    expect(granted.filter(p => /^networking.k8s.io\/.*:(create|update|patch|delete)$/.test(p))).toEqual([]);
    expect(granted.filter(p => p.startsWith('rbac') || p.includes('/namespaces') || p.includes('resourcequotas') || p.includes('limitranges') || p.includes('core/secrets'))).toEqual([]);
    expect(find(out, 'RoleBinding', 'deployer').subjects).toEqual([{ kind: 'ServiceAccount', name: 'deployer', namespace: 'catalog' }]);
  });

  test('context.deployer is undefined until added, and fails when added twice', () => {
    const { context } = setup();
    expect(context.deployer).toBeUndefined();
    context.addDeployer();
    expect(() => context.addDeployer()).toThrow(/^catalog: 'addDeployer\(\)' \('deployer'\) must be called once per context; use context.deployer$/);
  });
});

const API = { apiServerCidrs: ['10.10.0.0/28'] };

describe('service identities', () => {
  test('fails when the platform does not know the API server, which a granted service must reach', () => {
    const { context } = setup();
    expect(() => service(context).grantLeaderElection())
      .toThrow(/^catalog\/notifications: 'grantAccess\(rule\)' \('leases'\) needs egress to the API server.*set apiServerCidrs \(and apiServerPort\) on the Platform$/);
  });

  test('a granted service gets egress to the API server endpoints on apiServerPort, others none', () => {
    const { context } = setup({}, { apiServerCidrs: ['10.10.0.2/32', '10.10.0.3/32'], apiServerPort: 6443 });
    service(context).grantLeaderElection();
    service(context, {}, 'plain');
    const out = objects(context);
    expect(find(out, 'NetworkPolicy', 'notifications').spec.egress).toEqual([{
      to: [{ ipBlock: { cidr: '10.10.0.2/32' } }, { ipBlock: { cidr: '10.10.0.3/32' } }],
      ports: [{ protocol: 'TCP', port: 6443 }],
    }]);
    expect(find(out, 'NetworkPolicy', 'plain').spec.egress).toBeUndefined();
  });

  test('services have no API token and no Role by default', () => {
    const { context } = setup({}, API);
    const svc = service(context);
    expect(svc.grants).toEqual([]);
    const out = objects(context);
    expect(out.filter(o => o.kind === 'Role' || o.kind === 'RoleBinding')).toEqual([]);
    const pod = find(out, 'Deployment', 'notifications').spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.volumes.map((v: Manifest) => v.name)).toEqual(['tmp']);
  });

  test('leader election names the exact Lease and mounts a short-lived projected token', () => {
    const { context } = setup({}, API);
    const svc = service(context);
    svc.grantLeaderElection();
    const out = objects(context);
    expect(find(out, 'Role', 'notifications').rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update', 'patch'], resourceNames: ['notifications'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    ]);
    expect(find(out, 'RoleBinding', 'notifications').subjects).toEqual([{ kind: 'ServiceAccount', name: 'notifications', namespace: 'catalog' }]);
    const pod = find(out, 'Deployment', 'notifications').spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.volumes).toContainEqual(expect.objectContaining({
      name: 'kube-api-access',
      projected: expect.objectContaining({ sources: expect.arrayContaining([{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }]) }),
    }));
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true });
  });

  test('grantReadOwnConfig names the hash-named ConfigMap', () => {
    const { context } = setup({}, API);
    const svc = service(context, { env: { MODE: 'a' } });
    svc.grantReadOwnConfig();
    const out = objects(context);
    const cm = out.find(o => o.kind === 'ConfigMap')!;
    expect(find(out, 'Role', 'notifications').rules).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: [cm.metadata.name] }]);
  });

  test('fails when a service without configuration reads its own config, or a grant is too wide', () => {
    const { context } = setup({}, API);
    const svc = service(context);
    expect(() => svc.grantReadOwnConfig()).toThrow(/^catalog\/notifications: 'grantReadOwnConfig\(\)' \('notifications'\) needs configuration to read/);
    expect(() => svc.grantAccess(AccessRule.read('', ['secrets']))).toThrow(/^catalog\/notifications: 'grantAccess\(rule\)' \('secrets'\) must not be readable by every name/);
    expect(() => svc.grantAccess(AccessRule.of('', ['pods'], ['*']))).toThrow(/must not be a wildcard/);
    expect(() => svc.grantLeaderElection('Bad')).toThrow(/'grantLeaderElection\(leaseName\)' \('Bad'\) must be a DNS-1123 label/);
  });

  test('fails when a service grant would reuse a Role name of the context', () => {
    const { context } = setup({}, API);
    context.grant(developers, { name: 'notifications', clusterRole: 'view' });
    expect(() => service(context).grantLeaderElection()).toThrow(/'notifications'\) must be a Role name not used in the context yet/);
  });
});

describe('ClusterAccess', () => {
  test('renders a ClusterRole and ClusterRoleBinding with the reason, in the platform chart', () => {
    const app = Testing.app();
    const platform = new Platform(app, 'shop');
    const access = new ClusterAccess(platform, 'node-readers', {
      subjects: [Subject.group('oidc:sre')],
      rules: [AccessRule.read('', ['nodes'])],
      reason: 'SREs read node conditions during incidents',
    });
    expect(access.roleName).toBe('shop-node-readers');
    const out = objects(platform);
    const role = find(out, 'ClusterRole', 'shop-node-readers');
    expect(role.metadata.annotations).toEqual({ 'cdk8s-microservices.io/reason': 'SREs read node conditions during incidents' });
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }]);
    expect(find(out, 'ClusterRoleBinding', 'shop-node-readers').roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'shop-node-readers' });
  });

  test('fails without a reason, subjects or rules, or with a wildcard', () => {
    const platform = new Platform(Testing.app(), 'shop');
    const ok = { subjects: [Subject.group('oidc:sre')], rules: [AccessRule.read('', ['nodes'])], reason: 'SREs read node conditions' };
    expect(() => new ClusterAccess(platform, 'a', { ...ok, reason: ' ' })).toThrow(/^shop\/a: 'reason' \(' '\) must say why the access has to be cluster-wide/);
    expect(() => new ClusterAccess(platform, 'b', { ...ok, subjects: [] })).toThrow(/^shop\/b: 'subjects' \(\[\]\) must name at least one subject/);
    expect(() => new ClusterAccess(platform, 'c', { ...ok, rules: [] })).toThrow(/^shop\/c: 'rules' \(\[\]\) must hold at least one rule/);
    expect(() => new ClusterAccess(platform, 'd', { ...ok, rules: [AccessRule.of('', ['*'], ['get'])] })).toThrow(/^shop\/d: 'rules\[0\]' \('\*'\) must not be a wildcard/);
    expect(() => new ClusterAccess(platform, 'e', { ...ok, subjects: [Subject.user('')] })).toThrow(/'subjects\[0\]' \(''\) must name a user/);
  });
});

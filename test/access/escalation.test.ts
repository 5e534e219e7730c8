import * as fs from 'fs';
import * as path from 'path';
import { Testing, Yaml } from 'cdk8s';
import { AccessRule, ClusterAccess, Escalation, ESCALATION_ANNOTATION, Platform, Subject, TeamRole } from '../../lib';
import { _escalationOf } from '../../lib/access/escalation';
import { _DEPLOYER_ESCALATION, _DEPLOYER_RULES } from '../../lib/access/access';
import { find, Manifest, microservice, objects, setup } from '../_helpers';
import { ACCESS_MATRIX } from '../conformance/access-matrix';

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

/** Every (group, resource, verb) a set of rules allows, as `group/resource:verb`. */
function permissions(rules: Rule[]): string[] {
  return rules.flatMap(r => r.apiGroups.flatMap(g => r.resources.flatMap(res => r.verbs.map(v => `${g || 'core'}/${res}:${v}`)))).sort();
}

/** What reaches beyond a rule's names: pod templates, secret sync, Secrets, shells, RBAC verbs, wildcards. */
function sensitive(rules: Rule[]): string[] {
  return permissions(rules).filter(p =>
    /^(core\/(pods|replicationcontrollers)|apps\/(deployments|replicasets|statefulsets|daemonsets)|batch\/(jobs|cronjobs)):(create|update|patch)$/.test(p)
    || /^(generators\.)?external-secrets\.io\/.*:(create|update|patch)$/.test(p)
    || /^core\/secrets:(get|list|watch)$/.test(p)
    || /^core\/pods\/(exec|attach|ephemeralcontainers):/.test(p)
    || /:(impersonate|bind|escalate)$/.test(p) || p.startsWith('rbac.authorization.k8s.io/') || p.includes('*'));
}

const write = (group: string, resources: string[]) => resources.flatMap(r => ['create', 'update', 'patch'].map(v => `${group}/${r}:${v}`));

/** The sensitive permissions each generated Role of dist/prod/ must hold, exactly (the same in every context). */
const EXPECTED: { [role: string]: string[] } = {
  'team-viewer': [],
  'team-developer': [],
  'team-operator': [
    ...write('apps', ['deployments', 'statefulsets', 'replicasets']), ...write('batch', ['jobs', 'cronjobs']),
    'core/pods/exec:get', 'core/pods/exec:create', 'core/pods/attach:get', 'core/pods/attach:create', 'core/secrets:get', 'core/secrets:list', 'core/secrets:watch',
  ].sort(),
  'deployer': [...write('apps', ['deployments', 'statefulsets']), ...write('batch', ['jobs', 'cronjobs'])].sort(),
  'notifications': [],
};

describe('generated roles in dist/', () => {
  const dist = path.join(__dirname, '..', '..', 'dist', 'prod');
  const roles: Manifest[] = fs.readdirSync(dist).filter(f => f.endsWith('.yaml'))
    .flatMap(f => Yaml.load(path.join(dist, f)) as Manifest[]).filter(o => o.kind === 'Role' || o.kind === 'ClusterRole');

  test('every Role of dist/ is in the table', () => {
    expect(roles.length).toBeGreaterThanOrEqual(13);
    expect([...new Set(roles.map(r => r.metadata.name))].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  test.each(Object.entries(EXPECTED))('%s holds exactly the expected pod-creating, secret and RBAC permissions', (name, expected) => {
    const found = roles.filter(r => r.metadata.name === name);
    expect(found.length).toBeGreaterThan(0);
    for (const role of found) {
      expect(sensitive(role.rules)).toEqual(expected);
    }
  });

  test('no Role writes ExternalSecrets; a Role that creates pods carries the escalation acknowledgement, and only such a Role', () => {
    for (const role of roles) {
      expect(permissions(role.rules).filter(p => p.startsWith('external-secrets.io/') && !/:(get|list|watch)$/.test(p))).toEqual([]);
      const escalates = role.rules.some((r: Rule) => r.apiGroups.some(g => _escalationOf({ apiGroup: g, resources: r.resources, verbs: r.verbs }) !== undefined));
      expect({ name: role.metadata.name, acknowledged: role.metadata.annotations?.[ESCALATION_ANNOTATION] !== undefined })
        .toEqual({ name: role.metadata.name, acknowledged: escalates });
    }
  });
});

describe('the access matrix of the conformance run', () => {
  test('asks every ServiceAccount of dist/ and every team role the escalation questions', () => {
    const dist = path.join(__dirname, '..', '..', 'dist', 'prod');
    const accounts = fs.readdirSync(dist).filter(f => f.endsWith('.yaml')).flatMap(f => Yaml.load(path.join(dist, f)) as Manifest[])
      .filter(o => o.kind === 'ServiceAccount').map(o => `system:serviceaccount:${o.metadata.namespace}:${o.metadata.name}`);
    const groups = ['oidc:sales-readers', 'oidc:catalog-developers', 'oidc:catalog-operators'];
    const asked = (verb: string, resource: string) => new Set(ACCESS_MATRIX.filter(c => c.verb === verb && c.resource === resource)
      .flatMap(c => [c.as, ...(c.groups ?? [])]));
    for (const [verb, resource] of [['create', 'pods'], ['create', 'jobs.batch'], ['create', 'deployments.apps'], ['patch', 'deployments.apps'],
      ['create', 'externalsecrets.external-secrets.io'], ['impersonate', 'serviceaccounts'], ['bind', 'clusterroles.rbac.authorization.k8s.io'],
      ['escalate', 'roles.rbac.authorization.k8s.io']]) {
      expect({ verb, resource, missing: [...accounts, ...groups].filter(who => !asked(verb, resource).has(who)) }).toEqual({ verb, resource, missing: [] });
    }
    // nobody may write ExternalSecrets or use impersonate, bind or escalate
    expect(ACCESS_MATRIX.filter(c => c.expected && (c.resource.startsWith('externalsecrets.') || ['impersonate', 'bind', 'escalate'].includes(c.verb)))).toEqual([]);
  });
});

describe('generated roles in lib/', () => {
  test('a team role escalates exactly when it carries an acknowledgement', () => {
    for (const role of TeamRole.ALL) {
      expect({ role: role.name, escalates: role.rules.some(r => _escalationOf(r) !== undefined) })
        .toEqual({ role: role.name, escalates: role.escalation !== undefined });
    }
    expect(TeamRole.OPERATOR.escalation?.reason).toMatch(/any ServiceAccount of this namespace/);
    expect(_DEPLOYER_RULES.some(r => _escalationOf(r) !== undefined)).toBe(true);
  });

  test('the deployer Role carries its acknowledgement and reads, but does not write, ExternalSecrets', () => {
    const { context } = setup();
    context.addDeployer();
    const role = find(objects(context), 'Role', 'deployer');
    expect(role.metadata.annotations).toEqual({ [ESCALATION_ANNOTATION]: _DEPLOYER_ESCALATION.reason });
    expect(permissions(role.rules).filter(p => p.startsWith('external-secrets.io/'))).toEqual(
      ['external-secrets.io/externalsecrets:get', 'external-secrets.io/externalsecrets:list', 'external-secrets.io/externalsecrets:watch']);
  });
});

const team = Subject.group('oidc:catalog-migrations');
const REASON = 'the migration team starts schema migration Jobs by hand during releases';

describe('custom grants', () => {
  test.each([
    ['core', 'pods', 'create', 'create pods'],
    ['core', 'pods', 'patch', 'patch pods'],
    ['core', 'replicationcontrollers', 'create', 'create replicationcontrollers'],
    ['apps', 'deployments', 'create', 'create deployments'],
    ['apps', 'deployments', 'patch', 'patch deployments'],
    ['apps', 'replicasets', 'update', 'update replicasets'],
    ['apps', 'statefulsets', 'create', 'create statefulsets'],
    ['apps', 'daemonsets', 'create', 'create daemonsets'],
    ['batch', 'jobs', 'create', 'create jobs'],
    ['batch', 'cronjobs', 'patch', 'patch cronjobs'],
  ])('fails when a rule grants %s/%s %s without an acknowledgement', (group, resource, verb, what) => {
    const { context } = setup();
    expect(() => context.grant(team, { name: 'migrations', rules: [AccessRule.read('', ['configmaps']), AccessRule.of(group === 'core' ? '' : group, [resource], ['get', verb])] }))
      .toThrow(new RegExp(`^catalog: 'grant\\(migrations\\)\\.rules\\[1\\]' \\('${what}'\\) must not be granted without an acknowledgement: it lets its holder run a pod as any ServiceAccount of the namespace and mount any of its Secrets.*; grant only what the subject needs without it .* or pass escalation: Escalation\\.acknowledge\\('<why it must>'\\)$`));
  });

  test.each([
    ['external-secrets.io', 'externalsecrets', 'create', 'create externalsecrets.external-secrets.io'],
    ['external-secrets.io', 'secretstores', 'patch', 'patch secretstores.external-secrets.io'],
    ['external-secrets.io', 'pushsecrets', 'create', 'create pushsecrets.external-secrets.io'],
    ['generators.external-secrets.io', 'passwords', 'update', 'update passwords.generators.external-secrets.io'],
  ])('fails when a rule writes %s/%s (%s) without an acknowledgement', (group, resource, verb, what) => {
    const { context } = setup();
    expect(() => context.grant(team, { name: 'sync', rules: [AccessRule.of(group, [resource], [verb])] }))
      .toThrow(new RegExp(`^catalog: 'grant\\(sync\\)\\.rules\\[0\\]' \\('${what.replace(/\./g, '\\.')}'\\) must not be granted without an acknowledgement: it lets its holder copy any value a shared ClusterSecretStore can read`));
  });

  test('the nearest valid grants need no acknowledgement: reading and deleting workloads, scaling, reading ExternalSecrets', () => {
    const { context } = setup();
    context.grant(team, { name: 'near', rules: [
      AccessRule.of('batch', ['jobs', 'cronjobs'], ['get', 'list', 'watch', 'delete']),
      AccessRule.of('apps', ['deployments/scale'], ['get', 'update', 'patch']),
      AccessRule.of('', ['pods'], ['get', 'list', 'delete']),
      AccessRule.read('external-secrets.io', ['externalsecrets', 'secretstores']),
    ] });
    expect(find(objects(context), 'Role', 'near').metadata.annotations).toBeUndefined();
  });

  test('an acknowledged grant renders, with the reason on its Role', () => {
    const { context } = setup();
    context.grant(team, { name: 'migrations', rules: [AccessRule.of('batch', ['jobs'], ['create', 'get'])], escalation: Escalation.acknowledge(REASON) });
    const role = find(objects(context), 'Role', 'migrations');
    expect(role.metadata.annotations).toEqual({ [ESCALATION_ANNOTATION]: REASON });
    expect(role.rules).toEqual([{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get'] }]);
  });

  test('a ClusterRole whose declared rules create pods needs the acknowledgement, written on the RoleBinding', () => {
    const { context } = setup();
    const rules = [AccessRule.of('apps', ['deployments'], ['get', 'patch'])];
    expect(() => context.grant(team, { name: 'rollouts', clusterRole: 'argo-rollouts', clusterRoleRules: rules }))
      .toThrow(/^catalog: 'grant\(rollouts\)\.clusterRoleRules\[0\]' \('patch deployments'\) must not be granted without an acknowledgement/);
    context.grant(team, { name: 'rollouts', clusterRole: 'argo-rollouts', clusterRoleRules: rules, escalation: Escalation.acknowledge(REASON) });
    expect(find(objects(context), 'RoleBinding', 'rollouts').metadata.annotations).toEqual({ [ESCALATION_ANNOTATION]: REASON });
  });

  test('fails when an acknowledgement acknowledges nothing, has no reason, or is not an Escalation', () => {
    const { context } = setup();
    expect(() => context.grant(team, { name: 'a', rules: [AccessRule.read('batch', ['jobs'])], escalation: Escalation.acknowledge(REASON) }))
      .toThrow(/^catalog: 'grant\(a\)\.escalation' \('the migration .*'\) acknowledges an escalation, but the rules grant none .*; remove the acknowledgement/);
    expect(() => context.grant(team, { name: 'b', clusterRole: 'view', escalation: Escalation.acknowledge(REASON) }))
      .toThrow(/'grant\(b\)\.escalation' .* acknowledges an escalation, but the rules grant none/);
    expect(() => context.grant(team, { name: 'c', rules: [AccessRule.of('batch', ['jobs'], ['create'])], escalation: Escalation.acknowledge(' ok ') }))
      .toThrow(/^catalog: 'grant\(c\)\.escalation' \(' ok '\) must say why the grant must escalate/);
    expect(() => context.grant(team, { name: 'd', rules: [AccessRule.of('batch', ['jobs'], ['create'])], escalation: REASON as never }))
      .toThrow(/^catalog: 'grant\(d\)\.escalation' \('the migration .*'\) must be an Escalation; pass Escalation\.acknowledge/);
  });

  test.each([
    ['impersonate', AccessRule.of('', ['serviceaccounts'], ['impersonate']), /'impersonate'\) must not be granted: it lets the holder gain permissions/],
    ['bind', AccessRule.of('rbac.authorization.k8s.io', ['roles'], ['bind']), /'bind'\) must not be granted/],
    ['escalate', AccessRule.of('rbac.authorization.k8s.io', ['roles'], ['escalate']), /'escalate'\) must not be granted/],
    ['a wildcard', AccessRule.of('batch', ['*'], ['create']), /'\*'\) must not be a wildcard/],
  ])('fails when %s is granted, even with an acknowledgement', (_what, rule, message) => {
    const { context } = setup();
    expect(() => context.grant(team, { name: 'x', rules: [rule], escalation: Escalation.acknowledge(REASON) })).toThrow(message);
  });
});

describe('service identities', () => {
  const API = { apiServerCidrs: ['10.10.0.0/28'] };

  test('fails when a service is granted to create Jobs without an acknowledgement', () => {
    const { context } = setup({}, API);
    expect(() => microservice(context, 'reports').grantAccess(AccessRule.of('batch', ['jobs'], ['create'])))
      .toThrow(/^catalog\/reports: 'grantAccess\(rule\)' \('create jobs'\) must not be granted without an acknowledgement/);
  });

  test('an acknowledged grant renders, every reason on the Role; a Role that escalates nothing has no annotation', () => {
    const { context } = setup({}, API);
    const reports = microservice(context, 'reports');
    reports.grantLeaderElection();
    reports.grantAccess(AccessRule.of('batch', ['jobs'], ['create']), { escalation: Escalation.acknowledge('the scheduler starts one Job per report') });
    reports.grantAccess(AccessRule.of('external-secrets.io', ['pushsecrets'], ['create']), { escalation: Escalation.acknowledge('reports publishes its signing key to Vault') });
    microservice(context, 'plain').grantLeaderElection();
    const out = objects(context);
    expect(find(out, 'Role', 'reports').metadata.annotations)
      .toEqual({ [ESCALATION_ANNOTATION]: 'the scheduler starts one Job per report; reports publishes its signing key to Vault' });
    expect(find(out, 'Role', 'plain').metadata.annotations).toBeUndefined();
  });

  test('fails when a service grant acknowledges an escalation it does not have', () => {
    const { context } = setup({}, API);
    expect(() => microservice(context, 'reports').grantAccess(AccessRule.read('batch', ['jobs']), { escalation: Escalation.acknowledge(REASON) }))
      .toThrow(/^catalog\/reports: 'grantAccess\(options\)\.escalation' .* acknowledges an escalation, but the rules grant none/);
  });
});

describe('ClusterAccess', () => {
  const base = { subjects: [Subject.group('oidc:sre')], reason: 'SREs restart workloads in every namespace during incidents' };

  test('fails when a cluster-wide rule creates pods without an acknowledgement', () => {
    const platform = new Platform(Testing.app(), 'shop');
    expect(() => new ClusterAccess(platform, 'restarts', { ...base, rules: [AccessRule.of('apps', ['deployments'], ['patch'])] }))
      .toThrow(/^shop\/restarts: 'rules\[0\]' \('patch deployments'\) must not be granted without an acknowledgement/);
  });

  test('an acknowledged cluster-wide grant writes the acknowledgement on the ClusterRole', () => {
    const platform = new Platform(Testing.app(), 'shop');
    new ClusterAccess(platform, 'restarts', { ...base, rules: [AccessRule.of('apps', ['deployments'], ['patch'])], escalation: Escalation.acknowledge(REASON) });
    expect(find(objects(platform), 'ClusterRole', 'shop-restarts').metadata.annotations)
      .toEqual({ 'cdk8s-microservices.io/reason': base.reason, [ESCALATION_ANNOTATION]: REASON });
  });
});

import { _escalationOf } from '../../lib/access/escalation';
import { _CEL_RULES, _ESCALATING } from '../../lib/policy/admission/cel-rules';
import { RBAC_ESCALATION } from '../../lib/policy/rules/rbac-escalation';
import {
  ADMISSION_UNSUPPORTED_RULES, AdmissionPolicies, ErrorCode, KubernetesVersion, POLICY_RULES, POLICY_SUPPRESSION_PREFIX, PolicyAction,
} from '../../lib';
import { Manifest, objects, setup, thrown } from '../_helpers';

function render(props: ConstructorParameters<typeof AdmissionPolicies>[2] = {}, version?: KubernetesVersion) {
  const { platform } = setup({}, version ? { kubernetesVersion: version } : {});
  const admission = new AdmissionPolicies(platform, 'admission', props);
  const all = objects(platform);
  const policies = all.filter(o => o.kind === 'ValidatingAdmissionPolicy');
  const bindings = all.filter(o => o.kind === 'ValidatingAdmissionPolicyBinding');
  return { admission, policies, bindings, platform };
}

const policyOf = (policies: Manifest[], id: string): Manifest => policies.find(p => p.metadata.annotations['cdk8s-microservices.io/policy-rule'] === id)!;
const bindingOf = (bindings: Manifest[], policy: Manifest): Manifest => bindings.find(b => b.spec.policyName === policy.metadata.name)!;
const CEL_IDS = ['CMS-001', 'CMS-002', 'CMS-003', 'CMS-004', 'CMS-005', 'CMS-006', 'CMS-007', 'CMS-009', 'CMS-010', 'CMS-012', 'CMS-013'];

describe('AdmissionPolicies', () => {
  test('renders a ValidatingAdmissionPolicy and a binding per rule CEL can express, in the pack\'s order', () => {
    const { admission, policies, bindings } = render();
    expect(admission.ruleIds).toEqual(CEL_IDS);
    expect(policies.map(p => p.metadata.name)).toEqual(admission.policyNames);
    expect(admission.policyNames[0]).toEqual('shop-cms-001-pinned-image');
    expect(policies.every(p => p.apiVersion === 'admissionregistration.k8s.io/v1' && p.spec.failurePolicy === 'Fail')).toBe(true);
    expect(bindings.map(b => b.spec.policyName)).toEqual(admission.policyNames);
  });

  test('every rule of the pack is either in CEL or says why it cannot be', () => {
    const ids = POLICY_RULES.map(r => r.id);
    expect([...Object.keys(_CEL_RULES), ...Object.keys(ADMISSION_UNSUPPORTED_RULES)].sort()).toEqual(ids);
    expect(Object.keys(ADMISSION_UNSUPPORTED_RULES)).toEqual(['CMS-008', 'CMS-011', 'CMS-014']);
  });

  test('defaults: every rule is bound with PolicyAction.DENY', () => {
    const { admission, bindings } = render();
    expect(bindings.map(b => b.spec.validationActions)).toEqual(CEL_IDS.map(() => ['Deny']));
    expect(admission.actionOf('CMS-001')).toBe(PolicyAction.DENY);
  });

  test('an action per rule, by id or slug: WARN binds [Warn, Audit]', () => {
    const { admission, policies, bindings } = render({ actions: { 'CMS-009': PolicyAction.WARN, 'priority-class': PolicyAction.WARN } });
    expect(bindingOf(bindings, policyOf(policies, 'CMS-009')).spec.validationActions).toEqual(['Warn', 'Audit']);
    expect(bindingOf(bindings, policyOf(policies, 'CMS-010')).spec.validationActions).toEqual(['Warn', 'Audit']);
    expect(bindingOf(bindings, policyOf(policies, 'CMS-001')).spec.validationActions).toEqual(['Deny']);
    expect(admission.actionOf('spread')).toBe(PolicyAction.WARN);
    expect(admission.actionOf('CMS-014')).toBeUndefined();
  });

  test('the bindings cover the bounded contexts\' namespaces of the platform (the labels every context\'s Namespace carries)', () => {
    const { bindings, platform } = render();
    for (const b of bindings) {
      expect(b.spec.matchResources).toEqual({ namespaceSelector: {
        matchLabels: { 'app.kubernetes.io/part-of': 'shop' },
        matchExpressions: [{ key: 'cdk8s-microservices.io/context', operator: 'Exists' }],
      } });
    }
    const namespace = objects(setup().context).find(o => o.kind === 'Namespace')!;
    expect(namespace.metadata.labels).toMatchObject({ 'app.kubernetes.io/part-of': 'shop', 'cdk8s-microservices.io/context': 'catalog' });
    expect(platform.platformName).toEqual('shop');
  });

  test('the pod-template rules match every kind that carries a pod template, namespaced, on create and update', () => {
    const { policies } = render();
    const rules = policyOf(policies, 'CMS-001').spec.matchConstraints.resourceRules;
    expect(rules).toEqual([
      { apiGroups: [''], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'replicationcontrollers'], scope: 'Namespaced' },
      { apiGroups: ['apps'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'], scope: 'Namespaced' },
      { apiGroups: ['batch'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['jobs', 'cronjobs'], scope: 'Namespaced' },
      { apiGroups: ['argoproj.io'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['rollouts'], scope: 'Namespaced' },
    ]);
    expect(policyOf(policies, 'CMS-001').spec.variables[0].expression).toContain('object.spec.jobTemplate.spec.template.spec');
    expect(policyOf(policies, 'CMS-013').spec.matchConstraints.resourceRules).toEqual([
      { apiGroups: ['rbac.authorization.k8s.io'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['roles', 'rolebindings'], scope: 'Namespaced' },
    ]);
  });

  test('messages carry the rule\'s id, slug and fix; an object that suppresses the rule with a reason is not judged', () => {
    const { policies } = render();
    for (const rule of POLICY_RULES.filter(r => CEL_IDS.includes(r.id))) {
      const p = policyOf(policies, rule.id);
      expect(p.spec.validations.length).toBeGreaterThan(0);
      for (const v of p.spec.validations) {
        expect(v.message.startsWith(`${rule.id} ${rule.slug}: `)).toBe(true);
        expect(v.message).toContain(`fix: ${rule.fix.replace(/\s+/g, ' ')}`);
      }
      const suppression = p.spec.matchConditions.find((c: Manifest) => c.name === 'not-suppressed');
      expect(suppression.expression).toContain(`'${POLICY_SUPPRESSION_PREFIX}${rule.slug}' in object.metadata.annotations`);
      expect(suppression.expression).toContain('.trim() == \'\'');
    }
  });

  test('objects a controller makes from a template are judged at the template', () => {
    const { policies } = render();
    const conditions = policyOf(policies, 'CMS-003').spec.matchConditions.map((c: Manifest) => c.name);
    expect(conditions).toEqual(['not-suppressed', 'not-being-deleted', 'not-made-by-a-controller', 'has-a-pod-template']);
    expect(policyOf(policies, 'CMS-012').spec.matchConditions.map((c: Manifest) => c.name)).toEqual(['not-suppressed', 'not-being-deleted']);
  });

  test('from 1.30 the policies render', () => {
    expect(render({}, KubernetesVersion.V1_30).policies).toHaveLength(CEL_IDS.length);
  });

  test('fails when the platform targets a release below 1.30', () => {
    const { platform } = setup({}, { kubernetesVersion: KubernetesVersion.V1_29 });
    const e = thrown(() => new AdmissionPolicies(platform, 'admission'));
    expect(e.code).toEqual(ErrorCode.UNSUPPORTED_BY_VERSION);
    expect(e.message).toMatch(/^shop\/admission: 'kubernetesVersion' \('1.29'\) must be 1.30 or newer: ValidatingAdmissionPolicy .* is GA from 1.30/);
    expect(e.message).toContain('raise the Platform\'s kubernetesVersion to KubernetesVersion.V1_30');
  });

  test('fails when an action names no rule, a rule CEL cannot express, or a skipped one', () => {
    const { platform } = setup();
    expect(thrown(() => new AdmissionPolicies(platform, 'a', { actions: { 'CMS-099': PolicyAction.WARN } })).message)
      .toMatch(/'actions.CMS-099' \('CMS-099'\) must name a rule of the pack by id or slug; use one of CMS-001/);
    expect(thrown(() => new AdmissionPolicies(platform, 'b', { actions: { 'network-policy': PolicyAction.WARN } })).message)
      .toContain('must name a rule CEL can express, but CMS-014 cannot: coverage by NetworkPolicies is a property of the set');
    expect(thrown(() => new AdmissionPolicies(platform, 'c', { skip: ['CMS-009'], actions: { 'CMS-009': PolicyAction.WARN } })).message)
      .toContain('must not name a rule that skip leaves out');
    expect(thrown(() => new AdmissionPolicies(platform, 'd', { actions: { 'CMS-009': 'Warn' as unknown as PolicyAction } })).code).toEqual(ErrorCode.WRONG_TYPE);
  });

  test('skip leaves rules out; fails when it names no rule', () => {
    const { admission, policies } = render({ skip: ['CMS-009', 'priority-class'] });
    expect(admission.ruleIds).toEqual(CEL_IDS.filter(id => id !== 'CMS-009' && id !== 'CMS-010'));
    expect(policies).toHaveLength(CEL_IDS.length - 2);
    const { platform } = setup();
    expect(thrown(() => new AdmissionPolicies(platform, 'a', { skip: ['spred'] })).code).toEqual(ErrorCode.UNKNOWN_REFERENCE);
  });

  test('fails when created outside a Platform', () => {
    const { context } = setup();
    expect(thrown(() => new AdmissionPolicies(context as never, 'admission')).code).toEqual(ErrorCode.WRONG_SCOPE);
  });
});

describe('the CEL of CMS-013 agrees with the pack', () => {
  const role = (apiGroups: string[], resources: string[], verbs: string[]) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'x' }, rules: [{ apiGroups, resources, verbs }],
  });
  const found = (m: Manifest) => RBAC_ESCALATION.check(m, { manifests: [m] }).length;

  test('every pod-creating and secret-sync grant in the table escalates for the library and the pack', () => {
    for (const [group, resources] of Object.entries(_ESCALATING.podCreating)) {
      for (const resource of resources) {
        for (const verb of _ESCALATING.templateVerbs) {
          expect(_escalationOf({ apiGroup: group, resources: [resource], verbs: [verb] })).toBeDefined();
          expect(found(role([group], [resource], [verb]))).toBeGreaterThan(0);
        }
        expect(found(role([group], [resource], ['get', 'list', 'watch', 'delete']))).toBe(0);
      }
    }
    for (const group of _ESCALATING.secretSyncGroups) {
      expect(found(role([group], ['externalsecrets'], ['create']))).toBeGreaterThan(0);
    }
  });

  test('the reaching subresources and Secret reads are the pack\'s', () => {
    for (const [resource, verbs] of Object.entries(_ESCALATING.reaching)) {
      for (const verb of verbs) expect(found(role([''], [resource], [verb]))).toBeGreaterThan(0);
      expect(found(role([''], [resource], ['delete']))).toBe(0);
    }
    for (const verb of _ESCALATING.secretReads) expect(found(role([''], ['secrets'], [verb]))).toBeGreaterThan(0);
    expect(found(role([''], ['secrets'], ['delete']))).toBe(0);
  });
});

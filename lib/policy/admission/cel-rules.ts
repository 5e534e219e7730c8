import { _KNOWN_CLUSTER_ROLES } from '../../internal/rbac';
import { ESCALATION_ANNOTATION } from '../../access/escalation';

/**
 * The rules of the policy pack as CEL, for ValidatingAdmissionPolicies: what the API
 * server can judge on one object at a time. Keyed by rule id; the ids, descriptions
 * and fixes stay those of the PolicyRule objects (lib/policy/rules/).
 */

/** An API resource an admission policy matches, with the kind it serves. @internal */
export interface _Resource {
  /** The kind, as the pack's rules name it. */
  readonly kind: string;
  /** The API group ('' for core). */
  readonly group: string;
  /** The resource (plural). */
  readonly resource: string;
}

const RESOURCES: readonly _Resource[] = [
  { kind: 'Pod', group: '', resource: 'pods' },
  { kind: 'ReplicationController', group: '', resource: 'replicationcontrollers' },
  { kind: 'Deployment', group: 'apps', resource: 'deployments' },
  { kind: 'StatefulSet', group: 'apps', resource: 'statefulsets' },
  { kind: 'DaemonSet', group: 'apps', resource: 'daemonsets' },
  { kind: 'ReplicaSet', group: 'apps', resource: 'replicasets' },
  { kind: 'Job', group: 'batch', resource: 'jobs' },
  { kind: 'CronJob', group: 'batch', resource: 'cronjobs' },
  { kind: 'Rollout', group: 'argoproj.io', resource: 'rollouts' },
  { kind: 'ServiceAccount', group: '', resource: 'serviceaccounts' },
  { kind: 'Role', group: 'rbac.authorization.k8s.io', resource: 'roles' },
  { kind: 'RoleBinding', group: 'rbac.authorization.k8s.io', resource: 'rolebindings' },
];

/** The resource of each kind the policies match. @internal */
export function _resourceOf(kind: string): _Resource | undefined {
  return RESOURCES.find(r => r.kind === kind);
}

/** What a rule is in CEL: the kinds it matches and the expressions every object must pass. @internal */
export interface _CelRule {
  /** The kinds matched (a subset of the PolicyRule's kinds: namespaced ones). */
  readonly kinds: readonly string[];
  /** Whether the objects carry a pod template (the `podSpec` variables are declared). */
  readonly podTemplate: boolean;
  /** CEL expressions, each true for a compliant object. */
  readonly expressions: readonly string[];
  /** What the CEL leaves to the pack (a part that needs other objects), if anything. */
  readonly partial?: string;
}

const POD_TEMPLATE_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob', 'Rollout'];
const LONG_RUNNING_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Rollout'];
const REPLICATED_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'Rollout'];

/** The variables of a policy over pod-template kinds: where the pod spec is, and its containers. @internal */
export const _POD_VARIABLES: ReadonlyArray<{ readonly name: string; readonly expression: string }> = [
  { name: 'podSpec', expression: 'object.kind == \'Pod\' ? object.spec : (object.kind == \'CronJob\' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)' },
  { name: 'containers', expression: 'variables.podSpec.containers + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : [])' },
  { name: 'allContainers', expression: 'variables.containers + (has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers : [])' },
];

/** `has(a.b) && a.b` for a path of optional fields. */
function isTrue(base: string, ...fields: string[]): string {
  const checks = fields.map((_, i) => `has(${[base, ...fields.slice(0, i + 1)].join('.')})`);
  return `(${[...checks, [base, ...fields].join('.')].join(' && ')})`;
}

/** A field of the container's securityContext, else of the pod's, else `fallback`. */
function inherited(field: string, fallback: string): string {
  return `((has(c.securityContext) && has(c.securityContext.${field})) ? c.securityContext.${field}`
    + ` : ((has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.${field})) ? variables.podSpec.securityContext.${field} : ${fallback}))`;
}

/** A CEL list literal of strings. */
function list(values: readonly string[]): string {
  return `[${values.map(v => `'${v}'`).join(', ')}]`;
}

/** The optional list field `f` of the RBAC rule `r`, or an empty list. */
function field(f: string): string {
  return `(has(r.${f}) ? r.${f} : [])`;
}

/** The volume types the Pod Security Standard `restricted` allows (as the pack's CMS-004). */
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/** The grants the pack's CMS-013 reports, as tables (test/policy/admission-cel.test.ts checks each against the pack). @internal */
export const _ESCALATING = {
  /** Core resources whose read gives away Secrets. */
  secretReads: ['get', 'list', 'watch'],
  /** Core subresources that reach into pods or mint tokens, with the verbs that do. */
  reaching: { 'pods/exec': ['create', 'get'], 'pods/attach': ['create', 'get'], 'nodes/proxy': ['create', 'get'], 'serviceaccounts/token': ['create'] } as { readonly [r: string]: readonly string[] },
  /** Pod-creating resources by API group. */
  podCreating: { '': ['pods', 'replicationcontrollers'], 'apps': ['deployments', 'replicasets', 'statefulsets', 'daemonsets'], 'batch': ['jobs', 'cronjobs'] } as { readonly [g: string]: readonly string[] },
  /** Verbs that create such an object or change its pod template. */
  templateVerbs: ['create', 'update', 'patch'],
  /** API groups whose objects pick a secret store and key. */
  secretSyncGroups: ['external-secrets.io', 'generators.external-secrets.io'],
};

function escalationFree(): string {
  const e = _ESCALATING;
  const groups = field('apiGroups');
  const resources = field('resources');
  const verbs = field('verbs');
  const reaching = Object.entries(e.reaching).map(([res, v]) => `(x == '${res}' && ${verbs}.exists(v, v in ${list(v)}))`).join(' || ');
  const podCreating = Object.entries(e.podCreating).map(([g, rs]) => `(g == '${g}' && ${resources}.exists(x, x in ${list(rs)}))`).join(' || ');
  return [
    `!('' in ${groups} && 'secrets' in ${resources} && ${verbs}.exists(v, v in ${list(e.secretReads)}))`,
    `!('' in ${groups} && ${resources}.exists(x, ${reaching}))`,
    `!(${verbs}.exists(v, v in ${list(e.templateVerbs)}) && ${groups}.exists(g, ${podCreating} || g in ${list(e.secretSyncGroups)}))`,
  ].join(' && ');
}

const SPREAD_KEYS = ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'];

const S = 'variables.podSpec';

/** The rules CEL can judge on one object, by id. @internal */
export const _CEL_RULES: { readonly [id: string]: _CelRule } = {
  'CMS-001': {
    kinds: POD_TEMPLATE_KINDS, podTemplate: true,
    expressions: [
      'variables.allContainers.all(c, has(c.image) && (c.image.matches(\'@sha256:[a-f0-9]{64}$\')'
      + ' || c.image.matches(\':v?[0-9]+[.][0-9]+[.][0-9]+([-+._][0-9A-Za-z][0-9A-Za-z._+-]*)?$\')'
      + ' || (c.image.matches(\':(sha-|git-)?[0-9a-f]{7,40}$\') && c.image.matches(\':(sha-|git-)?[0-9]*[a-f][0-9a-f]*$\')'
      + ' && c.image.matches(\':(sha-|git-)?[a-f]*[0-9][0-9a-f]*$\'))))',
    ],
    partial: 'the pin, not the spelling: an upper-case repository or a malformed digest is the API server\'s or the registry\'s to refuse',
  },
  'CMS-002': {
    kinds: LONG_RUNNING_KINDS, podTemplate: true,
    expressions: [
      `${S}.containers.all(c, has(c.readinessProbe) && has(c.livenessProbe))`
      + ` && (!has(${S}.initContainers) || ${S}.initContainers.all(c, !has(c.restartPolicy) || c.restartPolicy != 'Always' || (has(c.readinessProbe) && has(c.livenessProbe))))`,
    ],
  },
  'CMS-003': {
    kinds: POD_TEMPLATE_KINDS, podTemplate: true,
    expressions: [
      'variables.containers.all(c, has(c.resources) && has(c.resources.requests) && has(c.resources.limits)'
      + ' && [\'cpu\', \'memory\', \'ephemeral-storage\'].all(r, r in c.resources.requests && r in c.resources.limits))',
    ],
  },
  'CMS-004': {
    kinds: POD_TEMPLATE_KINDS, podTemplate: true,
    expressions: [
      ['hostNetwork', 'hostPID', 'hostIPC'].map(h => `!${isTrue(S, h)}`).join(' && '),
      `!has(${S}.volumes) || ${S}.volumes.all(v, v.all(k, k == 'name' || k in ${list(RESTRICTED_VOLUMES)}))`,
      `variables.allContainers.all(c, !${isTrue('c', 'securityContext', 'privileged')})`,
      'variables.allContainers.all(c, has(c.securityContext) && has(c.securityContext.allowPrivilegeEscalation) && c.securityContext.allowPrivilegeEscalation == false)',
      `variables.allContainers.all(c, ${inherited('runAsNonRoot', 'false')} == true)`,
      `variables.allContainers.all(c, ${inherited('runAsUser', '-1')} != 0)`,
      `variables.allContainers.all(c, (${inherited('seccompProfile', '{\'type\': \'\'}')}).type in ['RuntimeDefault', 'Localhost'])`,
      'variables.allContainers.all(c, has(c.securityContext) && has(c.securityContext.capabilities) && has(c.securityContext.capabilities.drop)'
      + ' && \'ALL\' in c.securityContext.capabilities.drop'
      + ' && (!has(c.securityContext.capabilities.add) || c.securityContext.capabilities.add.all(a, a == \'NET_BIND_SERVICE\')))',
      'variables.allContainers.all(c, !has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0))',
    ],
  },
  'CMS-005': {
    kinds: POD_TEMPLATE_KINDS, podTemplate: true,
    expressions: [`variables.containers.all(c, ${isTrue('c', 'securityContext', 'readOnlyRootFilesystem')})`],
  },
  'CMS-006': {
    kinds: POD_TEMPLATE_KINDS, podTemplate: true,
    expressions: [`(has(${S}.serviceAccountName) ? ${S}.serviceAccountName : (has(${S}.serviceAccount) ? ${S}.serviceAccount : 'default')) != 'default'`],
    partial: 'only that the pods do not run as the namespace\'s default ServiceAccount: that the account is defined beside the workload and shared with no other needs the whole set',
  },
  'CMS-007': {
    kinds: [...POD_TEMPLATE_KINDS, 'ServiceAccount'], podTemplate: true,
    expressions: [
      // the namespace's `default` ServiceAccount is the controller's, created with every namespace (CMS-006 keeps pods off it)
      'object.kind != \'ServiceAccount\' || object.metadata.name == \'default\' || (has(object.automountServiceAccountToken) && object.automountServiceAccountToken == false)',
      `object.kind == 'ServiceAccount' || !has(${S}.automountServiceAccountToken) || ${S}.automountServiceAccountToken == false`,
    ],
    partial: 'a pod that leaves automountServiceAccountToken unset is admitted (its ServiceAccount, admitted only with false, decides); the namespace\'s default ServiceAccount, which the controller creates, is not checked',
  },
  'CMS-009': {
    kinds: REPLICATED_KINDS, podTemplate: true,
    expressions: [
      `!has(object.spec.replicas) || object.spec.replicas <= 1 || ${list(SPREAD_KEYS)}.all(k, `
      + `(has(${S}.topologySpreadConstraints) && ${S}.topologySpreadConstraints.exists(t, t.topologyKey == k))`
      + ` || (has(${S}.affinity) && has(${S}.affinity.podAntiAffinity) && (`
      + `(has(${S}.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution) && ${S}.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution.exists(t, t.topologyKey == k))`
      + ` || (has(${S}.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution) && ${S}.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution.exists(t, t.podAffinityTerm.topologyKey == k)))))`,
    ],
    partial: 'only for a workload whose own spec.replicas is above 1: the maxReplicas of a HorizontalPodAutoscaler is another object',
  },
  'CMS-010': {
    kinds: POD_TEMPLATE_KINDS, podTemplate: true,
    expressions: [
      `has(${S}.priorityClassName) && ${S}.priorityClassName != ''`
      + ` && (!(${S}.priorityClassName in ['system-cluster-critical', 'system-node-critical']) || request.namespace == 'kube-system')`,
    ],
  },
  'CMS-012': {
    kinds: ['Role'], podTemplate: false,
    expressions: [
      '!has(object.rules) || object.rules.all(r, '
      + ['verbs', 'resources', 'apiGroups', 'nonResourceURLs'].map(f => `${field(f)}.all(x, x != '*' && !x.endsWith('/*'))`).join(' && ')
      + ` && !${field('verbs')}.exists(v, v in ['bind', 'escalate', 'impersonate']))`,
    ],
    partial: 'Roles only: ClusterRoles are cluster-scoped, outside the bounded contexts\' namespaces the bindings cover (the pack checks them in the manifests)',
  },
  'CMS-013': {
    kinds: ['Role', 'RoleBinding'], podTemplate: false,
    expressions: [
      `object.kind != 'Role' || (has(object.metadata.annotations) && '${ESCALATION_ANNOTATION}' in object.metadata.annotations`
      + ` && object.metadata.annotations['${ESCALATION_ANNOTATION}'].trim().size() >= 10) || !has(object.rules) || object.rules.all(r, ${escalationFree()})`,
      `object.kind != 'RoleBinding' || object.roleRef.kind != 'ClusterRole' || !(object.roleRef.name in ${list(Object.entries(_KNOWN_CLUSTER_ROLES).filter(([, k]) => !k.bindable).map(([n]) => n))})`,
    ],
    partial: 'Roles and RoleBindings only: ClusterRoles and ClusterRoleBindings are cluster-scoped, outside the namespaces the bindings cover',
  },
};

/** Why each rule of the pack that has no CEL form cannot have one, by id. */
export const ADMISSION_UNSUPPORTED_RULES: { readonly [id: string]: string } = {
  'CMS-008': 'a PodDisruptionBudget is another object: admission sees one object at a time, and the budget may be applied before or after the workload',
  'CMS-011': 'the credential detector is code (entropy of values, token formats, credential names) that CEL cannot reproduce faithfully, and in a cluster every Secret holds its values: the rule is about what is committed, so it belongs to the pack',
  'CMS-014': 'coverage by NetworkPolicies is a property of the set: the policies selecting a pod are other objects, applied in any order',
};

import { Lazy, Size } from 'cdk8s';
import { _Chart, _addValidation } from '../internal/chart';
import { Cpu, k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AccessRule, GrantOptions, Subject, TeamGrantOptions, TeamRole, _DEPLOYER_ESCALATION, _DEPLOYER_RULES, _EXEC_RULE } from '../access/access';
import { ESCALATION_ANNOTATION, _checkEscalation } from '../access/escalation';
import { _KNOWN_CLUSTER_ROLES } from '../internal/rbac';
import { _assertDns1123Label, _assertInteger, _assertLabelValue, _instanceOf, _invalid, _oneOf, _requireProp } from '../internal/errors';
import { LABEL, MANAGED_BY, _podSecurityLabels } from '../internal/labels';
import { _suppress } from '../internal/suppressions';
import { _bytes, _cpuMillis, _formatBytes, _formatMillis, _size } from '../internal/quantity';
import { _brand, _checkPlatformChart, _isBranded } from '../internal/construct';
import { IContextMember, IPlatformMember } from './members';
import { Platform } from './platform';
import { ContainerLimits, ContextQuota, _ResolvedQuota, _Resources } from './context-quota';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';

/** Why a developer role granted `allowExec` may open a shell in the context's pods; written on its Role. */
const _EXEC_ESCALATION = 'this developer role was granted exec explicitly (allowExec): a shell in the context\'s own pods, which may read what they mount; confined to this namespace';

/**
 * Properties of a bounded context.
 */
export interface BoundedContextProps {
  /** The platform the context belongs to. */
  readonly platform: Platform;

  /**
   * The team that owns the context, as a label value (for example `catalog-team`).
   * It labels the namespace; access grants for the team build on it.
   */
  readonly team: string;

  /**
   * The namespace, which is also the context's name in URLs and errors.
   *
   * @default - the construct id
   */
  readonly namespace?: string;

  /**
   * The ResourceQuota of the namespace.
   *
   * @default - the defaults of each ContextQuota field
   */
  readonly quota?: ContextQuota;

  /**
   * The LimitRange of the namespace: per-container defaults and maximums.
   *
   * @default - the defaults of each ContainerLimits field
   */
  readonly containerLimits?: ContainerLimits;
}

/** Names of the objects a context renders; microservices may not take them. */
const RESERVED_NAMES = ['default-deny', 'allow-dns', 'deployer'];

/**
 * A team's grant in a bounded context.
 */
export interface TeamGrant {
  /** Who is granted. */
  readonly subject: Subject;
  /** The role. */
  readonly role: TeamRole;
  /** Whether a developer may exec into pods. */
  readonly allowExec: boolean;
  /** The Role and RoleBinding name. */
  readonly roleName: string;
}

/**
 * The CI/CD identity of a bounded context.
 */
export interface Deployer {
  /** The ServiceAccount's name. */
  readonly serviceAccountName: string;
  /** The ServiceAccount as a subject (`system:serviceaccount:<ns>:<name>`). */
  readonly subject: Subject;
}

/**
 * A bounded context: one namespace owned by one team, rendered as one chart.
 *
 * It renders the Namespace (Pod Security `restricted` enforced, audited and warned),
 * a ResourceQuota and a LimitRange, a default-deny NetworkPolicy for ingress and
 * egress, and a policy that lets every pod resolve names through the cluster DNS.
 * Nothing else talks until a microservice declares it.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export class BoundedContext extends _Chart implements IPlatformMember {
  /**
   * Whether `x` is a BoundedContext. (`x instanceof BoundedContext` is true for every
   * cdk8s Chart: Chart defines Symbol.hasInstance.)
   */
  public static isBoundedContext(x: unknown): x is BoundedContext {
    return _isBranded(x, 'BoundedContext');
  }

  /** The bounded contexts of `platform`, in the order they were created. */
  public static all(platform: Platform): BoundedContext[] {
    return platform._members.filter(BoundedContext.isBoundedContext);
  }

  /** The platform the context belongs to. */
  public readonly platform: Platform;
  /** The namespace, the context's name. */
  public readonly namespaceName: string;
  /** The owning team. */
  public readonly team: string;
  /** Per-container defaults and maximums, resolved (millicores and bytes). @internal */
  public readonly _defaults: _Resources;
  /** @internal */
  public readonly _max: { cpu: number; memory: number; ephemeralStorage: number };
  private readonly _quota: _ResolvedQuota;
  private readonly _serviceMembers: IContextMember[] = [];
  private readonly _workloads: IContextMember[] = [];
  private readonly _teamGrants: TeamGrant[] = [];
  private readonly _grantNames = new Set<string>();
  private _deployer?: Deployer;

  constructor(scope: Construct, id: string, props: BoundedContextProps) {
    _checkPlatformChart('BoundedContext', scope, id, props, 'new BoundedContext(app, \'catalog\', { platform, team: \'catalog-team\' })');
    const namespace = props.namespace ?? id;
    super(scope, id, {
      labels: {
        [LABEL.PART_OF]: props.platform.platformName,
        [LABEL.MANAGED_BY]: MANAGED_BY,
        [LABEL.CONTEXT]: namespace,
      },
    });
    _brand(this, 'BoundedContext');
    _assertDns1123Label(this, props.namespace !== undefined ? 'namespace' : 'id', namespace);
    _assertLabelValue(this, 'team', _requireProp(this, 'team', props.team, 'name the team that owns the context, for example team: \'catalog-team\''));
    if (['default', 'kube-system', 'kube-public', 'kube-node-lease'].includes(namespace)) {
      throw _invalid(this, 'namespace', namespace, 'must not be a namespace Kubernetes reserves or creates itself',
        'name the namespace after the bounded context, for example \'catalog\'', ErrorCode.RESERVED_NAME);
    }
    this.platform = props.platform;
    this.namespaceName = namespace;
    this.team = props.team;
    this.addDependency(props.platform);
    props.platform._registerContext(this);
    _addValidation(this, () => this.platform._plaintextSecrets(this));

    const l = props.containerLimits ?? {};
    this._defaults = {
      cpuRequest: _cpuMillis(l.defaultCpuRequest ?? Cpu.millis(100), this, 'containerLimits.defaultCpuRequest'),
      cpuLimit: _cpuMillis(l.defaultCpuLimit ?? Cpu.millis(500), this, 'containerLimits.defaultCpuLimit'),
      memoryRequest: _size(this, 'containerLimits.defaultMemoryRequest', l.defaultMemoryRequest ?? Size.mebibytes(256)),
      memoryLimit: _size(this, 'containerLimits.defaultMemoryLimit', l.defaultMemoryLimit ?? Size.mebibytes(256)),
      ephemeralStorageRequest: _size(this, 'containerLimits.defaultEphemeralStorageRequest', l.defaultEphemeralStorageRequest ?? Size.mebibytes(128)),
      ephemeralStorageLimit: _size(this, 'containerLimits.defaultEphemeralStorageLimit', l.defaultEphemeralStorageLimit ?? Size.mebibytes(512)),
    };
    this._max = {
      cpu: _cpuMillis(l.maxCpu ?? Cpu.units(2), this, 'containerLimits.maxCpu'),
      memory: _size(this, 'containerLimits.maxMemory', l.maxMemory ?? Size.gibibytes(4)),
      ephemeralStorage: _size(this, 'containerLimits.maxEphemeralStorage', l.maxEphemeralStorage ?? Size.gibibytes(2)),
    };
    this.checkLimits();

    const q = props.platform.environment?._quotaOf(namespace, props.quota) ?? props.quota ?? {};
    this._quota = {
      cpuRequests: _cpuMillis(q.cpuRequests ?? Cpu.units(8), this, 'quota.cpuRequests'),
      cpuLimits: _cpuMillis(q.cpuLimits ?? Cpu.units(16), this, 'quota.cpuLimits'),
      memoryRequests: _size(this, 'quota.memoryRequests', q.memoryRequests ?? Size.gibibytes(16)),
      memoryLimits: _size(this, 'quota.memoryLimits', q.memoryLimits ?? Size.gibibytes(32)),
      ephemeralStorageRequests: _size(this, 'quota.ephemeralStorageRequests', q.ephemeralStorageRequests ?? Size.gibibytes(16)),
      ephemeralStorageLimits: _size(this, 'quota.ephemeralStorageLimits', q.ephemeralStorageLimits ?? Size.gibibytes(32)),
      pods: q.pods ?? 50,
      services: q.services ?? 20,
      persistentVolumeClaims: q.persistentVolumeClaims ?? 10,
      storage: _size(this, 'quota.storage', q.storage ?? Size.gibibytes(100)),
      configMaps: q.configMaps ?? 50,
      secrets: q.secrets ?? 50,
    };
    for (const key of ['pods', 'services', 'persistentVolumeClaims', 'configMaps', 'secrets'] as const) {
      _assertInteger(this, `quota.${key}`, this._quota[key], 0, Number.MAX_SAFE_INTEGER, `set quota.${key} to 0 or more`);
    }

    this.renderNamespace();
    this.renderQuota();
    this.renderLimitRange();
    this.renderNetworkBaseline();
    this.platform.mesh?._renderContext(this);
    _addValidation(this, () => this.validateQuota());
  }

  /**
   * The microservices of the context, in the order they were created (a copy).
   *
   * @deprecated use `Microservice.all(context)`, which returns them typed
   */
  public get services(): IContextMember[] {
    return this._services;
  }

  /**
   * The workloads of every kind in the context, in the order they were created (a copy).
   *
   * @deprecated use `Workload.all(context)`, which returns them typed
   */
  public get workloads(): IContextMember[] {
    return this._members;
  }

  /**
   * The microservices of the context, in the order they were created (a copy).
   * @internal
   */
  public get _services(): IContextMember[] {
    return [...this._serviceMembers];
  }

  /**
   * The workloads of every kind in the context, in the order they were created (a copy).
   * @internal
   */
  public get _members(): IContextMember[] {
    return [...this._workloads];
  }

  /**
   * The resolved quota, as Kubernetes quantities (a copy).
   */
  public get quota(): { [resource: string]: string } {
    return this.quotaHard();
  }

  /** The team grants (a copy). */
  public get teamGrants(): TeamGrant[] {
    return [...this._teamGrants];
  }

  /** The deployer identity, if one was added. */
  public get deployer(): Deployer | undefined {
    return this._deployer;
  }

  /**
   * Grants a team (a group or user of the identity provider) one of the team roles
   * in this context's namespace. Subjects of one role share one Role and RoleBinding.
   */
  public grantTeam(subject: Subject, role: TeamRole, options: TeamGrantOptions = {}): TeamGrant {
    _oneOf(this, 'grantTeam(role)', role, TeamRole);
    _instanceOf(this, `grantTeam(${role.name}).subject`, subject, Subject, 'use Subject.group(name) or Subject.user(name)');
    subject._check(this, `grantTeam(${role.name}).subject`);
    const allowExec = options.allowExec ?? false;
    if (allowExec && role !== TeamRole.DEVELOPER) {
      throw _invalid(this, `grantTeam(${role.name}).allowExec`, true, 'only applies to TeamRole.DEVELOPER (operators may exec, viewers may not)',
        'remove allowExec, or grant TeamRole.DEVELOPER', ErrorCode.CONFLICT);
    }
    const roleName = `team-${role.name}${allowExec ? '-exec' : ''}`;
    if (this._teamGrants.some(g => g.roleName === roleName && g.subject.kind === subject.kind && g.subject.name === subject.name)) {
      throw _invalid(this, `grantTeam(${role.name}).subject`, subject.name, 'must be granted a role once', 'remove the repeated grant', ErrorCode.DUPLICATE);
    }
    if (!this._teamGrants.some(g => g.roleName === roleName)) {
      this.claimGrantName(`grantTeam(${role.name})`, roleName);
      const rules = allowExec ? [...role.rules, _EXEC_RULE] : role.rules;
      const rendered = this.renderRoleAndBinding(`Team-${roleName}`, roleName, rules, () => this._teamGrants.filter(g => g.roleName === roleName).map(g => g.subject),
        { 'cdk8s-microservices.io/team-role': role.name });
      // the reviewed reasons of what the role grants beyond reading (the policy pack's CMS-013 reads them)
      const escalations = [role.escalation?.reason, allowExec ? _EXEC_ESCALATION : undefined].filter((r): r is string => r !== undefined);
      if (escalations.length > 0) {
        rendered.role.metadata.addAnnotation(ESCALATION_ANNOTATION, escalations.join('; '));
      }
      if (role.operator) {
        _suppress(rendered.binding, 'kube-linter', 'access-to-create-pods',
          'operators manage the context\'s workloads by design (the operator role); the pods they start are held to Pod Security restricted and the namespace quota');
      }
      if (role.operator || allowExec) {
        const why = role.operator
          ? 'exec into the context\'s own pods is what the operator role is for (issue 5), confined to this namespace'
          : 'this developer role was granted exec explicitly (allowExec), confined to this namespace';
        _suppress(rendered.role, 'polaris', 'rolePodExecAttach', why);
        _suppress(rendered.binding, 'polaris', 'rolebindingRolePodExecAttach', why);
      }
    }
    const grant: TeamGrant = { subject, role, allowExec, roleName };
    this._teamGrants.push(grant);
    return grant;
  }

  /**
   * Grants custom rules, or an existing ClusterRole, in this context's namespace.
   * Wildcards, `escalate`, `bind`, `impersonate`, shells in pods and
   * `cluster-admin` are refused; so are rules that create pods or change a pod
   * template (a pod may run as any ServiceAccount of the namespace and mount any of
   * its Secrets) and external-secrets writes (a ClusterSecretStore reaches other
   * teams' secrets), unless `escalation` acknowledges them with a reason.
   */
  public grant(subject: Subject, options: GrantOptions): void {
    _assertDns1123Label(this, 'grant(name)', options.name);
    const prop = `grant(${options.name})`;
    subject._check(this, `${prop}.subject`);
    if (options.namespace !== undefined && options.namespace !== this.namespaceName) {
      throw _invalid(this, `${prop}.namespace`, options.namespace, `must be the context's own namespace ('${this.namespaceName}'); a context grants nothing outside it`,
        `grant it in the context that owns '${options.namespace}', or use ClusterAccess with a reason for a platform-wide need`, ErrorCode.WRONG_SCOPE);
    }
    if ((options.rules === undefined) === (options.clusterRole === undefined)) {
      throw _invalid(this, prop, Object.keys(options).join(', '), 'must give exactly one of rules and clusterRole', "pass rules: [AccessRule...] or clusterRole: 'view'", ErrorCode.CONFLICT);
    }
    if (options.clusterRole !== undefined) {
      this.checkClusterRole(prop, options.clusterRole, options.clusterRoleRules);
    } else if (options.clusterRoleRules !== undefined) {
      throw _invalid(this, `${prop}.clusterRoleRules`, options.clusterRoleRules.length, 'must come with clusterRole', 'name the ClusterRole, or pass the rules as rules', ErrorCode.CONFLICT);
    }
    (options.rules ?? []).forEach((rule, i) => rule._check(this, `${prop}.rules[${i}]`, false));
    if (options.rules !== undefined && options.rules.length === 0) {
      throw _invalid(this, `${prop}.rules`, [], 'must hold at least one rule', 'list the rules to grant', ErrorCode.MISSING_REQUIRED);
    }
    const escalation = options.rules !== undefined
      ? _checkEscalation(this, i => `${prop}.rules[${i}]`, options.rules, options.escalation, `${prop}.escalation`)
      : _checkEscalation(this, i => `${prop}.clusterRoleRules[${i}]`, options.clusterRoleRules ?? [], options.escalation, `${prop}.escalation`);
    this.claimGrantName(prop, options.name);
    // the acknowledgement goes on the Role; for a bound ClusterRole, which is not rendered, on the RoleBinding
    if (options.clusterRole !== undefined) {
      const binding = new k8s.KubeRoleBinding(this, `Grant-${options.name}`, {
        metadata: this.meta(options.name),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: options.clusterRole },
        subjects: [subject._render()],
      });
      if (escalation !== undefined) binding.metadata.addAnnotation(ESCALATION_ANNOTATION, escalation.reason);
    } else {
      const { role } = this.renderRoleAndBinding(`Grant-${options.name}`, options.name, options.rules!, () => [subject]);
      if (escalation !== undefined) role.metadata.addAnnotation(ESCALATION_ANNOTATION, escalation.reason);
    }
  }

  /** Judges a ClusterRole by what it grants, not by its name. */
  private checkClusterRole(prop: string, name: string, rules: AccessRule[] | undefined): void {
    if (name.trim().length === 0 || /\s/.test(name)) {
      throw _invalid(this, `${prop}.clusterRole`, name, 'must name a ClusterRole', 'use the name `kubectl get clusterroles` shows, for example \'view\'', ErrorCode.UNKNOWN_REFERENCE);
    }
    const known = _KNOWN_CLUSTER_ROLES[name];
    if (known) {
      if (!known.bindable) {
        throw _invalid(this, `${prop}.clusterRole`, name, `must not be bound: it grants ${known.grants}`,
          'grant a TeamRole, or list the exact rules needed', ErrorCode.UNSAFE);
      }
      if (rules !== undefined) {
        throw _invalid(this, `${prop}.clusterRoleRules`, rules.length, `must not be given for the built-in ClusterRole '${name}', whose rules are known`,
          'remove clusterRoleRules', ErrorCode.CONFLICT);
      }
      return;
    }
    if (name.startsWith('system:')) {
      throw _invalid(this, `${prop}.clusterRole`, name, 'must not be a Kubernetes system ClusterRole: they serve the control plane, and what they grant changes with the cluster',
        'grant a TeamRole, or list the exact rules needed', ErrorCode.UNSAFE);
    }
    if (rules === undefined || rules.length === 0) {
      throw _invalid(this, `${prop}.clusterRole`, name, 'is not a built-in ClusterRole, so what it grants cannot be judged from its name',
        `declare its rules as clusterRoleRules (kubectl get clusterrole ${name} -o yaml), or grant the rules themselves with rules`, ErrorCode.UNKNOWN_REFERENCE);
    }
    rules.forEach((rule, i) => rule._check(this, `${prop}.clusterRoleRules[${i}]`, false));
  }

  /**
   * Adds the CI/CD identity of this context: a ServiceAccount `deployer` that may
   * apply the context's workloads and their configuration in its namespace, and
   * nothing else: no RBAC, no Namespace, quota or limit range, no NetworkPolicy or
   * Ingress (it may read them), no other namespace, no cluster-scoped object. Those
   * stay with the platform pipeline.
   *
   * It creates pods (through the workloads it applies), so it can run one as any
   * ServiceAccount of its namespace and mount any Secret of it: its Role carries that
   * acknowledgement (`cdk8s-microservices.io/escalation`). It reads but does not write
   * ExternalSecrets: one can name any key of a shared ClusterSecretStore, another
   * team's included, and RBAC cannot restrict the key, so the platform pipeline
   * applies the context's ExternalSecrets (the objects of kind ExternalSecret in its
   * file in dist/), as it applies NetworkPolicies and routes.
   */
  public addDeployer(): Deployer {
    if (this._deployer) {
      throw _invalid(this, 'addDeployer()', 'deployer', 'must be called once per context', 'use context.deployer', ErrorCode.DUPLICATE);
    }
    const name = 'deployer';
    this.claimGrantName('addDeployer()', name);
    new k8s.KubeServiceAccount(this, 'Deployer', { metadata: this.meta(name), automountServiceAccountToken: false });
    const subject = Subject.serviceAccount(this.namespaceName, name);
    const { role, binding } = this.renderRoleAndBinding('DeployerAccess', name, _DEPLOYER_RULES, () => [subject]);
    role.metadata.addAnnotation(ESCALATION_ANNOTATION, _DEPLOYER_ESCALATION.reason);
    _suppress(binding, 'kube-linter', 'access-to-create-pods',
      'the CI/CD deployer applies the context\'s own workloads (Deployments, StatefulSets, Jobs, CronJobs), confined to its namespace; their pods are held to Pod Security restricted and the namespace quota');
    this._deployer = { serviceAccountName: name, subject };
    return this._deployer;
  }

  /** The storage quota in bytes, which no single volume claim may exceed. @internal */
  public get _storageQuota(): number {
    return this._quota.storage;
  }

  /** @internal */
  public _claimGrantName(prop: string, name: string): void {
    this.claimGrantName(prop, name);
  }

  private claimGrantName(prop: string, name: string): void {
    if (this._grantNames.has(name)) {
      throw _invalid(this, prop, name, 'must be a Role name not used in the context yet', 'pick another name', ErrorCode.DUPLICATE);
    }
    this._grantNames.add(name);
  }

  private renderRoleAndBinding(id: string, name: string, rules: AccessRule[], subjects: () => Subject[], labels: { [key: string]: string } = {}):
  { role: k8s.KubeRole; binding: k8s.KubeRoleBinding } {
    const role = new k8s.KubeRole(this, id, { metadata: this.meta(name, labels), rules: rules.map(r => r._render()) });
    const binding = new k8s.KubeRoleBinding(this, `${id}Binding`, {
      metadata: this.meta(name, labels),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: Lazy.any({ produce: () => subjects().map(s => s._render()) }),
    });
    return { role, binding };
  }

  /** @internal */
  public _registerWorkload(workload: IContextMember, title: string): void {
    if (RESERVED_NAMES.includes(workload.name)) {
      throw _invalid(workload, 'id', workload.name, `must not be one of the names the context uses itself (${RESERVED_NAMES.join(', ')})`,
        `rename the ${title}`, ErrorCode.RESERVED_NAME);
    }
    this._workloads.push(workload);
  }

  /** @internal */
  public _registerService(service: IContextMember): void {
    this._serviceMembers.push(service);
  }

  private checkLimits(): void {
    const d = this._defaults;
    const m = this._max;
    const pairs: Array<[string, number, string, number, (n: number) => string]> = [
      ['defaultCpuRequest', d.cpuRequest, 'defaultCpuLimit', d.cpuLimit, _formatMillis],
      ['defaultMemoryRequest', d.memoryRequest, 'defaultMemoryLimit', d.memoryLimit, _formatBytes],
      ['defaultEphemeralStorageRequest', d.ephemeralStorageRequest, 'defaultEphemeralStorageLimit', d.ephemeralStorageLimit, _formatBytes],
      ['defaultCpuLimit', d.cpuLimit, 'maxCpu', m.cpu, _formatMillis],
      ['defaultMemoryLimit', d.memoryLimit, 'maxMemory', m.memory, _formatBytes],
      ['defaultEphemeralStorageLimit', d.ephemeralStorageLimit, 'maxEphemeralStorage', m.ephemeralStorage, _formatBytes],
    ];
    for (const [lowName, low, highName, high, fmt] of pairs) {
      if (low > high) {
        throw _invalid(this, `containerLimits.${lowName}`, fmt(low), `must not exceed containerLimits.${highName} (${fmt(high)})`,
          `lower ${lowName} or raise ${highName}`, ErrorCode.CONFLICT);
      }
    }
  }

  private quotaHard(): { [resource: string]: string } {
    const q = this._quota;
    return {
      'requests.cpu': _formatMillis(q.cpuRequests),
      'limits.cpu': _formatMillis(q.cpuLimits),
      'requests.memory': _formatBytes(q.memoryRequests),
      'limits.memory': _formatBytes(q.memoryLimits),
      'requests.ephemeral-storage': _formatBytes(q.ephemeralStorageRequests),
      'limits.ephemeral-storage': _formatBytes(q.ephemeralStorageLimits),
      'pods': `${q.pods}`,
      'services': `${q.services}`,
      'services.loadbalancers': '0',
      'services.nodeports': '0',
      'persistentvolumeclaims': `${q.persistentVolumeClaims}`,
      'requests.storage': _formatBytes(q.storage),
      'configmaps': `${q.configMaps}`,
      'secrets': `${q.secrets}`,
    };
  }

  private meta(name: string, labels: { [key: string]: string } = {}): k8s.ObjectMeta {
    return { name, namespace: this.namespaceName, labels };
  }

  private renderNamespace(): void {
    new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: this.namespaceName,
        labels: {
          [LABEL.NAME]: this.namespaceName,
          [LABEL.TEAM]: this.team,
          ..._podSecurityLabels(),
          ...this.platform.mesh?._namespaceLabels(),
        },
      },
    });
  }

  private renderQuota(): void {
    new k8s.KubeResourceQuota(this, 'Quota', {
      metadata: this.meta('context-quota'),
      spec: { hard: Object.fromEntries(Object.entries(this.quotaHard()).map(([k, v]) => [k, k8s.Quantity.fromString(v)])) },
    });
  }

  private renderLimitRange(): void {
    const d = this._defaults;
    const m = this._max;
    const q = (s: string) => k8s.Quantity.fromString(s);
    new k8s.KubeLimitRange(this, 'Limits', {
      metadata: this.meta('container-limits'),
      spec: {
        limits: [{
          type: 'Container',
          default: { 'cpu': q(_formatMillis(d.cpuLimit)), 'memory': q(_formatBytes(d.memoryLimit)), 'ephemeral-storage': q(_formatBytes(d.ephemeralStorageLimit)) },
          defaultRequest: { 'cpu': q(_formatMillis(d.cpuRequest)), 'memory': q(_formatBytes(d.memoryRequest)), 'ephemeral-storage': q(_formatBytes(d.ephemeralStorageRequest)) },
          max: { 'cpu': q(_formatMillis(m.cpu)), 'memory': q(_formatBytes(m.memory)), 'ephemeral-storage': q(_formatBytes(m.ephemeralStorage)) },
        }],
      },
    });
  }

  private renderNetworkBaseline(): void {
    new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: this.meta('default-deny'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    const dns = this.platform;
    const port = (protocol: string) => ({ protocol, port: k8s.IntOrString.fromNumber(53) });
    new k8s.KubeNetworkPolicy(this, 'AllowDns', {
      metadata: this.meta('allow-dns'),
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{
          to: [{
            namespaceSelector: { matchLabels: { [LABEL.NAMESPACE_NAME]: dns.dnsNamespace } },
            podSelector: { matchLabels: dns.dnsPodLabels },
          }],
          ports: [port('UDP'), port('TCP')],
        }],
      },
    });
  }

  private validateQuota(): ConfigurationError[] {
    const errors: ConfigurationError[] = [];
    const footprints = this._workloads.map(s => ({ name: s.name, ...s._footprint() }));
    const check = (prop: keyof _ResolvedQuota, resource: string, perPod: (r: _Resources) => number, fmt: (n: number) => string) => {
      const need = footprints.reduce((sum, f) => sum + f.peakPods * perPod(f.perPod), 0);
      const have = this._quota[prop];
      if (need > have) {
        const largest = [...footprints].sort((a, b) => b.peakPods * perPod(b.perPod) - a.peakPods * perPod(a.perPod));
        const shown = largest.slice(0, 5).map(f => `${f.name} ${f.peakPods} pods x ${fmt(perPod(f.perPod))}`);
        const parts = shown.join(' + ') + (largest.length > shown.length ? ` + ${largest.length - shown.length} more services` : '');
        errors.push(_invalid(this, `quota.${prop}`, fmt(have),
          `is below the ${resource} the context's services need at maximum scale during a rolling update (${parts} = ${fmt(need)})`,
          `raise quota.${prop} to at least ${fmt(need)}, or lower maxReplicas, maxSurge or the services' ${resource}`, ErrorCode.QUOTA_EXCEEDED));
      }
    };
    check('cpuRequests', 'CPU requests', r => r.cpuRequest, _formatMillis);
    check('cpuLimits', 'CPU limits', r => r.cpuLimit, _formatMillis);
    check('memoryRequests', 'memory requests', r => r.memoryRequest, _formatBytes);
    check('memoryLimits', 'memory limits', r => r.memoryLimit, _formatBytes);
    check('ephemeralStorageRequests', 'ephemeral storage requests', r => r.ephemeralStorageRequest, _formatBytes);
    check('ephemeralStorageLimits', 'ephemeral storage limits', r => r.ephemeralStorageLimit, _formatBytes);
    check('pods', 'pods', () => 1, n => `${n}`);
    const services = footprints.reduce((n, f) => n + f.services, 0);
    if (services > this._quota.services) {
      errors.push(_invalid(this, 'quota.services', this._quota.services,
        `is below the number of Services the context renders (${services})`, `raise quota.services to at least ${services}`, ErrorCode.QUOTA_EXCEEDED));
    }
    const claims = footprints.reduce((n, f) => n + f.claims, 0);
    if (claims > this._quota.persistentVolumeClaims) {
      errors.push(_invalid(this, 'quota.persistentVolumeClaims', this._quota.persistentVolumeClaims,
        `is below the number of PersistentVolumeClaims the context's workloads create (${claims}: one per store claim and replica, and per ephemeral volume and pod at the peak)`,
        `raise quota.persistentVolumeClaims to at least ${claims}, or lower the replicas, claims or ephemeral volumes`, ErrorCode.QUOTA_EXCEEDED));
    }
    const storage = footprints.reduce((n, f) => n + f.storage, 0);
    if (storage > this._quota.storage) {
      errors.push(_invalid(this, 'quota.storage', _formatBytes(this._quota.storage),
        `is below the storage the context's workloads claim (${_formatBytes(storage)}: every claim of every replica and pod at the peak)`,
        `raise quota.storage to at least ${_formatBytes(storage)}, or shrink the claims`, ErrorCode.QUOTA_EXCEEDED));
    }
    const count = (prop: 'secrets' | 'configMaps', what: string, n: number, fix: string) => {
      if (n > this._quota[prop]) {
        errors.push(_invalid(this, `quota.${prop}`, this._quota[prop], `is below the number of ${what} (${n})`, `raise quota.${prop} to at least ${n}${fix}`, ErrorCode.QUOTA_EXCEEDED));
      }
    };
    // image pull secrets are shared by the workloads that name them: each counts once
    const pullSecrets = new Set(footprints.flatMap(f => f.pullSecrets)).size;
    count('secrets', 'Secrets the context\'s services use', footprints.reduce((n, f) => n + f.secrets, 0) + pullSecrets, '');
    // + 1: Kubernetes puts kube-root-ca.crt in every namespace
    count('configMaps', 'ConfigMaps the context\'s services render (a configured workload\'s current one and the earlier revisions kept for a rollback), plus kube-root-ca.crt',
      footprints.reduce((n, f) => n + f.configMaps, 0) + 1, '');
    return errors;
  }
}

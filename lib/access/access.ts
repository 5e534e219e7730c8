import { IConstruct } from 'constructs';
import { _invalid } from '../internal/errors';
import { _builtInGroupsOf, _closestResource, _isBuiltInGroup } from '../internal/rbac';
import { ErrorCode } from '../internal/configuration-error';

/**
 * Who is granted access: a group or user as the cluster's identity provider names
 * them (an OIDC or AD group, an e-mail), or a ServiceAccount.
 *
 * @see https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects
 */
export class Subject {
  /** A group, for example `oidc:catalog-developers`. Prefer groups to users. */
  public static group(name: string): Subject {
    return new Subject('Group', name);
  }

  /** A single user, for example `jane@example.com`. */
  public static user(name: string): Subject {
    return new Subject('User', name);
  }

  /** A ServiceAccount in a namespace. */
  public static serviceAccount(namespace: string, name: string): Subject {
    return new Subject('ServiceAccount', name, namespace);
  }

  private constructor(
    /** `Group`, `User` or `ServiceAccount`. */
    public readonly kind: string,
    /** The name the identity provider (or Kubernetes) gives it. */
    public readonly name: string,
    /** The namespace of a ServiceAccount. */
    public readonly namespace?: string,
  ) {}

  /** How Kubernetes and `kubectl auth can-i --as` name the subject. */
  public get username(): string {
    return this.kind === 'ServiceAccount' ? `system:serviceaccount:${this.namespace}:${this.name}` : this.name;
  }

  /** @internal */
  public _check(scope: IConstruct, prop: string): void {
    if (this.name.trim().length === 0 || this.name !== this.name.trim()) {
      throw _invalid(scope, prop, this.name, `must name a ${this.kind.toLowerCase()} (empty or padded names match nobody)`,
        'use the name your identity provider gives it, for example Subject.group(\'oidc:catalog-developers\')', ErrorCode.INVALID_NAME);
    }
    if (this.kind !== 'ServiceAccount' && this.name.startsWith('system:')) {
      throw _invalid(scope, prop, this.name, 'must not be a Kubernetes system identity', 'grant a group or user of your identity provider', ErrorCode.UNSAFE);
    }
  }

  /** @internal */
  public _render(): { kind: string; name: string; apiGroup?: string; namespace?: string } {
    return this.kind === 'ServiceAccount'
      ? { kind: 'ServiceAccount', name: this.name, namespace: this.namespace }
      : { kind: this.kind, name: this.name, apiGroup: 'rbac.authorization.k8s.io' };
  }
}

/**
 * One RBAC rule: verbs on resources of API groups, optionally on named objects.
 * Wildcards are refused; so are `escalate`, `bind` and `impersonate`.
 */
export class AccessRule {
  /**
   * Verbs on resources in one API group (`''` is the core group).
   *
   * @param apiGroup the API group, for example `'apps'`, or `''` for the core group
   * @param resources resources, with subresources as `pods/log`
   * @param verbs `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, ...
   * @param resourceNames the exact objects, where Kubernetes can restrict by name
   */
  public static of(apiGroup: string, resources: string[], verbs: string[], resourceNames?: string[]): AccessRule {
    return new AccessRule(apiGroup, [...resources], [...verbs], resourceNames ? [...resourceNames] : undefined);
  }

  /** Read-only access (get, list, watch). */
  public static read(apiGroup: string, resources: string[]): AccessRule {
    return AccessRule.of(apiGroup, resources, ['get', 'list', 'watch']);
  }

  private constructor(
    /** The API group. */
    public readonly apiGroup: string,
    /** The resources. */
    public readonly resources: string[],
    /** The verbs. */
    public readonly verbs: string[],
    /** The exact object names, if restricted. */
    public readonly resourceNames?: string[],
  ) {}

  /**
   * Checks the rule; `operator` is true on the explicit operator path, where
   * `pods/exec` and `pods/attach` are allowed.
   * @internal
   */
  public _check(scope: IConstruct, prop: string, operator: boolean): void {
    const all = [this.apiGroup, ...this.resources, ...this.verbs, ...(this.resourceNames ?? [])];
    // resourceNames may hold a lazy (synth-time) name, which is never a wildcard
    const wildcard = all.find(v => typeof v === 'string' && v.includes('*'));
    if (wildcard !== undefined) {
      throw _invalid(scope, prop, wildcard, 'must not be a wildcard: a wildcard grants whatever exists now and whatever is added later',
        'list the exact API groups, resources and verbs', ErrorCode.UNSAFE);
    }
    if (this.resources.length === 0 || this.verbs.length === 0) {
      throw _invalid(scope, prop, { resources: this.resources, verbs: this.verbs }, 'must list at least one resource and one verb', 'complete the rule', ErrorCode.MISSING_REQUIRED);
    }
    const dangerous = this.verbs.find(v => ['escalate', 'bind', 'impersonate'].includes(v));
    if (dangerous !== undefined) {
      throw _invalid(scope, prop, dangerous, 'must not be granted: it lets the holder gain permissions it was not given',
        'grant the permissions themselves, or use ClusterAccess with a written reason for a platform-wide need', ErrorCode.UNSAFE);
    }
    const shell = this.resources.find(r => ['pods/exec', 'pods/attach', 'pods/ephemeralcontainers'].includes(r));
    if (shell !== undefined && !operator) {
      throw _invalid(scope, prop, shell, 'must not be granted by a custom rule: a shell in a pod reaches its secrets and network',
        'grant TeamRole.OPERATOR, or TeamRole.DEVELOPER with { allowExec: true }', ErrorCode.UNSAFE);
    }
    if (this.resources.includes('serviceaccounts/token') && this.verbs.includes('create')) {
      throw _invalid(scope, prop, 'serviceaccounts/token', 'must not be granted: minting a ServiceAccount\'s token acts with all of its permissions',
        'grant the permissions themselves to the subject', ErrorCode.UNSAFE);
    }
    if (this.resources.some(r => r === 'secrets') && this.verbs.some(v => ['get', 'list', 'watch'].includes(v)) && !operator && this.resourceNames === undefined) {
      throw _invalid(scope, prop, 'secrets', 'must not be readable by every name: that reads every credential of the namespace',
        'name the exact Secrets (resourceNames), or grant TeamRole.OPERATOR', ErrorCode.UNSAFE);
    }
    this.checkGroups(scope, prop);
  }

  /** A built-in resource in the wrong group, or one its group does not have, grants nothing: refuse it. */
  private checkGroups(scope: IConstruct, prop: string): void {
    if (!_isBuiltInGroup(this.apiGroup)) {
      return; // a custom resource's group: its resources are not known here
    }
    const group = (g: string) => (g === '' ? 'the core group \'\'' : `'${g}'`);
    for (const resource of this.resources) {
      const groups = _builtInGroupsOf(resource);
      if (groups.includes(this.apiGroup)) {
        continue;
      }
      if (groups.length > 0) {
        throw _invalid(scope, `${prop}.resources`, resource,
          `must be a resource of API group ${group(this.apiGroup)}, but '${resource}' is in ${groups.map(group).join(' and ')}: the rule would grant nothing`,
          `use AccessRule.of('${groups[0]}', ['${resource}'], ...)`, ErrorCode.UNKNOWN_REFERENCE);
      }
      const closest = _closestResource(this.apiGroup, resource);
      throw _invalid(scope, `${prop}.resources`, resource, `must be a resource of API group ${group(this.apiGroup)}, which has no '${resource}': the rule would grant nothing`,
        closest !== undefined ? `did you mean '${closest}'?` : `list the group's resources with kubectl api-resources --api-group=${this.apiGroup === '' ? "''" : this.apiGroup}`, ErrorCode.UNKNOWN_REFERENCE);
    }
  }

  /** @internal */
  public _render(): { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] } {
    return {
      apiGroups: [this.apiGroup],
      resources: [...this.resources],
      verbs: [...this.verbs],
      ...(this.resourceNames ? { resourceNames: [...this.resourceNames] } : {}),
    };
  }
}

const READ = ['get', 'list', 'watch'];

const VIEWER_RULES: AccessRule[] = [
  AccessRule.of('', ['pods', 'pods/log', 'services', 'endpoints', 'configmaps', 'events', 'serviceaccounts',
    'persistentvolumeclaims', 'resourcequotas', 'limitranges'], READ),
  AccessRule.of('apps', ['deployments', 'replicasets', 'statefulsets', 'daemonsets'], READ),
  AccessRule.of('autoscaling', ['horizontalpodautoscalers'], READ),
  AccessRule.of('policy', ['poddisruptionbudgets'], READ),
  AccessRule.of('networking.k8s.io', ['networkpolicies', 'ingresses'], READ),
  AccessRule.of('gateway.networking.k8s.io', ['httproutes', 'grpcroutes', 'tlsroutes', 'tcproutes'], READ),
  AccessRule.of('batch', ['jobs', 'cronjobs'], READ),
  AccessRule.of('discovery.k8s.io', ['endpointslices'], READ),
  AccessRule.of('events.k8s.io', ['events'], READ),
  AccessRule.of('external-secrets.io', ['externalsecrets'], READ),
  AccessRule.of('bitnami.com', ['sealedsecrets'], READ),
];

const DEVELOPER_EXTRA: AccessRule[] = [
  AccessRule.of('apps', ['deployments', 'statefulsets'], ['patch']),
  AccessRule.of('apps', ['deployments/scale', 'statefulsets/scale'], ['get', 'update', 'patch']),
  AccessRule.of('', ['pods'], ['delete']),
  AccessRule.of('', ['pods/portforward'], ['get', 'create']),
];

const WRITE = ['create', 'update', 'patch', 'delete'];

const OPERATOR_EXTRA: AccessRule[] = [
  AccessRule.of('apps', ['deployments', 'statefulsets', 'replicasets'], WRITE),
  AccessRule.of('', ['services', 'configmaps', 'persistentvolumeclaims'], WRITE),
  AccessRule.of('autoscaling', ['horizontalpodautoscalers'], WRITE),
  AccessRule.of('policy', ['poddisruptionbudgets'], WRITE),
  AccessRule.of('batch', ['jobs', 'cronjobs'], WRITE),
  AccessRule.of('external-secrets.io', ['externalsecrets'], WRITE),
  AccessRule.of('bitnami.com', ['sealedsecrets'], WRITE),
  AccessRule.of('', ['pods/exec', 'pods/attach'], ['get', 'create']),
  AccessRule.of('', ['secrets'], READ),
];

/** The exec grant a developer gets with `allowExec`. @internal */
export const _EXEC_RULE = AccessRule.of('', ['pods/exec'], ['get', 'create']);

/**
 * A well-defined role a team is granted in its bounded context. Each is a Role in
 * the context's namespace; none touches RBAC or anything outside the namespace.
 *
 * | role | may |
 * | --- | --- |
 * | viewer | read workloads, services, config, events and pod logs; never Secrets |
 * | developer | viewer, plus restart (patch) and scale workloads, delete pods, port-forward; exec only with `allowExec` |
 * | operator | developer, plus manage workloads and config, exec into pods, read Secrets |
 */
export class TeamRole {
  /** Read-only, no Secrets. */
  public static readonly VIEWER = new TeamRole('viewer', VIEWER_RULES, false);
  /** Viewer plus restart, scale, port-forward; no Secrets, no exec unless allowed. */
  public static readonly DEVELOPER = new TeamRole('developer', [...VIEWER_RULES, ...DEVELOPER_EXTRA], false);
  /** Developer plus managing workloads and config, exec, reading Secrets; no RBAC. */
  public static readonly OPERATOR = new TeamRole('operator', [...VIEWER_RULES, ...DEVELOPER_EXTRA, ...OPERATOR_EXTRA], true);

  /** The roles, least privileged first. */
  public static readonly ALL: readonly TeamRole[] = [TeamRole.VIEWER, TeamRole.DEVELOPER, TeamRole.OPERATOR];

  private constructor(
    /** The role name, the suffix of the Role and RoleBinding names. */
    public readonly name: string,
    private readonly _rules: AccessRule[],
    /** Whether this is the operator path (exec, Secrets). */
    public readonly operator: boolean,
  ) {}

  /** The rules of the role (a copy). */
  public get rules(): AccessRule[] {
    return [...this._rules];
  }
}

/**
 * Options of a custom grant in a bounded context.
 */
export interface GrantOptions {
  /** The name of the Role and RoleBinding (a DNS label, unique in the context). */
  readonly name: string;

  /**
   * The rules granted. Exactly one of `rules` and `clusterRole`.
   *
   * @default - none; `clusterRole` must be given
   */
  readonly rules?: AccessRule[];

  /**
   * An existing ClusterRole bound in the context's namespace only (for example
   * `view`). It is judged by what it grants: the built-in ones that reach Secrets,
   * exec or RBAC (`cluster-admin`, `admin`, `edit` and the `system:aggregate-to-*`
   * pieces they are made of) are refused, and so are other `system:` roles; any
   * other ClusterRole needs `clusterRoleRules`. Exactly one of `rules` and `clusterRole`.
   *
   * @default - none; `rules` must be given
   */
  readonly clusterRole?: string;

  /**
   * The rules of `clusterRole` when it is not a built-in ClusterRole, as
   * `kubectl get clusterrole <name> -o yaml` shows them (including what its
   * aggregation rule collects), so that they are checked like `rules`. The
   * ClusterRole itself is not rendered: it must exist.
   *
   * @default - none; only built-in ClusterRoles can be bound without it
   */
  readonly clusterRoleRules?: AccessRule[];

  /**
   * The namespace the grant applies in. Only the context's own namespace is
   * accepted; it exists so that a copied grant naming another namespace fails.
   *
   * @default - the context's namespace
   */
  readonly namespace?: string;
}

/**
 * Options of a team grant.
 */
export interface TeamGrantOptions {
  /**
   * Lets a developer exec into pods (`pods/exec`), the explicit opt-in the
   * developer role otherwise lacks. Operators always may.
   *
   * @default false
   */
  readonly allowExec?: boolean;
}

/** Rules a deployer needs to apply a context's own objects. @internal */
export const _DEPLOYER_RULES: AccessRule[] = [
  AccessRule.of('', ['configmaps', 'services', 'serviceaccounts'], ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']),
  AccessRule.of('apps', ['deployments', 'statefulsets'], ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']),
  AccessRule.of('batch', ['jobs', 'cronjobs'], ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']),
  AccessRule.of('autoscaling', ['horizontalpodautoscalers'], ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']),
  AccessRule.of('policy', ['poddisruptionbudgets'], ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']),
  // NetworkPolicies, Ingresses and Gateway API routes are security boundaries (a route
  // claims a path on the shared gateway): the platform pipeline applies them
  AccessRule.of('networking.k8s.io', ['networkpolicies', 'ingresses'], ['get', 'list', 'watch']),
  AccessRule.of('gateway.networking.k8s.io', ['httproutes', 'grpcroutes', 'tlsroutes', 'tcproutes'], ['get', 'list', 'watch']),
  AccessRule.of('external-secrets.io', ['externalsecrets'], ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']),
  AccessRule.of('bitnami.com', ['sealedsecrets'], ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']),
];

import { ErrorCode } from '../internal/configuration-error';
import { IConstruct } from 'constructs';
import { _invalid } from '../internal/errors';

/**
 * The annotation a Role (or ClusterRole) that escalates carries, with the reason
 * it was acknowledged, for reviewers and for the conformance run.
 */
export const ESCALATION_ANNOTATION = 'cdk8s-microservices.io/escalation';

/**
 * An explicit acknowledgement that a grant escalates, with the reason.
 *
 * Some permissions give more than they name. Whoever may create (or change the pod
 * template of) a pod-creating resource (Pods, Deployments, ReplicaSets, StatefulSets,
 * DaemonSets, ReplicationControllers, Jobs, CronJobs) can start a pod that runs as
 * any ServiceAccount of the namespace and mounts any of its Secrets: the refusal to
 * read Secrets no longer holds. Whoever may write ExternalSecrets, SecretStores,
 * PushSecrets or generators (`external-secrets.io`, `generators.external-secrets.io`)
 * can have the operator copy any value a shared ClusterSecretStore can read (another
 * team's database password) into a Secret of their own namespace; RBAC cannot
 * restrict which store or which key an object names. Such grants are refused unless
 * acknowledged; the acknowledgement is written on the Role as the annotation
 * `cdk8s-microservices.io/escalation`.
 *
 * @example
 * context.grant(Subject.group('oidc:catalog-migrations'), {
 *   name: 'migrations',
 *   rules: [AccessRule.of('batch', ['jobs'], ['create', 'get', 'list', 'watch'])],
 *   escalation: Escalation.acknowledge('the migration team starts schema migration Jobs by hand during releases'),
 * });
 */
export class Escalation {
  /**
   * Acknowledges that the grant escalates, for the reason given (a sentence a
   * reviewer can judge; at least 10 characters).
   */
  public static acknowledge(reason: string): Escalation {
    return new Escalation(reason);
  }

  private constructor(
    /** Why the grant must escalate. */
    public readonly reason: string,
  ) {}

  /**
   * Checks an acknowledgement given as `prop` (plain JavaScript may pass anything).
   * @internal
   */
  public static _check(scope: IConstruct, prop: string, value: unknown): Escalation | undefined {
    if (value === undefined) {
      return undefined;
    }
    if (!(value instanceof Escalation)) {
      throw _invalid(scope, prop, typeof value === 'string' ? value : String(value), 'must be an Escalation',
        'pass Escalation.acknowledge(\'<why the grant must escalate>\')', ErrorCode.WRONG_TYPE);
    }
    if (typeof value.reason !== 'string' || value.reason.trim().length < 10) {
      throw _invalid(scope, prop, value.reason, 'must say why the grant must escalate (at least a short sentence)',
        'write the reason, for example Escalation.acknowledge(\'the migration team starts schema migration Jobs during releases\')', ErrorCode.MISSING_REQUIRED);
    }
    return value;
  }
}

/** The part of a rule the escalation check reads (narrow: AccessRule passes itself). */
export interface _RuleShape {
  /** The API group. */
  readonly apiGroup: string;
  /** The resources. */
  readonly resources: string[];
  /** The verbs. */
  readonly verbs: string[];
}

/** Resources whose controllers (or the kubelet) run pods from what the holder writes, by API group. */
const POD_CREATING: { [group: string]: string[] } = {
  '': ['pods', 'replicationcontrollers'],
  'apps': ['deployments', 'replicasets', 'statefulsets', 'daemonsets'],
  'batch': ['jobs', 'cronjobs'],
};

/** Verbs that create such an object or change its pod template (a pod's image is mutable). */
const TEMPLATE_VERBS = ['create', 'update', 'patch'];

/** API groups of external-secrets whose objects choose a store and a remote key. */
const SECRET_SYNC_GROUPS = ['external-secrets.io', 'generators.external-secrets.io'];

/**
 * What a rule grants beyond what it names, as `verb resource` and why, or undefined
 * when it escalates nothing. Wildcards, `bind`, `escalate` and `impersonate` are
 * refused outright by the rule check and are not reported here.
 * @internal
 */
export function _escalationOf(rule: _RuleShape): { what: string; why: string } | undefined {
  const verb = rule.verbs.find(v => TEMPLATE_VERBS.includes(v));
  if (verb === undefined) {
    return undefined;
  }
  const podCreating = rule.resources.find(r => (POD_CREATING[rule.apiGroup] ?? []).includes(r));
  if (podCreating !== undefined) {
    return {
      what: `${verb} ${podCreating}`,
      why: `lets its holder run a pod as any ServiceAccount of the namespace and mount any of its Secrets, which defeats the refusal to read Secrets`,
    };
  }
  if (SECRET_SYNC_GROUPS.includes(rule.apiGroup)) {
    return {
      what: `${verb} ${rule.resources[0]}.${rule.apiGroup}`,
      why: 'lets its holder copy any value a shared ClusterSecretStore can read (another team\'s credentials) into its namespace; RBAC cannot restrict the store or key an object names',
    };
  }
  return undefined;
}

/**
 * Refuses rules that escalate unless `escalation` acknowledges them, and an
 * acknowledgement that acknowledges nothing; `propOf` names the rule at an index.
 * Returns the checked acknowledgement.
 * @internal
 */
export function _checkEscalation(scope: IConstruct, propOf: (index: number) => string, rules: _RuleShape[], escalation: unknown, escalationProp: string): Escalation | undefined {
  const acknowledged = Escalation._check(scope, escalationProp, escalation);
  const found = rules.map((rule, i) => ({ i, e: _escalationOf(rule) })).filter(x => x.e !== undefined);
  if (found.length > 0 && acknowledged === undefined) {
    const { i, e } = found[0];
    throw _invalid(scope, propOf(i), e!.what, `must not be granted without an acknowledgement: it ${e!.why}`,
      `grant only what the subject needs without it (the context's deployer applies workloads, the platform pipeline ExternalSecrets), or pass escalation: Escalation.acknowledge('<why it must>')`, ErrorCode.UNSAFE);
  }
  if (found.length === 0 && acknowledged !== undefined) {
    throw _invalid(scope, escalationProp, acknowledged.reason, 'acknowledges an escalation, but the rules grant none (no pod-creating or ExternalSecret write)',
      'remove the acknowledgement, so that one is only ever written where a grant escalates', ErrorCode.CONFLICT);
  }
  return acknowledged;
}

import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ErrorCode } from '../../internal/configuration-error';
import { _invalid } from '../../internal/errors';
import { LABEL } from '../../internal/labels';
import { Platform } from '../../platform/platform';
import { POLICY_RULES, policySuppressionAnnotation } from '../policy-pack';
import { PolicyRule } from '../policy-rule';
import { ADMISSION_UNSUPPORTED_RULES, _CEL_RULES, _POD_VARIABLES, _resourceOf } from './cel-rules';

/**
 * What the API server does with an object that breaks a rule: the binding's
 * `validationActions`.
 *
 * @see https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/#validation-actions
 */
export class PolicyAction {
  /** Refuse the request, with the rule's message (`[Deny]`). */
  public static readonly DENY = new PolicyAction(['Deny']);
  /** Admit it, with the rule's message as a warning to the client and in the audit log (`[Warn, Audit]`): for a rule being introduced. */
  public static readonly WARN = new PolicyAction(['Warn', 'Audit']);

  private constructor(
    /** The binding's `validationActions`. */
    public readonly validationActions: readonly string[],
  ) {}
}

/** Properties of `AdmissionPolicies`. */
export interface AdmissionPoliciesProps {
  /**
   * The action per rule, by id or slug (`{ 'CMS-009': PolicyAction.WARN }`).
   *
   * @default - PolicyAction.DENY for every rule
   */
  readonly actions?: { readonly [rule: string]: PolicyAction };
  /**
   * Rules to leave out, by id or slug (prefer a suppression on the object, with its reason).
   *
   * @default - none: every rule of the pack that CEL can express
   */
  readonly skip?: readonly string[];
}

/**
 * The rules of the policy pack that CEL can judge on one object, rendered for the
 * API server: per rule a `ValidatingAdmissionPolicy` (admissionregistration.k8s.io/v1,
 * GA in Kubernetes 1.30) and a binding scoped to the bounded contexts' namespaces
 * (those labelled `cdk8s-microservices.io/context` and part of the platform).
 *
 * Each policy matches the rule's kinds (namespaced ones; creates and updates), and
 * its message carries the rule's id, slug and fix. An object that suppresses the
 * rule (`ignore-check.policy.cdk8s-microservices.io/<slug>` with a written reason)
 * is not judged; neither is an object a controller makes from a template (a
 * Deployment's ReplicaSets and their Pods, a CronJob's Jobs: judged at the template),
 * nor one being deleted. Rules across objects are the pack's: `ADMISSION_UNSUPPORTED_RULES`
 * says why each is not here.
 *
 * @example
 * new AdmissionPolicies(platform, 'admission', { actions: { 'CMS-009': PolicyAction.WARN } });
 */
export class AdmissionPolicies extends Construct {
  /** The ids of the rules rendered, in the pack's order. */
  public readonly ruleIds: readonly string[];
  /** The names of the ValidatingAdmissionPolicies, in the same order. */
  public readonly policyNames: readonly string[];
  private readonly _actions: Map<string, PolicyAction>;

  public constructor(scope: Platform, id: string, props: AdmissionPoliciesProps = {}) {
    super(scope, id);
    if (!Platform.isPlatform(scope)) {
      throw _invalid(this, 'scope', String(scope), 'must be a Platform', 'create it as new AdmissionPolicies(platform, \'admission\')', ErrorCode.WRONG_SCOPE);
    }
    const version = scope.kubernetesVersion;
    if (version.minor < 30) {
      throw _invalid(this, 'kubernetesVersion', version.name,
        'must be 1.30 or newer: ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1) is GA from 1.30, and older API servers do not serve it',
        'raise the Platform\'s kubernetesVersion to KubernetesVersion.V1_30 or later if every cluster runs it, or leave AdmissionPolicies out and run the PolicyPack in CI', ErrorCode.UNSUPPORTED_BY_VERSION);
    }
    const rules = POLICY_RULES.filter(r => _CEL_RULES[r.id] !== undefined);
    const named = (key: string) => POLICY_RULES.some(r => r.id === key || r.slug === key);
    const skip = props.skip ?? [];
    if (!Array.isArray(skip)) {
      throw _invalid(this, 'skip', String(skip), 'must be a list of rule ids or slugs', 'pass for example [\'CMS-009\']', ErrorCode.WRONG_TYPE);
    }
    for (const s of skip) {
      if (!named(s)) {
        throw _invalid(this, 'skip', s, 'must name a rule of the pack by id or slug', `use one of ${rules.map(r => r.id).join(', ')}`, ErrorCode.UNKNOWN_REFERENCE);
      }
    }
    const kept = rules.filter(r => !skip.includes(r.id) && !skip.includes(r.slug));
    this._actions = new Map(kept.map(r => [r.id, PolicyAction.DENY]));
    for (const [key, action] of Object.entries(props.actions ?? {})) {
      const rule = POLICY_RULES.find(r => r.id === key || r.slug === key);
      if (rule === undefined) {
        throw _invalid(this, `actions.${key}`, key, 'must name a rule of the pack by id or slug', `use one of ${rules.map(r => r.id).join(', ')}`, ErrorCode.UNKNOWN_REFERENCE);
      }
      if (ADMISSION_UNSUPPORTED_RULES[rule.id] !== undefined) {
        throw _invalid(this, `actions.${key}`, key, `must name a rule CEL can express, but ${rule.id} cannot: ${ADMISSION_UNSUPPORTED_RULES[rule.id]}`,
          'remove the entry; the PolicyPack and the cdk8s plugin check this rule on the manifests', ErrorCode.INVALID_VALUE);
      }
      if (!this._actions.has(rule.id)) {
        throw _invalid(this, `actions.${key}`, key, 'must not name a rule that skip leaves out', `remove ${key} from skip or from actions`, ErrorCode.CONFLICT);
      }
      if (!(action instanceof PolicyAction)) {
        throw _invalid(this, `actions.${key}`, String(action), 'must be a PolicyAction', 'use PolicyAction.DENY or PolicyAction.WARN', ErrorCode.WRONG_TYPE);
      }
      this._actions.set(rule.id, action);
    }
    this.ruleIds = kept.map(r => r.id);
    this.policyNames = kept.map(r => this._policyName(scope, r));
    kept.forEach((rule, i) => this._render(scope, rule, this.policyNames[i]));
  }

  /** The action of a rule rendered here, by id or slug; undefined for a rule not rendered. */
  public actionOf(rule: string): PolicyAction | undefined {
    const found = POLICY_RULES.find(r => r.id === rule || r.slug === rule);
    return found === undefined ? undefined : this._actions.get(found.id);
  }

  /** `sales-cms-001-pinned-image`. @internal */
  private _policyName(platform: Platform, rule: PolicyRule): string {
    return `${platform.platformName}-${rule.id.toLowerCase()}-${rule.slug}`;
  }

  /** @internal */
  private _render(platform: Platform, rule: PolicyRule, name: string): void {
    const cel = _CEL_RULES[rule.id];
    const byGroup = new Map<string, string[]>();
    for (const kind of cel.kinds) {
      const r = _resourceOf(kind)!;
      byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r.resource]);
    }
    const suppression = policySuppressionAnnotation(rule);
    const matchConditions = [
      { name: 'not-suppressed', expression: `!has(object.metadata.annotations) || !('${suppression}' in object.metadata.annotations) || object.metadata.annotations['${suppression}'].trim() == ''` },
      { name: 'not-being-deleted', expression: '!has(object.metadata.deletionTimestamp)' },
    ];
    if (cel.podTemplate) {
      matchConditions.push(
        { name: 'not-made-by-a-controller', expression: '!has(object.metadata.ownerReferences) || !object.metadata.ownerReferences.exists(o, has(o.controller) && o.controller)' },
        // an Argo Rollouts Rollout with a workloadRef runs the pods of a Deployment, judged itself
        { name: 'has-a-pod-template', expression: 'object.kind != \'Rollout\' || has(object.spec.template)' },
      );
    }
    const message = `${rule.id} ${rule.slug}: ${rule.description}; fix: ${rule.fix}`.replace(/\s+/g, ' ');
    new ApiObject(this, rule.id, {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name, annotations: { 'cdk8s-microservices.io/policy-rule': rule.id } },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [...byGroup.entries()].map(([group, resources]) => ({
            apiGroups: [group], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources, scope: 'Namespaced',
          })),
        },
        matchConditions,
        ...(cel.podTemplate ? { variables: _POD_VARIABLES.map(v => ({ ...v })) } : {}),
        validations: cel.expressions.map(expression => ({ expression, message, reason: 'Invalid' })),
      },
    });
    new ApiObject(this, `${rule.id}-binding`, {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name },
      spec: {
        policyName: name,
        validationActions: [...this._actions.get(rule.id)!.validationActions],
        matchResources: {
          namespaceSelector: {
            matchLabels: { [LABEL.PART_OF]: platform.platformName },
            matchExpressions: [{ key: LABEL.CONTEXT, operator: 'Exists' }],
          },
        },
      },
    });
  }
}

import { ConfigurationError, ErrorCode } from '../internal/configuration-error';
import { DISRUPTION_BUDGET } from './rules/disruption-budget';
import { NETWORK_POLICY } from './rules/network-policy';
import { OWN_SERVICE_ACCOUNT } from './rules/own-service-account';
import { PINNED_IMAGE } from './rules/pinned-image';
import { PLAINTEXT_CREDENTIAL } from './rules/plaintext-credential';
import { POD_SECURITY_RESTRICTED } from './rules/pod-security-restricted';
import { PRIORITY_CLASS } from './rules/priority-class';
import { PROBES } from './rules/probes';
import { RBAC_ESCALATION } from './rules/rbac-escalation';
import { RBAC_WILDCARD } from './rules/rbac-wildcard';
import { READ_ONLY_ROOT_FILESYSTEM } from './rules/read-only-root-filesystem';
import { RESOURCES_SET } from './rules/resources';
import { SERVICE_ACCOUNT_TOKEN } from './rules/service-account-token';
import { SPREAD } from './rules/spread';
import { POLICY_SUPPRESSION_PREFIX, _suppressionReasonRule } from './rules/suppression-reason';
import { PolicyContext, PolicyManifest, PolicyRule, PolicyViolation, SuppressedViolation } from './policy-rule';

/** The rules of the pack, in the order of their ids (CMS-000, the suppression check, is added by every pack). */
export const POLICY_RULES: readonly PolicyRule[] = [
  PINNED_IMAGE, PROBES, RESOURCES_SET, POD_SECURITY_RESTRICTED, READ_ONLY_ROOT_FILESYSTEM, OWN_SERVICE_ACCOUNT,
  SERVICE_ACCOUNT_TOKEN, DISRUPTION_BUDGET, SPREAD, PRIORITY_CLASS, PLAINTEXT_CREDENTIAL, RBAC_WILDCARD,
  RBAC_ESCALATION, NETWORK_POLICY,
];

/** The annotation that suppresses `rule` on one object; its value is the reason. */
export function policySuppressionAnnotation(rule: PolicyRule): string {
  return `${POLICY_SUPPRESSION_PREFIX}${rule.slug}`;
}

/** Options of a `PolicyPack`. */
export interface PolicyPackProps {
  /**
   * The rules to run (CMS-000, the suppression check, always runs).
   *
   * @default POLICY_RULES
   */
  readonly rules?: readonly PolicyRule[];
  /**
   * Ids or slugs of rules to leave out, for a whole app (prefer a suppression on the
   * object, with its reason).
   *
   * @default - none
   */
  readonly skip?: readonly string[];
}

/** What a check of a set of manifests found. */
export interface PolicyReport {
  /** The findings, in the order of the manifests, then of the rules. */
  readonly violations: PolicyViolation[];
  /** The findings that objects suppress, with their reasons. */
  readonly suppressed: SuppressedViolation[];
  /** How many objects were checked. */
  readonly objects: number;
}

/**
 * The production rules our constructs guarantee, as checks of rendered manifests:
 * for any cdk8s app, Helm chart or directory of YAML, whoever wrote it.
 *
 * @example
 * const report = new PolicyPack().check(Testing.synth(chart));
 * report.violations.forEach(v => console.log(formatViolation(v)));
 */
export class PolicyPack {
  /** The rules this pack runs, CMS-000 first. */
  public readonly rules: readonly PolicyRule[];

  public constructor(props: PolicyPackProps = {}) {
    const chosen = props.rules ?? POLICY_RULES;
    if (!Array.isArray(chosen) || chosen.some(r => typeof r?.check !== 'function' || typeof r.id !== 'string' || typeof r.slug !== 'string')) {
      throw new ConfigurationError({ path: 'PolicyPack', prop: 'rules', value: '(not shown)', expected: 'must be a list of PolicyRule objects (id, slug, kinds, check)',
        fix: 'pass rules from POLICY_RULES or objects of the PolicyRule shape', code: ErrorCode.WRONG_TYPE });
    }
    const seen = new Set<string>();
    for (const rule of chosen) {
      for (const key of [rule.id, rule.slug]) {
        if (seen.has(key) || key === 'CMS-000' || key === 'suppression-reason') {
          throw new ConfigurationError({ path: 'PolicyPack', prop: 'rules', value: key, expected: 'must name each rule once (CMS-000 is the pack\'s own)',
            fix: 'give the rule an id and slug of its own', code: ErrorCode.DUPLICATE });
        }
        seen.add(key);
      }
    }
    const skip = props.skip ?? [];
    for (const s of skip) {
      if (!chosen.some(r => r.id === s || r.slug === s)) {
        throw new ConfigurationError({ path: 'PolicyPack', prop: 'skip', value: s, expected: 'must name a rule of the pack by id or slug',
          fix: `use one of ${chosen.map(r => r.slug).join(', ')}`, code: ErrorCode.UNKNOWN_REFERENCE });
      }
    }
    const kept = chosen.filter(r => !skip.includes(r.id) && !skip.includes(r.slug));
    this.rules = [_suppressionReasonRule(kept.map(r => r.slug)), ...kept];
  }

  /**
   * Checks a set of manifests (plain objects; anything else in the list, such as
   * the `null` of an empty YAML document, is ignored). Rules across objects (a
   * budget, a network policy, a ServiceAccount of the set) look only within it.
   */
  public check(manifests: readonly unknown[]): PolicyReport {
    const objects = manifests.filter((m): m is PolicyManifest => typeof m === 'object' && m !== null && !Array.isArray(m));
    const context: PolicyContext = { manifests: objects };
    const violations: PolicyViolation[] = [];
    const suppressed: SuppressedViolation[] = [];
    for (const manifest of objects) {
      const annotations = manifest.metadata?.annotations ?? {};
      for (const rule of this.rules) {
        if (!rule.kinds.includes('*') && !rule.kinds.includes(manifest.kind ?? '')) {
          continue;
        }
        const reason = rule.id === 'CMS-000' ? undefined : annotations[policySuppressionAnnotation(rule)];
        for (const finding of rule.check(manifest, context)) {
          const violation: PolicyViolation = {
            ruleId: rule.id, rule: rule.slug, kind: manifest.kind ?? '', namespace: manifest.metadata?.namespace ?? '',
            name: manifest.metadata?.name ?? '', path: finding.path, message: finding.message, fix: rule.fix,
          };
          if (typeof reason === 'string' && reason.trim().length > 0) {
            suppressed.push({ ...violation, reason });
          } else {
            violations.push(violation);
          }
        }
      }
    }
    return { violations, suppressed, objects: objects.length };
  }
}

/** One line for a violation: `Deployment catalog/products $.spec...: message [CMS-001 pinned-image]; fix`. */
export function formatViolation(v: PolicyViolation): string {
  return `${v.kind} ${v.namespace === '' ? '' : `${v.namespace}/`}${v.name} ${v.path}: ${v.message} [${v.ruleId} ${v.rule}]; ${v.fix}`;
}

import { PolicyFinding, PolicyManifest, PolicyRule } from '../policy-rule';
import { _at } from '../json';

/**
 * The prefix of the annotation that suppresses a rule on one object, followed by the
 * rule's slug; its value is the reason, as kube-linter's `ignore-check.kube-linter.io/<check>`.
 */
export const POLICY_SUPPRESSION_PREFIX = 'ignore-check.policy.cdk8s-microservices.io/';

/**
 * CMS-000: a suppression says why. Built by the pack, which knows the slugs of the
 * rules it runs; an empty reason does not suppress, and a suppression of no rule of
 * the pack (a typo, a removed rule) is reported rather than ignored.
 * @internal
 */
export function _suppressionReasonRule(slugs: readonly string[]): PolicyRule {
  return {
    id: 'CMS-000',
    slug: 'suppression-reason',
    description: 'every suppression annotation names a rule of the pack and gives a written reason',
    reason: 'a suppression without a reason cannot be reviewed, and one that names no rule suppresses nothing while looking as if it did',
    fix: `write why the rule does not apply to this object as the value of ${POLICY_SUPPRESSION_PREFIX}<rule slug>, or remove the annotation`,
    kinds: ['*'],
    check(manifest: PolicyManifest): PolicyFinding[] {
      const findings: PolicyFinding[] = [];
      for (const [key, value] of Object.entries(manifest.metadata?.annotations ?? {})) {
        if (!key.startsWith(POLICY_SUPPRESSION_PREFIX)) {
          continue;
        }
        const slug = key.slice(POLICY_SUPPRESSION_PREFIX.length);
        const path = _at(_at(_at('$', 'metadata'), 'annotations'), key);
        if (!slugs.includes(slug)) {
          findings.push({ path, message: `suppresses '${slug}', which is no rule of the pack (${slugs.join(', ')})` });
        } else if (typeof value !== 'string' || value.trim().length === 0) {
          findings.push({ path, message: `suppresses '${slug}' without a reason` });
        }
      }
      return findings;
    },
  };
}

import * as path from 'path';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';
import { POLICY_RULES, PolicyPack, policySuppressionAnnotation } from './policy-pack';
import { PolicyViolation } from './policy-rule';

/**
 * The part of cdk8s-cli's `ValidationContext` the plugin uses (cdk8s-cli is not a
 * dependency of the library: the CLI passes its own object of this shape).
 */
export interface PolicyValidationContext {
  /** The paths of the synthesized manifests. */
  readonly manifests: readonly string[];
  /** Parses a manifest file into its documents. */
  parseManifest(manifestPath: string): unknown[];
  /** The report the plugin fills. */
  readonly report: {
    addViolation(violation: {
      readonly ruleName: string;
      readonly recommendation: string;
      readonly fix: string;
      readonly violatingResources: ReadonlyArray<{ readonly resourceName: string; readonly locations: readonly string[]; readonly manifestPath: string }>;
    }): void;
    submit(status: 'success' | 'failure', metadata?: { readonly [key: string]: string }): void;
  };
  /** Where the plugin writes what it did. */
  readonly logger: { log(message: string): void };
}

/** The properties of the plugin, as `properties:` in cdk8s.yaml. */
export interface PolicyValidationProps {
  /**
   * Ids or slugs of rules to leave out for the whole app (prefer a suppression on
   * the object, with its reason).
   *
   * @default - every rule runs
   */
  readonly skip?: readonly string[];
}

/**
 * The policy pack as a cdk8s validation plugin: `cdk8s synth` runs it on the
 * synthesized manifests and fails (exit 2) on any violation; the report names each
 * object's construct path (from the metadata the CLI records), the rule, where in
 * the object, and how to fix it. Suppressions: the annotation
 * `ignore-check.policy.cdk8s-microservices.io/<rule slug>` on the object, with the reason.
 *
 * In cdk8s.yaml:
 * ```yaml
 * validations:
 *   - package: cdk8s-microservices
 *     version: 0.1.0
 *     class: PolicyValidation
 * ```
 */
export class PolicyValidation {
  /** The pack the plugin runs. */
  public readonly pack: PolicyPack;

  /**
   * @param props the `properties:` of the validation in cdk8s.yaml
   */
  public constructor(props: PolicyValidationProps = {}) {
    const skip = props.skip ?? [];
    if (!Array.isArray(skip) || skip.some(s => typeof s !== 'string')) {
      throw new ConfigurationError({ path: 'PolicyValidation', prop: 'skip', value: skip, expected: 'must be a list of rule ids or slugs',
        fix: `write for example skip: [${POLICY_RULES[0].slug}]`, code: ErrorCode.WRONG_TYPE });
    }
    this.pack = new PolicyPack({ skip });
  }

  /**
   * Checks the manifests of `context` and submits the report. The manifests of one
   * directory are checked together (rules across objects look within it).
   */
  public async validate(context: PolicyValidationContext): Promise<void> {
    // the manifests of one directory are one set (an app writes one directory; a
    // platform synthesized per environment, one directory each, is checked per environment)
    const sets = new Map<string, string[]>();
    for (const file of context.manifests) {
      const dir = path.dirname(file);
      sets.set(dir, [...(sets.get(dir) ?? []), file]);
    }
    const violations: Array<{ violation: PolicyViolation; file: string }> = [];
    let objects = 0;
    let suppressed = 0;
    for (const files of sets.values()) {
      const docs = files.map(file => ({ file, docs: context.parseManifest(file) }));
      const report = this.pack.check(docs.flatMap(d => d.docs));
      objects += report.objects;
      suppressed += report.suppressed.length;
      for (const violation of report.violations) {
        violations.push({ violation, file: docs.find(d => d.docs.some(o => isObject(o, violation)))?.file ?? files[0] });
      }
      for (const s of report.suppressed) {
        context.logger.log(`suppressed ${s.ruleId} ${s.rule} on ${s.kind} ${s.namespace === '' ? '' : `${s.namespace}/`}${s.name} ${s.path}: ${s.reason}`);
      }
    }
    for (const rule of this.pack.rules) {
      const mine = violations.filter(v => v.violation.ruleId === rule.id);
      if (mine.length === 0) {
        continue;
      }
      context.report.addViolation({
        ruleName: `${rule.id} ${rule.slug}: ${rule.description}`,
        recommendation: `${rule.reason}; if it truly does not apply to an object, annotate it with ${policySuppressionAnnotation(rule)}: <why>`,
        fix: rule.fix,
        violatingResources: mine.map(({ violation: v, file }) => ({ resourceName: v.name, manifestPath: file,
          locations: [`${v.kind} ${v.namespace === '' ? '' : `${v.namespace}/`}${v.name} ${v.path}: ${v.message}`] })),
      });
    }
    context.report.submit(violations.length === 0 ? 'success' : 'failure', {
      rules: String(this.pack.rules.length), objects: String(objects), violations: String(violations.length), suppressed: String(suppressed),
    });
  }
}

function isObject(o: unknown, v: PolicyViolation): boolean {
  const m = o as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
  return m !== null && typeof m === 'object' && m.kind === v.kind && (m.metadata?.name ?? '') === v.name && (m.metadata?.namespace ?? '') === v.namespace;
}

/**
 * A rendered Kubernetes object as plain data, as a policy rule reads it: what
 * `Testing.synth`, `Yaml.load` or the cdk8s CLI's `parseManifest` return.
 */
export interface PolicyManifest {
  /** The API group and version, for example `apps/v1`. */
  readonly apiVersion?: string;
  /** The kind, for example `Deployment`. */
  readonly kind?: string;
  /** Name, namespace, labels and annotations. */
  readonly metadata?: PolicyManifestMetadata;
  /** The rest of the object (`spec`, `data`, `rules`, ...). */
  readonly [field: string]: unknown;
}

/** The part of an object's metadata the rules read. */
export interface PolicyManifestMetadata {
  /** The object's name. */
  readonly name?: string;
  /** The object's namespace (none for cluster-scoped objects). */
  readonly namespace?: string;
  /** The object's labels. */
  readonly labels?: { readonly [key: string]: string };
  /** The object's annotations, where suppressions are written. */
  readonly annotations?: { readonly [key: string]: string };
}

/** What a rule found wrong in one object: where, and what. */
export interface PolicyFinding {
  /** Where in the object, as a JSONPath from its root: `$.spec.template.spec.containers[0].image`. */
  readonly path: string;
  /** What is wrong there, naming the value (never a credential's value). */
  readonly message: string;
}

/** The whole set of manifests being checked, for rules that look across objects. */
export interface PolicyContext {
  /** Every manifest of the set, the checked one included. */
  readonly manifests: readonly PolicyManifest[];
}

/**
 * One rule of the policy pack: a pure function of a rendered manifest (and, for
 * rules across objects, the set it belongs to).
 */
export interface PolicyRule {
  /** A stable id, `CMS-` and three digits; never reused. */
  readonly id: string;
  /** A stable readable name, used in the suppression annotation: `pinned-image`. */
  readonly slug: string;
  /** What the rule requires, in one line. */
  readonly description: string;
  /** Why: what goes wrong in production without it. */
  readonly reason: string;
  /** How to fix a violation. */
  readonly fix: string;
  /** The kinds the rule applies to (`'*'`: every kind); other objects are not applicable. */
  readonly kinds: readonly string[];
  /**
   * The findings on `manifest` (one of `kinds`): an empty list when it complies.
   */
  check(manifest: PolicyManifest, context: PolicyContext): PolicyFinding[];
}

/** A finding of a rule on an object of the set, as reported. */
export interface PolicyViolation {
  /** The rule's id, `CMS-001`. */
  readonly ruleId: string;
  /** The rule's slug, `pinned-image`. */
  readonly rule: string;
  /** The object's kind. */
  readonly kind: string;
  /** The object's namespace, '' for cluster-scoped objects. */
  readonly namespace: string;
  /** The object's name. */
  readonly name: string;
  /** Where in the object (JSONPath). */
  readonly path: string;
  /** What is wrong. */
  readonly message: string;
  /** How to fix it (the rule's fix). */
  readonly fix: string;
}

/** A violation that the object suppresses, with the reason it gives. */
export interface SuppressedViolation extends PolicyViolation {
  /** The reason written in the suppression annotation. */
  readonly reason: string;
}

/**
 * The class of mistake a `ConfigurationError` reports: stable, so that tools and tests
 * can match on it instead of on the wording of the message.
 */
export const ErrorCode = {
  /** The value has the right type but breaks a rule of its own (a malformed URL, path, schedule, header or CIDR). */
  INVALID_VALUE: 'INVALID_VALUE',
  /** A name, label or key Kubernetes would refuse (DNS labels, object names, label values, env var names). */
  INVALID_NAME: 'INVALID_NAME',
  /** A number, duration or size outside the allowed range or precision. */
  OUT_OF_RANGE: 'OUT_OF_RANGE',
  /** A required prop, list entry or reason is missing or empty. */
  MISSING_REQUIRED: 'MISSING_REQUIRED',
  /** The value is not of the expected type (a string where a Duration, Size, number or class instance is expected). */
  WRONG_TYPE: 'WRONG_TYPE',
  /** The value is not one of the options offered (a string enum or one of a class's constants). */
  UNKNOWN_OPTION: 'UNKNOWN_OPTION',
  /** The value names something that does not exist (a port, service, secret key, tier or resource). */
  UNKNOWN_REFERENCE: 'UNKNOWN_REFERENCE',
  /** Two props, or a prop and the state of the construct, contradict each other. */
  CONFLICT: 'CONFLICT',
  /** A name, id, value or call given twice where it must be unique. */
  DUPLICATE: 'DUPLICATE',
  /** A name or key the library or Kubernetes reserves for itself. */
  RESERVED_NAME: 'RESERVED_NAME',
  /** A feature the targeted Kubernetes release does not have. */
  UNSUPPORTED_BY_VERSION: 'UNSUPPORTED_BY_VERSION',
  /** A setting the chosen gateway or ingress implementation cannot express. */
  UNSUPPORTED_BY_IMPLEMENTATION: 'UNSUPPORTED_BY_IMPLEMENTATION',
  /** More than a quota, a limit range or an object size limit admits. */
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  /** A credential that would be written in plaintext into the synthesized YAML. */
  PLAINTEXT_SECRET: 'PLAINTEXT_SECRET',
  /** A grant, rule or setting that gives away more than it should (wildcards, escalation, system identities). */
  UNSAFE: 'UNSAFE',
  /** Created in, or pointing at, the wrong scope (another platform, a scope of the wrong kind). */
  WRONG_SCOPE: 'WRONG_SCOPE',
} as const;

/** One of the `ErrorCode` values. */
export type ErrorCode = typeof ErrorCode[keyof typeof ErrorCode];

/**
 * The fields of a `ConfigurationError`.
 */
export interface ConfigurationErrorProps {
  /** The path of the construct that refuses the input; '' when no construct is known. */
  readonly path: string;
  /** The prop (or call argument) that holds the bad input, such as 'maxReplicas' or 'addRoute(host)'. */
  readonly prop: string;
  /** The value received, as the message shows it (credentials are never shown). */
  readonly value: unknown;
  /** What was expected, as a phrase that follows the value: 'must be at least 1'. */
  readonly expected: string;
  /** How to fix it. */
  readonly fix: string;
  /**
   * The class of mistake.
   *
   * @default ErrorCode.INVALID_VALUE
   */
  readonly code?: ErrorCode;
  /**
   * How the message shows the value.
   *
   * @default - strings quoted, anything else as compact JSON
   */
  readonly shown?: string;
}

/**
 * Formats a value for an error message: strings are quoted, everything else is
 * rendered as compact JSON.
 * @internal
 */
export function _fmt(value: unknown): string {
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  if (value === undefined) {
    return 'undefined';
  }
  return JSON.stringify(value);
}

/**
 * The error every refusal of the library throws, at construction or at synth. Its
 * message names where (construct path), what (prop and value received), what was
 * expected and how to fix it:
 *
 * `orders/payments: 'maxReplicas' (1) must be at least 'minReplicas' (2); raise maxReplicas or lower minReplicas`
 *
 * Match on `code`, `path` and `prop` in tools and tests rather than on the wording.
 */
export class ConfigurationError extends Error {
  /** The path of the construct that refuses the input; '' when no construct is known. */
  public readonly path: string;
  /** The prop (or call argument) that holds the bad input. */
  public readonly prop: string;
  /** The value received (credentials are replaced by a placeholder). */
  public readonly value: unknown;
  /** What was expected. */
  public readonly expected: string;
  /** How to fix it. */
  public readonly fix: string;
  /** The class of mistake. */
  public readonly code: ErrorCode;

  /**
   * @param props the fields; the message is built from them
   */
  public constructor(props: ConfigurationErrorProps) {
    super(`${props.path === '' ? '' : `${props.path}: `}'${props.prop}' (${props.shown ?? _fmt(props.value)}) ${props.expected}; ${props.fix}`);
    // instanceof must hold for subclasses of built-ins whatever the compile target
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = 'ConfigurationError';
    this.path = props.path;
    this.prop = props.prop;
    this.value = props.value;
    this.expected = props.expected;
    this.fix = props.fix;
    this.code = props.code ?? ErrorCode.INVALID_VALUE;
  }

  /** Whether `value` is a ConfigurationError (also across copies of the library). */
  public static isConfigurationError(value: unknown): value is ConfigurationError {
    return value instanceof ConfigurationError || (value instanceof Error && value.name.startsWith('ConfigurationError')
      && typeof (value as ConfigurationError).code === 'string');
  }
}

/** One refusal found by a validation, with the construct whose validation found it. */
export interface ValidationFinding {
  /** The path of the construct whose validation reported the error. */
  readonly validatedAt: string;
  /** The error. */
  readonly error: ConfigurationError;
}

/**
 * The refusals found when a tree is validated at synth, all at once. Its message is
 * cdk8s' own (`Validation failed with the following errors:` and one `[path] message`
 * line per error); its own fields are those of the first error, so that a test
 * matching one refusal works whether it is thrown by a constructor or at synth.
 */
export class ConfigurationErrors extends ConfigurationError {
  /** Every error, in the order the validations reported them. */
  public readonly errors: ConfigurationError[];
  /** Every error with the construct whose validation reported it. */
  public readonly findings: ValidationFinding[];

  /**
   * @param findings at least one finding
   */
  public constructor(findings: ValidationFinding[]) {
    super(findings[0].error);
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = 'ConfigurationErrors';
    this.findings = [...findings];
    this.errors = findings.map(f => f.error);
    this.message = `Validation failed with the following errors:\n  ${findings.map(f => `[${f.validatedAt}] ${f.error.message}`).join('\n  ')}`;
  }
}

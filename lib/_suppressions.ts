import { ApiObject } from 'cdk8s';

/**
 * The annotation through which a construct suppresses a conformance finding on an
 * object it renders, with the reason (test/conformance/README.md).
 */
export const SUPPRESS_ANNOTATION = 'conformance.cdk8s-microservices.io/suppress';

/** One suppressed check of one tool. */
export interface _Suppression {
  readonly tool: string;
  readonly check: string;
  readonly reason: string;
}

const suppressions = new WeakMap<ApiObject, _Suppression[]>();

/**
 * Suppresses `check` of `tool` on `obj`, with the reason a reviewer reads in every
 * conformance report. Only for findings that are truly not applicable to the object.
 */
export function _suppress(obj: ApiObject, tool: string, check: string, reason: string): void {
  const list = suppressions.get(obj) ?? [];
  list.push({ tool, check, reason });
  suppressions.set(obj, list);
  obj.metadata.addAnnotation(SUPPRESS_ANNOTATION, JSON.stringify(list));
}

import { Construct } from 'constructs';
import { ErrorCode } from '../internal/configuration-error';
import { _invalid } from '../internal/errors';

/**
 * Where an observability construct is declared, and that it is the only one of its
 * kind there (a second one would render objects of the same names).
 * @internal
 */
export interface _Attachment {
  /** Whether the scope is of the kind the construct belongs to. */
  readonly accepts: (scope: unknown) => boolean;
  /** What the scope must be, as the refusal says it: 'a workload (a Microservice, ...)'. */
  readonly scopeKind: string;
  /** How to declare it: "new WorkloadMetrics(workload, 'metrics', { port })". */
  readonly example: string;
  /** What it is to its scope, for the refusal of a second one: "the workload's only metrics endpoint". */
  readonly only: string;
  /** The scope it is declared once per: 'workload', 'bounded context', 'platform'. */
  readonly per: string;
}

/**
 * Refuses `self` on a scope of the wrong kind, or beside another construct of its class.
 * @internal
 */
export function _attachOnce(self: Construct, scope: Construct, id: string, a: _Attachment): void {
  if (!a.accepts(scope)) {
    throw _invalid(self, 'scope', (scope as Construct | undefined)?.node?.path ?? String(scope), `must be ${a.scopeKind}`,
      `create it as ${a.example}`, ErrorCode.WRONG_SCOPE);
  }
  const other = scope.node.children.find(c => c !== self && c.constructor === self.constructor);
  if (other) {
    throw _invalid(self, 'id', id, `must be ${a.only}, but ${other.node.path} is declared already`,
      `declare ${self.constructor.name} once per ${a.per}`, ErrorCode.DUPLICATE);
  }
}

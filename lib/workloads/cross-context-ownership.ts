import { ErrorCode } from '../internal/configuration-error';
import { IConstruct } from 'constructs';
import { _invalid } from '../internal/errors';

/** The annotation a store owned across contexts carries on its StatefulSet, with the reason. */
export const CROSS_CONTEXT_OWNERS_ANNOTATION = 'cdk8s-microservices.io/cross-context-owners';

/**
 * The store's bounded context declaring, with a reason, that workloads of other
 * contexts own the store. A store belongs to the context whose team operates its
 * data (backups, migrations, restores, who may read it); an owner in another
 * context makes another team depend on that data directly, outside any API. Without
 * this declaration such a store is refused. The reason is written on the
 * StatefulSet as the annotation `cdk8s-microservices.io/cross-context-owners`.
 *
 * @example
 * new StatefulService(orders, 'orders-db', {
 *   // ...
 *   owners: [ordersService, reporting],   // reporting is in the 'analytics' context
 *   crossContextOwners: CrossContextOwnership.declare('analytics reads the orders replica until the export API ships (ORD-212)'),
 * });
 */
export class CrossContextOwnership {
  /** Declares the cross-context owners for the reason given (at least a short sentence). */
  public static declare(reason: string): CrossContextOwnership {
    return new CrossContextOwnership(reason);
  }

  private constructor(
    /** Why workloads of other contexts own the store. */
    public readonly reason: string,
  ) {}

  /**
   * Checks the owners' contexts against the declaration (plain JavaScript may pass
   * anything as `declared`). Returns the checked declaration.
   * @internal
   */
  public static _check(scope: IConstruct, storeContext: string, owners: ReadonlyArray<{ node: { path: string }; namespace: string }>, declared: unknown): CrossContextOwnership | undefined {
    if (declared !== undefined && !(declared instanceof CrossContextOwnership)) {
      throw _invalid(scope, 'crossContextOwners', String(declared), 'must be a CrossContextOwnership',
        'pass CrossContextOwnership.declare(\'<why other contexts own the store>\')', ErrorCode.WRONG_TYPE);
    }
    if (declared !== undefined && (typeof declared.reason !== 'string' || declared.reason.trim().length < 10)) {
      throw _invalid(scope, 'crossContextOwners', declared.reason, 'must say why workloads of other contexts own the store (at least a short sentence)',
        'write the reason, for example CrossContextOwnership.declare(\'analytics reads the orders replica until the export API ships\')', ErrorCode.MISSING_REQUIRED);
    }
    const foreign = owners.find(o => o.namespace !== storeContext);
    if (foreign !== undefined && declared === undefined) {
      throw _invalid(scope, 'owners', foreign.node.path,
        `must be workloads of the store's own bounded context '${storeContext}', but this one is in '${foreign.namespace}': another team would operate the store's data`,
        `create the store in '${foreign.namespace}' if the data is theirs, let ${foreign.node.path} call an API of '${storeContext}', `
        + 'or declare it with crossContextOwners: CrossContextOwnership.declare(\'<why>\')', ErrorCode.UNSAFE);
    }
    if (foreign === undefined && declared !== undefined) {
      throw _invalid(scope, 'crossContextOwners', declared.reason, `declares owners from other contexts, but every owner is in '${storeContext}'`,
        'remove crossContextOwners', ErrorCode.CONFLICT);
    }
    return declared;
  }
}

import { IConstruct } from 'constructs';
import { ErrorCode } from '../internal/configuration-error';
import { _checkType, _invalid, _oneOf } from '../internal/errors';

/**
 * A change the safe-change check refuses unless the code acknowledges it: what the
 * operator has done (or accepts) outside the apply. Each refusal names the one it
 * needs.
 */
export class AcknowledgedChange {
  /**
   * A StatefulSet's immutable field changed (claim templates, selector, service name,
   * pod management policy), and the StatefulSet was deleted by hand with
   * `--cascade=orphan` (its pods and claims stay) so that the apply re-creates it;
   * for a claim resize, each claim was patched by hand.
   */
  public static readonly RECREATE_STATEFULSET = new AcknowledgedChange('recreate-statefulset',
    'the StatefulSet was orphan-deleted by hand (and, for a resize, each claim patched) so that the apply re-creates it');

  /**
   * An immutable field of another kind changed (a Deployment's or Job's selector or
   * template, a Service's cluster IP, a PriorityClass value, a RoleBinding's role, an
   * immutable ConfigMap's or Secret's data, a claim's storage class or access modes),
   * and the object was deleted by hand so that the apply re-creates it.
   */
  public static readonly RECREATE = new AcknowledgedChange('recreate',
    'the object was deleted by hand so that the apply re-creates it');

  /**
   * A store (a StatefulSet with claim templates) is renamed or moved to another
   * namespace: the new one starts with empty claims, and the old claims are left
   * behind (their data was copied by hand, or is not needed).
   */
  public static readonly START_EMPTY_STORE = new AcknowledgedChange('start-empty-store',
    'the store\'s data was copied by hand, or is not needed: the renamed or moved store starts empty');

  /**
   * A PersistentVolumeClaim is no longer rendered: a prune deletes it, and its
   * volume with it unless the volume's reclaim policy is Retain.
   */
  public static readonly DELETE_CLAIM = new AcknowledgedChange('delete-claim',
    'the claim\'s data was saved by hand, or is not needed');

  /**
   * A Namespace holding a store's claims is no longer rendered: a prune deletes the
   * namespace and every claim in it.
   */
  public static readonly DELETE_NAMESPACE_WITH_CLAIMS = new AcknowledgedChange('delete-namespace-with-claims',
    'the data of the namespace\'s claims was saved by hand, or is not needed');

  private constructor(
    /** The name of the acknowledgement, as messages show it. */
    public readonly value: string,
    /** What the acknowledgement says was done. */
    public readonly meaning: string) {}
}

/**
 * One acknowledgement written in code: `Acknowledge.change(...)`.
 */
export interface Acknowledgement {
  /** The path of the construct it was written on. */
  readonly path: string;
  /** The object, as `Kind namespace/name` (or `Kind name` for a cluster-scoped object). */
  readonly object: string;
  /** The change acknowledged. */
  readonly change: AcknowledgedChange;
  /** Why the change is safe: what was done by hand, when, where it is written down. */
  readonly reason: string;
}

/** `Kind namespace/name` or `Kind name`: a kind, one space, a name with at most one '/'. */
const OBJECT = /^[A-Z][A-Za-z0-9]* ([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

const REGISTRY = new WeakMap<IConstruct, Acknowledgement[]>();

/**
 * Acknowledgements in code of changes the safe-change check would refuse: the change
 * goes through, the reason stays in the code's history. An acknowledgement that no
 * refused change matches is itself refused (the change it acknowledged is in the
 * previous output now): remove it then.
 *
 * @example
 * Acknowledge.change(orders, 'StatefulSet orders/orders-db', AcknowledgedChange.RECREATE_STATEFULSET,
 *   'resized the claims by hand on 2026-12-06, see runbook X');
 */
export class Acknowledge {
  /**
   * Acknowledges a change of one object.
   *
   * @param scope where the acknowledgement is written (usually the bounded context);
   * its path is named when the acknowledgement is stale
   * @param object the object as the refusal names it: `Kind namespace/name`
   * (`StatefulSet orders/orders-db`), or `Kind name` for a cluster-scoped one
   * (`PriorityClass shop-critical`)
   * @param change what was done by hand, as the refusal names it
   * @param reason why it is safe: what was done, when, where it is written down
   * @returns the acknowledgement recorded
   */
  public static change(scope: IConstruct, object: string, change: AcknowledgedChange, reason: string): Acknowledgement {
    _checkType(scope, 'Acknowledge.change(object)', object, 'string', 'name the object as the refusal does, for example \'StatefulSet orders/orders-db\'');
    if (!OBJECT.test(object)) {
      throw _invalid(scope, 'Acknowledge.change(object)', object, 'must name one object as \'Kind namespace/name\' or, cluster-scoped, \'Kind name\'',
        'copy the object from the refusal, for example \'StatefulSet orders/orders-db\'');
    }
    _oneOf(scope, 'Acknowledge.change(change)', change, AcknowledgedChange);
    _checkType(scope, 'Acknowledge.change(reason)', reason, 'string', 'say what was done by hand, when, and where it is written down');
    if (reason.trim().length === 0) {
      throw _invalid(scope, 'Acknowledge.change(reason)', reason, 'must say why the change is safe',
        'say what was done by hand, when, and where it is written down', ErrorCode.MISSING_REQUIRED);
    }
    const all = REGISTRY.get(scope.node.root) ?? [];
    if (all.some(a => a.object === object && a.change === change)) {
      throw _invalid(scope, 'Acknowledge.change(object)', object, `must be acknowledged once for ${change.value}, but is acknowledged twice`,
        'remove one of the two', ErrorCode.DUPLICATE);
    }
    const ack: Acknowledgement = { path: scope.node.path, object, change, reason };
    all.push(ack);
    REGISTRY.set(scope.node.root, all);
    return ack;
  }
}

/**
 * The acknowledgements written in the app of `root`, in the order they were written.
 * @internal
 */
export function _acknowledgements(root: IConstruct): Acknowledgement[] {
  return [...(REGISTRY.get(root.node.root) ?? [])];
}

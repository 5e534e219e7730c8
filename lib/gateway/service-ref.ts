/** A route's reference to a Service. @internal */
export interface _ServiceRef {
  readonly group: '';
  readonly kind: 'Service';
  readonly name: string;
  readonly port: number;
  readonly weight?: number;
}

/**
 * A reference to a Service with the group and kind the API server would default
 * written out: a route's rules are an atomic list, and a controller that writes the
 * weights (Argo Rollouts' Gateway API plugin) takes ownership of all of them; a
 * re-apply is then accepted only if its rules equal the stored ones, defaults included.
 * @internal
 */
export function _serviceRef(name: string, port: number, weight?: number): _ServiceRef {
  return { group: '', kind: 'Service', name, port, ...(weight === undefined ? {} : { weight }) };
}

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

/**
 * A RequestMirror filter's body: a copy of each request to the Service `name`, for
 * `percent` of the requests (written only below 100, so that a release whose CRD has
 * no percent renders the field never). @internal
 */
export function _requestMirror(name: string, port: number, percent: number): { readonly backendRef: _ServiceRef; readonly percent?: number } {
  return { backendRef: _serviceRef(name, port), ...(percent < 100 ? { percent } : {}) };
}

import { IConstruct } from 'constructs';
import { k8s } from '../internal/k8s';

/**
 * A service mesh as the platform knows it: what a bounded context and a workload ask
 * of it while they render. Implemented by `ServiceMesh` (lib/mesh/), which renders
 * the mesh's own resources; the platform and its members only call these hooks, so
 * they depend on no mesh. Pass one as the Platform's `mesh`.
 */
export interface IServiceMesh {
  /** The mesh's name, for messages: 'Istio (sidecar)', 'Istio (ambient)'. */
  readonly name: string;
  /**
   * The labels that enrol a bounded context's namespace in the mesh.
   * @internal
   */
  _namespaceLabels(): { [key: string]: string };
  /**
   * The port the mesh tunnels calls through between pods, which each call's
   * NetworkPolicy rules (and those admitting a gateway's proxies or Prometheus) must
   * admit beside the callee's own port (ambient's HBONE port 15008); undefined when
   * calls keep their own port.
   * @internal
   */
  readonly _tunnelPort?: number;
  /**
   * Whether the mesh enforces a call's L7 settings (methods, paths, gRPC services,
   * timeouts, retries, circuit breaking); throws at `scope` with the reason when it does not.
   * @internal
   */
  _checkL7(scope: IConstruct, prop: string, value: unknown): void;
  /**
   * Whether the mesh renders each call's resilience (timeouts, retries, circuit
   * breaking) as routes and traffic policy of the callee.
   * @internal
   */
  readonly _routesCalls: boolean;
  /**
   * Renders a declared call's resilience (a `Connection` of `caller`) on the callee's
   * mesh route and traffic policy; throws when it contradicts another call to the port.
   * @internal
   */
  _renderCall(caller: IConstruct, call: object): void;
  /**
   * Renders what the mesh needs once per bounded context (mutual TLS required, every
   * call denied that is not allowed), in the context's chart.
   * @internal
   */
  _renderContext(context: IConstruct): void;
  /**
   * Renders who may call a workload (its declared callers, the gateways that route
   * to it, the Prometheus that scrapes it), under the workload.
   * @internal
   */
  _renderWorkload(workload: IConstruct): void;
}

/**
 * The ports of a NetworkPolicy rule that admits `ports` (TCP, in the order given) and,
 * when `mesh` tunnels calls between pods (Istio ambient's HBONE, 15008), its tunnel port
 * after them, from and to the same peers: every policy that lets a call, a gateway's
 * proxies or a scrape in asks here.
 * @internal
 */
export function _meshAwarePorts(mesh: IServiceMesh | undefined, ports: readonly number[]): k8s.NetworkPolicyPort[] {
  const tunnel = mesh?._tunnelPort;
  return [...ports, ...(tunnel !== undefined && !ports.includes(tunnel) ? [tunnel] : [])]
    .map(port => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
}

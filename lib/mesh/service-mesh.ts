import { IConstruct } from 'constructs';
import { _invalid } from '../internal/errors';
import { ErrorCode } from '../internal/configuration-error';
import { IServiceMesh } from '../platform/service-mesh';
import { BoundedContext } from '../platform/bounded-context';
import { Workload } from '../workloads/workload';
import { Connection } from '../workloads/workload-connections';
import { _renderContextPolicies, _renderWorkloadPolicy } from './mesh-authorization';
import { _renderCallResilience } from './mesh-routes';
import { _renderProbePolicy } from './kubelet-probes';

/**
 * How Istio's data plane runs: a proxy beside every pod (sidecar), or a node proxy
 * (ztunnel) that carries mutual TLS and L4 authorization without touching the pods
 * (ambient).
 */
export class IstioMode {
  /**
   * An Envoy sidecar injected into every pod of an enrolled namespace (label
   * `istio-injection=enabled`). Enforces L4 and L7 rules (methods, paths, gRPC
   * services) at the callee's own proxy. Requires Istio's CNI node agent: without it
   * the injected `istio-init` container needs NET_ADMIN and NET_RAW, which Pod
   * Security `restricted` (enforced in every bounded context) refuses.
   */
  public static readonly SIDECAR = new IstioMode('sidecar', { 'istio-injection': 'enabled' });

  /**
   * Ambient: the namespace is labelled `istio.io/dataplane-mode=ambient` and the
   * node's ztunnel carries calls between pods over HBONE (port 15008, which the
   * NetworkPolicies admitting calls, gateways' proxies and Prometheus then admit
   * too). ztunnel enforces L4 rules only (identities and ports); the library renders
   * no waypoint proxy, so a call that declares methods, paths or gRPC services is
   * refused in this mode. Each bounded
   * context gets a NetworkPolicy 'allow-kubelet-probes' admitting the kubelet's health
   * probes, which Istio's CNI node agent sends from 169.254.7.127.
   */
  public static readonly AMBIENT = new IstioMode('ambient', { 'istio.io/dataplane-mode': 'ambient' });

  private constructor(
    /** The mode's name: 'sidecar' or 'ambient'. */
    public readonly name: string,
    private readonly labels: { [key: string]: string }) {}

  /** The labels that enrol a namespace in this mode (a copy). */
  public get namespaceLabels(): { [key: string]: string } {
    return { ...this.labels };
  }
}

/** Options for Istio. */
export interface IstioOptions {
  /**
   * How the data plane runs.
   *
   * @default IstioMode.SIDECAR
   */
  readonly mode?: IstioMode;

  /**
   * The mesh's trust domain: the first part of every workload's identity
   * (`<trustDomain>/ns/<namespace>/sa/<serviceAccount>`), as istiod is configured
   * (`meshConfig.trustDomain`).
   *
   * @default 'cluster.local' (Istio's default, whatever the cluster's DNS domain)
   */
  readonly trustDomain?: string;

  /**
   * Whether Istio's CNI node agent (the `istio-cni` chart) is installed. Both modes
   * need it in namespaces that enforce Pod Security `restricted`, as every bounded
   * context does: ambient always, sidecar to do without the privileged `istio-init`
   * container. `false` is refused, at synth, rather than by the admission of every pod.
   *
   * @default true
   */
  readonly cniNodeAgent?: boolean;
}

/**
 * The service mesh a platform runs in (its `mesh` prop), rendered from the declared
 * calls. Istio first:
 * - every bounded context's namespace enrolled (the mode's label), with a
 *   `PeerAuthentication` 'default' requiring mutual TLS (STRICT) and an
 *   `AuthorizationPolicy` 'default-deny' that allows nothing;
 * - per workload, an `AuthorizationPolicy` named after it (like its NetworkPolicy)
 *   that allows exactly the identities of its declared callers on the called port
 *   (and the call's methods, paths or gRPC services), the proxies of the gateways
 *   that route to it, and the Prometheus that scrapes it, on their ports.
 *
 * Istio itself (istiod, the CNI node agent, and ztunnel in ambient mode) is installed
 * separately, with its CRDs; see README's "Service mesh".
 *
 * @example
 * new Platform(app, 'sales', { mesh: ServiceMesh.istio({ mode: IstioMode.SIDECAR }) })
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/
 */
export class ServiceMesh implements IServiceMesh {
  /** Istio, in sidecar or ambient mode. */
  public static istio(options: IstioOptions = {}): ServiceMesh {
    return new ServiceMesh(options);
  }

  /** The mesh's name, for messages. */
  public readonly name: string;
  /** The data plane's mode. */
  public readonly mode: IstioMode;
  /** The trust domain of the workloads' identities. */
  public readonly trustDomain: string;
  /** Whether Istio's CNI node agent is installed. */
  public readonly cniNodeAgent: boolean;
  /** @internal */
  public readonly _tunnelPort?: number;
  /** @internal */
  public readonly _routesCalls: boolean;
  private checked = false;

  private constructor(options: IstioOptions) {
    this.mode = options.mode ?? IstioMode.SIDECAR;
    this.trustDomain = options.trustDomain ?? 'cluster.local';
    this.cniNodeAgent = options.cniNodeAgent ?? true;
    this.name = `Istio (${this.mode instanceof IstioMode ? this.mode.name : String(this.mode)})`;
    this._tunnelPort = this.mode === IstioMode.AMBIENT ? 15008 : undefined;
    // ambient without a waypoint has no L7 proxy to carry routes and traffic policy
    this._routesCalls = this.mode === IstioMode.SIDECAR;
  }

  /** The identity of a ServiceAccount in the mesh, as AuthorizationPolicies name it. */
  public principal(namespace: string, serviceAccount: string): string {
    return `${this.trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
  }

  /** @internal */
  public _namespaceLabels(): { [key: string]: string } {
    return this.mode.namespaceLabels;
  }

  /** @internal */
  public _checkL7(scope: IConstruct, prop: string, value: unknown): void {
    if (this.mode === IstioMode.AMBIENT) {
      throw _invalid(scope, prop, value,
        'cannot be enforced by Istio in ambient mode without a waypoint proxy (ztunnel sees identities and ports only, not requests), and the library renders none',
        'use IstioMode.SIDECAR, or remove it from the call (its identity and port are still enforced)', ErrorCode.UNSUPPORTED_BY_IMPLEMENTATION);
    }
  }

  /** @internal */
  public _renderContext(context: IConstruct): void {
    if (!BoundedContext.isBoundedContext(context)) {
      throw _invalid(context, 'mesh', context.node.path, 'renders for a BoundedContext only', 'let the BoundedContext call it', ErrorCode.WRONG_TYPE);
    }
    this.check(context);
    _renderContextPolicies(context);
    // ambient: the kubelet's probes arrive from a link-local address the default-deny drops
    if (this.mode === IstioMode.AMBIENT) _renderProbePolicy(context);
  }

  /** @internal */
  public _renderWorkload(workload: IConstruct): void {
    if (!(workload instanceof Workload)) {
      throw _invalid(workload, 'mesh', workload.node.path, 'renders for a Workload only', 'let the Workload call it', ErrorCode.WRONG_TYPE);
    }
    _renderWorkloadPolicy(workload, this);
  }

  /** @internal */
  public _renderCall(caller: IConstruct, call: object): void {
    if (!(caller instanceof Workload)) {
      throw _invalid(caller, 'mesh', caller.node.path, 'renders calls of a Workload only', 'let the Workload call it', ErrorCode.WRONG_TYPE);
    }
    _renderCallResilience(caller, call as Connection);
  }

  private check(scope: IConstruct): void {
    if (this.checked) return;
    if (!(this.mode instanceof IstioMode)) {
      throw _invalid(scope, 'mesh.mode', String(this.mode), 'must be an IstioMode', 'use IstioMode.SIDECAR or IstioMode.AMBIENT', ErrorCode.UNKNOWN_OPTION);
    }
    if (typeof this.trustDomain !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(this.trustDomain)) {
      throw _invalid(scope, 'mesh.trustDomain', String(this.trustDomain), 'must be a DNS domain such as \'cluster.local\'',
        'use the trust domain istiod is configured with (meshConfig.trustDomain)', ErrorCode.INVALID_NAME);
    }
    if (this.cniNodeAgent !== true) {
      throw _invalid(scope, 'mesh.cniNodeAgent', String(this.cniNodeAgent),
        this.mode === IstioMode.AMBIENT
          ? 'must be true: ambient mode runs on Istio\'s CNI node agent'
          : 'must be true: without Istio\'s CNI node agent, sidecar injection adds the istio-init container (NET_ADMIN, NET_RAW), which Pod Security \'restricted\', enforced in every bounded context, refuses',
        'install Istio\'s CNI node agent (the istio-cni chart) and leave cniNodeAgent unset', ErrorCode.CONFLICT);
    }
    this.checked = true;
  }
}

import { k8s } from '../internal/k8s';
import { KubernetesVersion, _Feature } from '../platform/kubernetes-version';

/**
 * How the preStop delay (`preStopDelay`) waits before the container gets SIGTERM.
 *
 * @see https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/#hook-handler-implementations
 */
export class PreStopSleep {
  /**
   * The kubelet's own sleep where the platform's Kubernetes has it (1.30 and later),
   * else `sleep` run in the container. The default.
   */
  public static readonly AUTO = new PreStopSleep('auto');
  /**
   * Always the kubelet's own sleep: the image needs no `sleep` binary (distroless and
   * chiseled images). Refused when the platform targets a Kubernetes before 1.30.
   */
  public static readonly NATIVE = new PreStopSleep('native');
  /** Always `sleep` run in the container (the image must have it), for clusters that turned the native action off. */
  public static readonly EXEC = new PreStopSleep('exec');

  private constructor(
    /** The mode's name. */
    public readonly name: string,
  ) {}

  /** Whether the kubelet sleeps (rather than the container) on `version`. @internal */
  public _native(version: KubernetesVersion): boolean {
    return this === PreStopSleep.NATIVE || (this === PreStopSleep.AUTO && version._has(_Feature.NATIVE_SLEEP));
  }

  /** The container's `lifecycle`, or undefined without a delay. @internal */
  public _render(version: KubernetesVersion, seconds: number): k8s.Lifecycle | undefined {
    if (seconds <= 0) {
      return undefined;
    }
    return this._native(version)
      ? { preStop: { sleep: { seconds } } }
      : { preStop: { exec: { command: ['sleep', `${seconds}`] } } };
  }
}

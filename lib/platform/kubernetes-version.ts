import { IConstruct } from 'constructs';
import { _invalid } from '../internal/errors';
import { ErrorCode } from '../internal/configuration-error';

/**
 * A feature that not every Kubernetes release has (of pods, or of the API server
 * that validates a CRD), with the first minor release that has it on by default
 * (beta or GA).
 * @internal
 */
export class _Feature {
  /** The kubelet's own `sleep` preStop action (PodLifecycleSleepAction: beta and on by default in 1.30, GA in 1.34). */
  public static readonly NATIVE_SLEEP = new _Feature('the native preStop sleep action (lifecycle.preStop.sleep)', 30);
  /** Init containers with `restartPolicy: Always` (SidecarContainers: beta and on by default in 1.29, GA in 1.33). */
  public static readonly NATIVE_SIDECARS = new _Feature('native sidecars (init containers with restartPolicy Always)', 29);
  /** A Job's `podReplacementPolicy` (JobPodReplacementPolicy: beta and on by default in 1.29, GA in 1.34). */
  public static readonly JOB_POD_REPLACEMENT_POLICY = new _Feature('a Job\'s podReplacementPolicy', 29);
  /**
   * Gateway API's TLSRoute (standard channel from v1.5; the pinned CRD is
   * tools/crds.env's). Its CRD validates hostnames with the CEL rule
   * `self.all(h, !isIP(h))`: the Kubernetes IP library, which API servers take in
   * CRD rules from 1.31 (added in 1.30, usable in new rules one release later), so
   * an older API server refuses the CRD and no TLSRoute can be applied.
   */
  public static readonly GATEWAY_API_TLS_ROUTE = new _Feature('Gateway API\'s TLSRoute, whose CRD validates hostnames with the CEL IP library (isIP)', 31);

  private constructor(
    /** What the feature is, for messages. */
    public readonly description: string,
    /** The first 1.x minor release that has it on by default. */
    public readonly sinceMinor: number,
  ) {}
}

/**
 * The Kubernetes release a platform's YAML is for. It switches on what that release
 * supports (the native preStop sleep from 1.30, native sidecars from 1.29) and
 * refuses, at synth, a feature it lacks. The releases offered are those the
 * conformance run tests the library against: 1.27 (the API level of cdk8s-plus-27)
 * to 1.37.
 *
 * @example
 * new Platform(app, 'sales', { kubernetesVersion: KubernetesVersion.V1_31 })
 * @see https://kubernetes.io/releases/
 */
export class KubernetesVersion {
  /** Kubernetes 1.27: no native preStop sleep, no native sidecars. */
  public static readonly V1_27 = new KubernetesVersion(27);
  /** Kubernetes 1.28. */
  public static readonly V1_28 = new KubernetesVersion(28);
  /** Kubernetes 1.29: native sidecars, a Job's podReplacementPolicy. */
  public static readonly V1_29 = new KubernetesVersion(29);
  /** Kubernetes 1.30: the native preStop sleep. */
  public static readonly V1_30 = new KubernetesVersion(30);
  /** Kubernetes 1.31. */
  public static readonly V1_31 = new KubernetesVersion(31);
  /** Kubernetes 1.32. */
  public static readonly V1_32 = new KubernetesVersion(32);
  /** Kubernetes 1.33. */
  public static readonly V1_33 = new KubernetesVersion(33);
  /** Kubernetes 1.34. */
  public static readonly V1_34 = new KubernetesVersion(34);
  /** Kubernetes 1.35. */
  public static readonly V1_35 = new KubernetesVersion(35);
  /** Kubernetes 1.36. */
  public static readonly V1_36 = new KubernetesVersion(36);
  /** Kubernetes 1.37, the newest release the conformance run tests: the default target. */
  public static readonly V1_37 = new KubernetesVersion(37);

  /** The newest release the library is tested against (the default target). */
  public static readonly NEWEST = KubernetesVersion.V1_37;

  /** Every release offered, oldest first. */
  public static get ALL(): KubernetesVersion[] {
    return [27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37].map(minor => KubernetesVersion.of(`1.${minor}`));
  }

  /**
   * The release named `1.<minor>` (`'1.33'`, `'v1.33.4'`), for a version read from
   * configuration. A release the library is not tested against is refused where it is
   * used, by the Platform it is given to, with the platform's construct path.
   */
  public static of(version: string): KubernetesVersion {
    const minor = typeof version === 'string' ? /^v?1\.(\d{1,3})(\.\d+)?$/.exec(version)?.[1] : undefined;
    const found = minor === undefined ? undefined
      : (KubernetesVersion as unknown as { [key: string]: KubernetesVersion })[`V1_${Number(minor)}`];
    return found instanceof KubernetesVersion ? found : new KubernetesVersion(Number.NaN, String(version));
  }

  private constructor(
    /** The minor release number (37 for 1.37). */
    public readonly minor: number,
    /** What `of()` was given when it names no release the library offers. */
    private readonly unknown?: string,
  ) {}

  /**
   * Throws unless this is a release the library offers (`of()` of an unknown name
   * is refused here, where the construct path is known).
   * @internal
   */
  public _check(scope: IConstruct, prop: string): void {
    if (this.unknown !== undefined) {
      throw _invalid(scope, prop, this.unknown, 'must be a Kubernetes release from 1.27 to 1.37, such as \'1.33\'',
        'use one of the KubernetesVersion constants, or KubernetesVersion.of() with one of those releases', ErrorCode.UNKNOWN_OPTION);
    }
  }

  /** The release as Kubernetes names it: `1.37`. */
  public get name(): string {
    return `1.${this.minor}`;
  }

  /** Whether this release is `other` or newer. */
  public isAtLeast(other: KubernetesVersion): boolean {
    return this.minor >= other.minor;
  }

  /** Whether the release has `feature` on by default. @internal */
  public _has(feature: _Feature): boolean {
    return this.minor >= feature.sinceMinor;
  }

  /**
   * Throws unless the release has `feature`: `scope`'s `prop` (`value`) asked for it.
   * @internal
   */
  public _require(scope: IConstruct, feature: _Feature, prop: string, value: unknown, fallback: string): void {
    if (!this._has(feature)) {
      throw _invalid(scope, prop, value, `needs ${feature.description}, which Kubernetes has from 1.${feature.sinceMinor}, but the platform targets ${this.name}`,
        `raise the Platform's kubernetesVersion to KubernetesVersion.V1_${feature.sinceMinor} or later if every cluster runs it, or ${fallback}`, ErrorCode.UNSUPPORTED_BY_VERSION);
    }
  }
}

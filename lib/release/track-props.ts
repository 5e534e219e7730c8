import { Image } from '../platform/image';
import { _assertInteger, _instanceOf, _invalid } from '../internal/errors';
import { ErrorCode } from '../internal/configuration-error';
import type { IReleaseOwner } from '../workloads/release-track';
import type { ScalingProps } from '../workloads/scaling';
import { UpdateStrategy } from '../workloads/update-strategy';

/**
 * What every release says of its new track: the image it runs and how far it scales.
 */
export interface ReleaseTrackProps {
  /** The new version's image, run by the track beside the stable one (the service's `image`). */
  readonly image: Image;

  /**
   * The track's `app.kubernetes.io/version` label.
   *
   * @default - the image's version (its tag, or the start of its digest)
   */
  readonly version?: string;

  /**
   * The fewest replicas of the track, kept by its own HorizontalPodAutoscaler (the
   * track keeps the stable track's update strategy, surge and CPU target).
   *
   * @default - the stable track's minReplicas
   */
  readonly minReplicas?: number;

  /**
   * The most replicas of the track; the context's quota check counts the track at
   * this maximum, beside the stable track at its own.
   *
   * @default - the stable track's maxReplicas
   */
  readonly maxReplicas?: number;
}

/**
 * The track's image, version and scaling, checked and resolved against the service.
 * @internal
 */
export function _resolveTrack(owner: IReleaseOwner, prop: string, strategy: string, props: ReleaseTrackProps): { image: Image; version: string; scaling: ScalingProps } {
  if (props === undefined || props === null || typeof props !== 'object') {
    throw _invalid(owner, prop, String(props), `must be the props of a ${strategy} release`, `pass { image: Image.fromTag(repository, tag), ... }`, ErrorCode.WRONG_TYPE);
  }
  const progression = (props as { progression?: unknown }).progression;
  if (strategy !== 'canary' && progression !== undefined) {
    // plain JavaScript would pass it through unnoticed: only a canary has steps for a controller to take
    throw _invalid(owner, `${prop}.progression`, (progression as { controller?: string }).controller ?? String(progression), `must not be set on a ${strategy} release: an automated progression moves a canary's weight by steps`,
      'use Release.canary({ image, progression }), or remove progression', ErrorCode.CONFLICT);
  }
  const image = _instanceOf(owner, `${prop}.image`, props.image, Image, 'use Image.fromDigest(repository, digest), Image.fromTag(repository, tag) or Image.fromReference(reference)');
  const minReplicas = props.minReplicas ?? owner.minReplicas;
  const maxReplicas = props.maxReplicas ?? Math.max(owner.maxReplicas, minReplicas);
  _assertInteger(owner, `${prop}.minReplicas`, minReplicas, 1, 10000, 'run at least 1 replica of the track (2 or more for availability)');
  _assertInteger(owner, `${prop}.maxReplicas`, maxReplicas, 1, 10000, 'set maxReplicas to a whole number of at least minReplicas');
  if (maxReplicas < minReplicas) {
    throw _invalid(owner, `${prop}.maxReplicas`, maxReplicas, `must be at least '${prop}.minReplicas' (${minReplicas})`, 'raise maxReplicas or lower minReplicas', ErrorCode.CONFLICT);
  }
  // the stable track's rollout and CPU target: a track is the same service
  const scales = maxReplicas > minReplicas ? { targetCpuUtilization: owner.targetCpuUtilization } : {};
  const surge = owner.updateStrategy === UpdateStrategy.SURGE ? { maxSurge: owner.maxSurge } : {};
  return { image, version: props.version ?? image.version, scaling: { minReplicas, maxReplicas, updateStrategy: owner.updateStrategy, ...surge, ...scales } };
}

/**
 * Throws unless `value` is a whole number from `min` to 100, a percent.
 * @internal
 */
export function _assertPercent(owner: IReleaseOwner, prop: string, value: number, min: number, fix: string): void {
  _assertInteger(owner, prop, value, min, 100, fix);
}

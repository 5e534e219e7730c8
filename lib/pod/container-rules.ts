import { IConstruct } from 'constructs';
import type { _Resources } from '../platform/context-quota';
import { _checkType, _instanceOf, _invalid, _oneOf } from '../internal/errors';
import { Image, ImagePolicy, ImagePullPolicy } from '../platform/image';
import { k8s } from '../internal/k8s';
import { _formatBytes } from '../internal/quantity';
import { MountOptions, Volume } from './volume';
import { ErrorCode } from '../internal/configuration-error';

/**
 * The rules every container of a pod is held to, main container, init containers
 * and sidecars alike: the image pinned as the platform's policy asks, a pull policy
 * other than Always only for an image pinned by digest, mounts at separate absolute
 * paths, and scratch space that fits the container's limits.
 * @internal
 */

/** Throws unless `image` is pinned as `policy` asks and `pull` suits it. */
export function _checkImage(scope: IConstruct, prefix: string, image: Image, policy: ImagePolicy, pull: ImagePullPolicy): void {
  _instanceOf(scope, `${prefix}image`, image, Image, 'use Image.fromDigest(repository, digest), Image.fromTag(repository, tag) or Image.fromReference(reference)');
  _oneOf(scope, `${prefix}imagePullPolicy`, pull, ImagePullPolicy);
  const problem = image._problem(policy);
  if (problem) {
    throw _invalid(scope, `${prefix}image`, image.reference, problem.expected, problem.fix);
  }
  if (pull !== ImagePullPolicy.ALWAYS && image.digest === undefined) {
    throw _invalid(scope, `${prefix}imagePullPolicy`, pull.value,
      'must be Always unless the image is pinned by digest: a tag can move, and a node that has the image cached would run a stale one and skip the registry\'s credential check',
      'pin the image with Image.fromDigest (then IfNotPresent pulls the same content once per node), or use ImagePullPolicy.ALWAYS', ErrorCode.CONFLICT);
  }
}

/** Why kube-score's container-image-pull-policy does not apply to a digest-pinned image. */
export function _pullPolicyReason(container: string, pull: ImagePullPolicy): string {
  return `container ${container} runs an image pinned by digest with imagePullPolicy ${pull.value}: the digest names immutable content, so every node runs exactly that image`;
}

/** Throws unless the mount `path` is an absolute directory that overlaps none of `taken`. @internal */
export function _checkMountPath(scope: IConstruct, prop: string, path: string, taken: string[]): void {
  _checkType(scope, prop, path, 'string', 'use a path such as \'/var/run/secrets/db\'');
  if (!/^\/[^\s]*[^/\s]$/.test(path) || path.split('/').includes('..')) {
    throw _invalid(scope, prop, path, 'must be an absolute directory path without spaces or \'..\'', 'use a path such as \'/var/run/secrets/db\'');
  }
  const clash = taken.find(p => p === path || path.startsWith(`${p}/`) || p.startsWith(`${path}/`));
  if (clash) {
    throw _invalid(scope, prop, path, `must not overlap another mount of the container ('${clash}')`, 'choose a separate directory', ErrorCode.CONFLICT);
  }
}

/** The container's mount of `volume`, after checking the options. */
export function _volumeMount(scope: IConstruct, prop: string, volume: Volume, options: MountOptions): k8s.VolumeMount {
  _checkType(scope, `${prop}.options`, options, 'object', 'pass the mount options, for example { mountPath: \'/var/cache\' }');
  if (options.writable !== undefined) {
    _checkType(scope, `${prop}.writable`, options.writable, 'boolean', 'set writable to true, or leave it out for a read-only mount');
  }
  if (options.subPath !== undefined) {
    _checkType(scope, `${prop}.subPath`, options.subPath, 'string', 'use a path such as \'data\'');
  }
  if (options.writable && !volume._writable) {
    throw _invalid(scope, `${prop}.writable`, true, `must be false for a ${volume.kind} volume, which Kubernetes mounts read-only`,
      'remove writable, or write to an emptyDir volume', ErrorCode.CONFLICT);
  }
  const subPath = options.subPath;
  if (subPath !== undefined && (!/^[^/\s][^\s]*$/.test(subPath) || subPath.split('/').includes('..'))) {
    throw _invalid(scope, `${prop}.subPath`, subPath, 'must be a relative path inside the volume, without spaces or \'..\'', 'use a path such as \'data\'');
  }
  return {
    name: volume.name,
    mountPath: options.mountPath,
    ...(subPath !== undefined ? { subPath } : {}),
    readOnly: !options.writable,
  };
}

/**
 * Throws unless the scratch space a container mounts fits its limits: its /tmp and
 * every emptyDir on disk together within its ephemeral storage limit, every emptyDir
 * in memory together below its memory limit (tmpfs pages are charged to the
 * container that writes them, and the process needs memory of its own).
 */
export function _checkScratch(scope: IConstruct, prop: string, r: _Resources, tmpBytes: number, volumes: Volume[]): void {
  const distinct = [...new Set(volumes)];
  const disk = tmpBytes + distinct.reduce((n, v) => n + v._diskBytes, 0);
  if (disk > r.ephemeralStorageLimit) {
    throw _invalid(scope, prop, _formatBytes(disk),
      `(the container's /tmp and emptyDir volumes on disk together) must fit in its resources.ephemeralStorage.limit (${_formatBytes(r.ephemeralStorageLimit)}), or the kubelet evicts the pod when they fill up`,
      'shrink the volumes or tmpSize, or raise the ephemeral storage limit', ErrorCode.QUOTA_EXCEEDED);
  }
  const memory = distinct.reduce((n, v) => n + v._memoryBytes, 0);
  if (memory > 0 && memory >= r.memoryLimit) {
    throw _invalid(scope, prop, _formatBytes(memory),
      `(the container's emptyDir volumes in memory together) must stay below its resources.memory.limit (${_formatBytes(r.memoryLimit)}): tmpfs counts against the container's memory, and the process needs some too`,
      'shrink the volumes, or raise resources.memory.limit by their size', ErrorCode.QUOTA_EXCEEDED);
  }
}

/**
 * A pod's effective requests and limits, as the scheduler and the quota count them:
 * the app containers plus every sidecar, or the largest init container plus the
 * sidecars started before it, whichever is larger (per resource).
 *
 * @see https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/#resource-sharing-within-containers
 */
export function _podResources(main: _Resources, init: Array<{ resources: _Resources; sidecar: boolean }>): _Resources {
  const keys = Object.keys(main) as Array<keyof _Resources>;
  const out = {} as { -readonly [K in keyof _Resources]: number };
  for (const key of keys) {
    let sidecars = 0;
    let initPeak = 0;
    for (const c of init) {
      if (c.sidecar) {
        sidecars += c.resources[key];
        initPeak = Math.max(initPeak, sidecars);
      } else {
        initPeak = Math.max(initPeak, sidecars + c.resources[key]);
      }
    }
    out[key] = Math.max(main[key] + sidecars, initPeak);
  }
  return out;
}

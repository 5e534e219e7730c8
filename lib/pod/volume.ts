import { Duration, Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ServiceSecret } from '../config/secret-source';
import { _wholeSeconds } from '../internal/duration';
import { _assertDns1123Label, _assertDns1123Subdomain, _checkType, _compare, _instanceOf, _invalid, _oneOf } from '../internal/errors';
import { k8s } from '../internal/k8s';
import { _bytes, _formatBytes, _size } from '../internal/quantity';
import { AccessMode } from './volume-claim';
import { ErrorCode } from '../internal/configuration-error';

/**
 * Options of an emptyDir volume.
 */
export interface EmptyDirOptions {
  /**
   * The most the volume may hold. On disk it counts against the ephemeral storage
   * limit of every container that mounts it; in memory, against their memory limit.
   */
  readonly sizeLimit: Size;

  /**
   * Whether the volume lives in memory (tmpfs): fast, gone with the pod, and charged
   * to the memory of the containers that write it.
   *
   * @default false
   */
  readonly inMemory?: boolean;
}

/**
 * Options of a generic ephemeral volume: a PersistentVolumeClaim per pod, created
 * with the pod and deleted with it.
 */
export interface EphemeralVolumeOptions {
  /** The storage each pod's claim requests; counts against the context's storage quota for every pod at the peak. */
  readonly size: Size;

  /**
   * The StorageClass to provision from.
   *
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: string;

  /**
   * How the volume may be mounted.
   *
   * @default AccessMode.READ_WRITE_ONCE
   */
  readonly accessMode?: AccessMode;
}

/**
 * Options of a service account token projected into a volume.
 */
export interface ServiceAccountTokenOptions {
  /** Who the token is for (Vault's Kubernetes auth role, a cloud's workload identity, ...): the `aud` claim. */
  readonly audience: string;

  /**
   * How long the token lives; the kubelet renews it at 80 %. At least 10 minutes.
   *
   * @default Duration.hours(1)
   */
  readonly expiration?: Duration;

  /**
   * The file name of the token in the volume.
   *
   * @default 'token'
   */
  readonly path?: string;
}

/**
 * One source of a projected volume.
 *
 * @see https://kubernetes.io/docs/concepts/storage/projected-volumes/
 */
export class ProjectedSource {
  /** The keys of one of the workload's secrets (what `addSecret` returned), one file per key. */
  public static secret(secret: ServiceSecret): ProjectedSource {
    return new ProjectedSource('secret', secret.secretName, { secret: { name: secret.secretName } });
  }

  /**
   * The keys of a ConfigMap that exists in the namespace (such as `kube-root-ca.crt`,
   * or a trust bundle another tool distributes), one file per key.
   */
  public static configMap(configMapName: string): ProjectedSource {
    return new ProjectedSource('configMap', configMapName, { configMap: { name: configMapName } });
  }

  /** The pod's labels and annotations, as the files `labels` and `annotations`. */
  public static podMetadata(): ProjectedSource {
    return new ProjectedSource('podMetadata', '', {
      downwardApi: {
        items: [
          { path: 'labels', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.labels' } },
          { path: 'annotations', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.annotations' } },
        ],
      },
    });
  }

  /**
   * A short-lived token of the workload's ServiceAccount for `audience` (not the
   * Kubernetes API: that token comes with `grantAccess`).
   */
  public static serviceAccountToken(options: ServiceAccountTokenOptions): ProjectedSource {
    return new ProjectedSource('serviceAccountToken', options?.audience, {}, options ?? ({} as ServiceAccountTokenOptions));
  }

  private constructor(
    /** @internal */ public readonly _kind: string,
    /** @internal */ public readonly _name: string,
    private readonly source: k8s.VolumeProjection,
    private readonly token?: ServiceAccountTokenOptions,
  ) {}

  /** @internal */
  public _render(scope: IConstruct, prop: string): k8s.VolumeProjection {
    switch (this._kind) {
      case 'configMap':
        _assertDns1123Subdomain(scope, `${prop}.configMap`, this._name, 'name the ConfigMap as `kubectl get configmaps` shows it');
        return this.source;
      case 'serviceAccountToken': {
        const t = this.token!;
        _checkType(scope, `${prop}.audience`, t.audience, 'string', 'use the audience the receiving system expects, for example \'vault\'');
        if (typeof t.audience !== 'string' || t.audience.trim().length === 0 || /\s/.test(t.audience)) {
          throw _invalid(scope, `${prop}.audience`, t.audience, 'must name who the token is for, without spaces',
            'use the audience the receiving system expects, for example \'vault\'');
        }
        const path = t.path ?? 'token';
        checkFileName(scope, `${prop}.path`, path);
        const seconds = _wholeSeconds(scope, `${prop}.expiration`, t.expiration ?? Duration.hours(1), 600);
        return { serviceAccountToken: { audience: t.audience, expirationSeconds: seconds, path } };
      }
      default:
        return this.source;
    }
  }
}

function checkFileName(scope: IConstruct, prop: string, name: string): void {
  if (!/^[-._a-zA-Z0-9]+$/.test(name) || name === '.' || name === '..') {
    throw _invalid(scope, prop, name, 'must be a file name of letters, digits, \'-\', \'_\' and \'.\'', 'use a plain file name such as \'token\'', ErrorCode.INVALID_NAME);
  }
}

type Source =
  | { kind: 'emptyDir'; options: EmptyDirOptions }
  | { kind: 'ephemeral'; options: EphemeralVolumeOptions }
  | { kind: 'projected'; sources: ProjectedSource[] }
  | { kind: 'claim'; claimName: string };

/**
 * A volume a workload's containers mount: scratch space (`emptyDir`), a claim per
 * pod (`ephemeral`), several sources in one directory (`projected`), or an existing
 * PersistentVolumeClaim (`fromClaimName`). Add it with `workload.addVolume()` (the
 * main container) or a sidecar's or init container's `addVolume()`; containers that
 * mount the same Volume share it. Mounts are read-only unless `writable` is set.
 * (Configuration files and secrets have their own verbs: `addConfigFile`, `addSecret`.)
 *
 * @example
 * const cache = Volume.emptyDir('cache', { sizeLimit: Size.mebibytes(256) });
 * products.addVolume(cache, { mountPath: '/var/cache/products', writable: true });
 * @see https://kubernetes.io/docs/concepts/storage/volumes/
 */
export class Volume {
  /** Scratch space that lives as long as the pod, on the node's disk or in memory. */
  public static emptyDir(name: string, options: EmptyDirOptions): Volume {
    return new Volume(name, { kind: 'emptyDir', options });
  }

  /**
   * A generic ephemeral volume: each pod gets its own PersistentVolumeClaim from a
   * StorageClass, deleted with the pod (scratch space larger than a node's disk
   * should hold). The context's quota check counts one claim per pod at the peak.
   */
  public static ephemeral(name: string, options: EphemeralVolumeOptions): Volume {
    return new Volume(name, { kind: 'ephemeral', options });
  }

  /** Several sources (secrets, ConfigMaps, pod metadata, audience-bound tokens) in one directory, always read-only. */
  public static projected(name: string, sources: ProjectedSource[]): Volume {
    // checked with the workload's path in _check: plain JavaScript may pass anything
    return new Volume(name, { kind: 'projected', sources: Array.isArray(sources) ? [...sources] : sources });
  }

  /** A PersistentVolumeClaim created elsewhere, in the workload's namespace. */
  public static fromClaimName(name: string, claimName: string): Volume {
    return new Volume(name, { kind: 'claim', claimName });
  }

  private constructor(
    /** The volume's name in the pod (a DNS label, unique in the pod). */
    public readonly name: string,
    private readonly source: Source,
  ) {}

  /** The kind of volume: `emptyDir`, `ephemeral`, `projected` or `persistentVolumeClaim`. */
  public get kind(): string {
    return this.source.kind === 'claim' ? 'persistentVolumeClaim' : this.source.kind;
  }

  /** Bytes of node disk the volume may use (an emptyDir on disk), else 0. @internal */
  public get _diskBytes(): number {
    return this.source.kind === 'emptyDir' && !this.source.options.inMemory ? _bytes(this.source.options.sizeLimit) : 0;
  }

  /** Bytes of memory the volume may use (an emptyDir in memory), else 0. @internal */
  public get _memoryBytes(): number {
    return this.source.kind === 'emptyDir' && this.source.options.inMemory ? _bytes(this.source.options.sizeLimit) : 0;
  }

  /** Bytes of storage each pod's claim requests (an ephemeral volume), else 0. @internal */
  public get _claimBytes(): number {
    return this.source.kind === 'ephemeral' ? _bytes(this.source.options.size) : 0;
  }

  /** Whether containers may write it. @internal */
  public get _writable(): boolean {
    return this.source.kind !== 'projected';
  }

  /**
   * Throws unless the volume is well-formed and fits the context's storage quota.
   * @internal
   */
  public _check(scope: IConstruct, prop: string, storageQuota: number, quotaPath: string): void {
    _assertDns1123Label(scope, `${prop}.name`, this.name);
    if (['tmp', 'config', 'kube-api-access'].includes(this.name) || /^(secret|tmp)-/.test(this.name)) {
      throw _invalid(scope, `${prop}.name`, this.name, 'must not be the name of a volume the pod has already (tmp, tmp-*, config, kube-api-access, secret-*)',
        'name the volume after what it holds, for example \'cache\'', ErrorCode.RESERVED_NAME);
    }
    const s = this.source;
    const positive = (what: string, bytes: number, example: string) => {
      if (!(bytes > 0)) {
        throw _invalid(scope, `${prop}.${what}`, _formatBytes(bytes), 'must be greater than zero', `give the size it needs, for example ${example}`, ErrorCode.OUT_OF_RANGE);
      }
    };
    switch (s.kind) {
      case 'emptyDir':
        positive('sizeLimit', _size(scope, `${prop}.sizeLimit`, s.options?.sizeLimit), 'Size.mebibytes(256)');
        if (s.options.inMemory !== undefined) {
          _checkType(scope, `${prop}.inMemory`, s.options.inMemory, 'boolean', 'set inMemory to true, or leave it out for a volume on disk');
        }
        break;
      case 'ephemeral':
        positive('size', _size(scope, `${prop}.size`, s.options?.size), 'Size.gibibytes(10)');
        if (s.options.accessMode !== undefined) {
          _oneOf(scope, `${prop}.accessMode`, s.options.accessMode, AccessMode);
        }
        if (this._claimBytes > storageQuota) {
          throw _invalid(scope, `${prop}.size`, _formatBytes(this._claimBytes),
            `must fit the context's storage quota (quota.storage ${_formatBytes(storageQuota)}), or the claim is never admitted`,
            `shrink the volume, or raise quota.storage of ${quotaPath}`, ErrorCode.QUOTA_EXCEEDED);
        }
        if (s.options.storageClass !== undefined) {
          _assertDns1123Subdomain(scope, `${prop}.storageClass`, s.options.storageClass, 'name the StorageClass as `kubectl get storageclasses` shows it');
        }
        break;
      case 'projected': {
        _checkType(scope, `${prop}.sources`, s.sources, 'array', 'pass a list of ProjectedSource');
        s.sources.forEach((source, i) => _instanceOf(scope, `${prop}.sources[${i}]`, source, ProjectedSource,
          'use ProjectedSource.secret, configMap, podMetadata or serviceAccountToken'));
        if (s.sources.length === 0) {
          throw _invalid(scope, `${prop}.sources`, [], 'must list at least one source', 'add a ProjectedSource, or use another kind of volume', ErrorCode.MISSING_REQUIRED);
        }
        const seen = new Set<string>();
        s.sources.forEach((source, i) => {
          source._render(scope, `${prop}.sources[${i}]`);
          const key = `${source._kind}/${source._name}`;
          if (seen.has(key)) {
            throw _invalid(scope, `${prop}.sources[${i}]`, key, 'must not repeat a source of the volume', 'list each source once', ErrorCode.DUPLICATE);
          }
          seen.add(key);
        });
        break;
      }
      case 'claim':
        _assertDns1123Subdomain(scope, `${prop}.claimName`, s.claimName, 'name the PersistentVolumeClaim as `kubectl get pvc` shows it');
        break;
    }
  }

  /** The pod's `volumes` entry. @internal */
  public _render(scope: IConstruct, prop: string, labels: { [key: string]: string }): k8s.Volume {
    const q = (bytes: number) => k8s.Quantity.fromString(_formatBytes(bytes));
    const s = this.source;
    switch (s.kind) {
      case 'emptyDir':
        return { name: this.name, emptyDir: { ...(s.options.inMemory ? { medium: 'Memory' } : {}), sizeLimit: q(_bytes(s.options.sizeLimit)) } };
      case 'ephemeral':
        return {
          name: this.name,
          ephemeral: {
            volumeClaimTemplate: {
              metadata: { labels: Object.fromEntries(Object.entries(labels).sort(([a], [b]) => _compare(a, b))) },
              spec: {
                accessModes: [(s.options.accessMode ?? AccessMode.READ_WRITE_ONCE).value],
                ...(s.options.storageClass !== undefined ? { storageClassName: s.options.storageClass } : {}),
                resources: { requests: { storage: q(this._claimBytes) } },
              },
            },
          },
        };
      case 'projected':
        return { name: this.name, projected: { defaultMode: 0o440, sources: s.sources.map((src, i) => src._render(scope, `${prop}.sources[${i}]`)) } };
      case 'claim':
        return { name: this.name, persistentVolumeClaim: { claimName: s.claimName } };
    }
  }
}

/**
 * Where and how a container mounts a volume.
 */
export interface MountOptions {
  /** The directory in the container (absolute, not overlapping another mount). */
  readonly mountPath: string;

  /**
   * Whether the container may write to the volume. A projected volume is always
   * read-only.
   *
   * @default false (mounted read-only)
   */
  readonly writable?: boolean;

  /**
   * A directory inside the volume to mount instead of its root.
   *
   * @default - the volume's root
   */
  readonly subPath?: string;
}

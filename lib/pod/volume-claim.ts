import { Size } from 'cdk8s';
import { k8s } from '../internal/k8s';
import { IConstruct } from 'constructs';
import { _assertDns1123Label, _assertDns1123Subdomain, _checkType, _instanceOf, _invalid, _oneOf } from '../internal/errors';
import { _bytes, _formatBytes } from '../internal/quantity';
import { ErrorCode } from '../internal/configuration-error';

/**
 * How a persistent volume may be mounted.
 *
 * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes
 */
export class AccessMode {
  /** Read-write by the pods of one node. */
  public static readonly READ_WRITE_ONCE = new AccessMode('ReadWriteOnce');
  /** Read-write by one pod only (Kubernetes 1.27 and later, CSI volumes). */
  public static readonly READ_WRITE_ONCE_POD = new AccessMode('ReadWriteOncePod');
  /** Read-only by many nodes. */
  public static readonly READ_ONLY_MANY = new AccessMode('ReadOnlyMany');
  /** Read-write by many nodes. */
  public static readonly READ_WRITE_MANY = new AccessMode('ReadWriteMany');

  private constructor(
    /** The Kubernetes name of the mode. */
    public readonly value: string,
  ) {}
}

/**
 * Options of a volume claim.
 */
export interface VolumeClaimOptions {
  /** The storage each pod's claim requests. */
  readonly size: Size;

  /** Where the volume is mounted in the container (writable). */
  readonly mountPath: string;

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
 * A persistent volume per pod of a StatefulService, rendered as one of the
 * StatefulSet's `volumeClaimTemplates`: pod `<store>-N` gets the claim
 * `<name>-<store>-N`, which outlives the pod (and, by default, the StatefulSet).
 *
 * @example
 * VolumeClaim.of('data', { size: Size.gibibytes(10), mountPath: '/data', storageClass: 'fast-ssd' })
 */
export class VolumeClaim {
  /** A claim named `name` (a DNS label). */
  public static of(name: string, options: VolumeClaimOptions): VolumeClaim {
    return new VolumeClaim(name, options);
  }

  /** The claim template's name, also the volume's name in the pod. */
  public readonly name: string;
  /** The storage each claim requests. */
  public readonly size: Size;
  /** Where the volume is mounted. */
  public readonly mountPath: string;
  /** The StorageClass, if one was named. */
  public readonly storageClass?: string;
  /** The access mode. */
  public readonly accessMode: AccessMode;

  private constructor(name: string, options: VolumeClaimOptions) {
    // checked with the workload's path in _check: plain JavaScript may pass nothing
    options = options ?? {};
    this.name = name;
    this.size = options.size;
    this.mountPath = options.mountPath;
    this.storageClass = options.storageClass;
    this.accessMode = options.accessMode ?? AccessMode.READ_WRITE_ONCE;
  }

  /** The requested storage in bytes. @internal */
  public get _bytes(): number {
    return _bytes(this.size);
  }

  /**
   * Throws unless the claim is valid and fits the context's storage quota.
   * @internal
   */
  public _check(scope: IConstruct, storageQuota: number, quotaPath: string): void {
    const prop = `claims[${this.name}]`;
    _assertDns1123Label(scope, `${prop}.name`, this.name);
    _instanceOf(scope, `${prop}.size`, this.size, Size, 'request the storage the data needs, for example Size.gibibytes(10)');
    _checkType(scope, `${prop}.mountPath`, this.mountPath, 'string', 'mount it at a path such as \'/data\'');
    _oneOf(scope, `${prop}.accessMode`, this.accessMode, AccessMode);
    if (['tmp', 'config', 'kube-api-access'].includes(this.name) || this.name.startsWith('secret-')) {
      throw _invalid(scope, `${prop}.name`, this.name, 'must not be the name of a volume the pod has already (tmp, config, kube-api-access, secret-*)',
        'name the claim after its data, for example \'data\'', ErrorCode.RESERVED_NAME);
    }
    if (!(this._bytes > 0)) {
      throw _invalid(scope, `${prop}.size`, _formatBytes(this._bytes), 'must be greater than zero', 'request the storage the data needs, for example Size.gibibytes(10)', ErrorCode.OUT_OF_RANGE);
    }
    if (this._bytes > storageQuota) {
      throw _invalid(scope, `${prop}.size`, _formatBytes(this._bytes),
        `must fit the context's storage quota (quota.storage ${_formatBytes(storageQuota)}), or the claim is never admitted`,
        `shrink the claim, or raise quota.storage of ${quotaPath}`, ErrorCode.QUOTA_EXCEEDED);
    }
    if (this.storageClass !== undefined) {
      _assertDns1123Subdomain(scope, `${prop}.storageClass`, this.storageClass, 'name the StorageClass as `kubectl get storageclasses` shows it');
    }
    _checkFreshAccessMode(scope, `${prop}.accessMode`, this.accessMode);
  }

  /** @internal */
  public _render(labels: { [key: string]: string }): k8s.KubePersistentVolumeClaimProps {
    return {
      metadata: { name: this.name, labels },
      spec: {
        accessModes: [this.accessMode.value],
        ...(this.storageClass !== undefined ? { storageClassName: this.storageClass } : {}),
        resources: { requests: { storage: k8s.Quantity.fromString(_formatBytes(this._bytes)) } },
      },
    };
  }
}

/**
 * Throws when a claim that starts empty (a store's claim template, an ephemeral
 * volume) is read-only: nothing could ever write its first data.
 * @internal
 */
export function _checkFreshAccessMode(scope: IConstruct, prop: string, mode: AccessMode | undefined): void {
  if (mode === AccessMode.READ_ONLY_MANY) {
    throw _invalid(scope, prop, mode.value,
      'must let the pods write: the claim is provisioned empty, and with a read-only access mode nothing can ever write its first data',
      'use AccessMode.READ_WRITE_ONCE (the default) or READ_WRITE_ONCE_POD; to share existing data read-only, mount its claim with Volume.fromClaimName',
      ErrorCode.INVALID_VALUE);
  }
}

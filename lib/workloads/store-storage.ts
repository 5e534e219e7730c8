import { Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { _checkType } from '../internal/errors';
import { Volume } from '../pod/volume';

/** The name of the scratch volume of a store, the name of a store's default claim too. */
const SCRATCH_VOLUME = 'data';

/**
 * Options of a store's scratch storage: an emptyDir per pod.
 */
export interface ScratchStorageOptions {
  /**
   * The most each pod's scratch space may hold. On disk it counts, with /tmp, against
   * the container's ephemeral storage limit; in memory, against its memory limit.
   */
  readonly sizeLimit: Size;

  /**
   * Whether the data lives in memory (tmpfs) rather than on the node's disk: fast,
   * and charged to the container's memory.
   *
   * @default false
   */
  readonly inMemory?: boolean;

  /**
   * Where the main container mounts the volume (writable).
   *
   * @default '/data'
   */
  readonly mountPath?: string;
}

/**
 * Where a StatefulService keeps its data: in persistent claims that outlive the pods
 * (`PERSISTENT`, the store's `claims`), or in scratch space that starts empty with
 * each pod and is gone with it (`scratch`), for a cache whose data can be rebuilt.
 *
 * @example
 * StoreStorage.scratch({ sizeLimit: Size.mebibytes(256), inMemory: true })
 * @see https://kubernetes.io/docs/concepts/storage/volumes/#emptydir
 */
export class StoreStorage {
  /** Each pod's own PersistentVolumeClaims, the store's `claims` (`volumeClaimTemplates`): the data outlives the pods. */
  public static readonly PERSISTENT = new StoreStorage('persistent');

  /**
   * An emptyDir per pod named 'data', on the node's disk or in memory: no claims,
   * nothing counted against the context's claim and storage quota, and the data is
   * gone whenever a pod is replaced (a cache that keeps nothing).
   */
  public static scratch(options: ScratchStorageOptions): StoreStorage {
    // checked with the store's path in _check: plain JavaScript may pass nothing
    return new StoreStorage('scratch', options ?? ({} as ScratchStorageOptions));
  }

  private constructor(
    /** 'persistent' (claims) or 'scratch' (an emptyDir). */
    public readonly kind: string,
    private readonly options?: ScratchStorageOptions,
  ) {}

  /** The volume and where to mount it, for scratch storage; else undefined. @internal */
  public _scratch(scope: IConstruct, prop: string): { volume: Volume; mountPath: string } | undefined {
    const o = this.options;
    if (o === undefined) {
      return undefined;
    }
    const mountPath = o.mountPath ?? '/data';
    _checkType(scope, `${prop}.mountPath`, mountPath, 'string', 'mount it at a path such as \'/data\'');
    return { volume: Volume.emptyDir(SCRATCH_VOLUME, { sizeLimit: o.sizeLimit, inMemory: o.inMemory }), mountPath };
  }
}

import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';

/**
 * The ResourceQuota of a bounded context: what all its pods together may ask for,
 * so that no context starves another.
 *
 * `services.nodeports` and `services.loadbalancers` are always 0: traffic from
 * outside the cluster enters only through the platform's gateway.
 *
 * @see https://kubernetes.io/docs/concepts/policy/resource-quotas/
 */
export interface ContextQuota {
  /** Sum of CPU requests. @default Cpu.units(8) */
  readonly cpuRequests?: Cpu;
  /** Sum of CPU limits. @default Cpu.units(16) */
  readonly cpuLimits?: Cpu;
  /** Sum of memory requests. @default Size.gibibytes(16) */
  readonly memoryRequests?: Size;
  /** Sum of memory limits. @default Size.gibibytes(32) */
  readonly memoryLimits?: Size;
  /** Sum of ephemeral storage requests. @default Size.gibibytes(16) */
  readonly ephemeralStorageRequests?: Size;
  /** Sum of ephemeral storage limits. @default Size.gibibytes(32) */
  readonly ephemeralStorageLimits?: Size;
  /** Number of pods. @default 50 */
  readonly pods?: number;
  /** Number of Services. @default 20 */
  readonly services?: number;
  /** Number of PersistentVolumeClaims. @default 10 */
  readonly persistentVolumeClaims?: number;
  /** Sum of storage requested by PersistentVolumeClaims. @default Size.gibibytes(100) */
  readonly storage?: Size;
  /** Number of ConfigMaps. @default 50 */
  readonly configMaps?: number;
  /** Number of Secrets. @default 50 */
  readonly secrets?: number;
}

/**
 * The LimitRange of a bounded context: the requests and limits a container gets
 * when it declares none, and the most one container may have. The defaults are
 * also the defaults of every Microservice in the context.
 *
 * @see https://kubernetes.io/docs/concepts/policy/limit-range/
 */
export interface ContainerLimits {
  /** CPU request of a container that sets none. @default Cpu.millis(100) */
  readonly defaultCpuRequest?: Cpu;
  /** CPU limit of a container that sets none. @default Cpu.millis(500) */
  readonly defaultCpuLimit?: Cpu;
  /** Memory request of a container that sets none. @default Size.mebibytes(256) */
  readonly defaultMemoryRequest?: Size;
  /** Memory limit of a container that sets none. @default Size.mebibytes(256) */
  readonly defaultMemoryLimit?: Size;
  /** Ephemeral storage request of a container that sets none. @default Size.mebibytes(128) */
  readonly defaultEphemeralStorageRequest?: Size;
  /** Ephemeral storage limit of a container that sets none. @default Size.mebibytes(512) */
  readonly defaultEphemeralStorageLimit?: Size;
  /** The most CPU one container may be limited to. @default Cpu.units(2) */
  readonly maxCpu?: Cpu;
  /** The most memory one container may be limited to. @default Size.gibibytes(4) */
  readonly maxMemory?: Size;
  /** The most ephemeral storage one container may be limited to. @default Size.gibibytes(2) */
  readonly maxEphemeralStorage?: Size;
}

/**
 * Resource amounts in plain numbers: millicores and bytes.
 * @internal
 */
export interface _Resources {
  readonly cpuRequest: number;
  readonly cpuLimit: number;
  readonly memoryRequest: number;
  readonly memoryLimit: number;
  readonly ephemeralStorageRequest: number;
  readonly ephemeralStorageLimit: number;
}

/** Resolved quota, in plain numbers. @internal */
export interface _ResolvedQuota {
  readonly cpuRequests: number;
  readonly cpuLimits: number;
  readonly memoryRequests: number;
  readonly memoryLimits: number;
  readonly ephemeralStorageRequests: number;
  readonly ephemeralStorageLimits: number;
  readonly pods: number;
  readonly services: number;
  readonly persistentVolumeClaims: number;
  readonly storage: number;
  readonly configMaps: number;
  readonly secrets: number;
}

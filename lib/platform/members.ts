import { IConstruct } from 'constructs';
import type { _Resources } from './context-quota';

/**
 * What a workload needs from its context's quota at its peak.
 * @internal
 */
export interface _Footprint {
  /** Pods at once at the peak (maximum scale during a rolling update, parallel runs). */
  readonly peakPods: number;
  /** Resources of one pod. */
  readonly perPod: _Resources;
  /** Services rendered. */
  readonly services: number;
  /** ConfigMaps rendered. */
  readonly configMaps: number;
  /** Secrets used. */
  readonly secrets: number;
  /** PersistentVolumeClaims at the peak. */
  readonly claims: number;
  /** Bytes of storage those claims request. */
  readonly storage: number;
  /** Names of the Secrets the kubelet pulls images with (shared by workloads: counted once). */
  readonly pullSecrets: string[];
}

/**
 * A workload as its bounded context keeps it: its name, how errors name its kind,
 * and what it needs from the context's quota. Every workload kind is one; the typed
 * lookups are statics on the kinds (`Workload.all(context)`, `Microservice.all(context)`).
 */
export interface IContextMember extends IConstruct {
  /** The name, unique in the bounded context. */
  readonly name: string;
  /**
   * How errors and reasons name its kind: 'service', 'worker', 'store', ...
   * @internal
   */
  readonly _kindNoun: string;
  /**
   * What it needs from the context's quota at its peak.
   * @internal
   */
  _footprint(): _Footprint;
}

/**
 * A bounded context as its platform keeps it: its namespace, unique in the
 * platform, and its microservices for the platform's lookup. The typed lookup is
 * `BoundedContext.all(platform)`.
 */
export interface IPlatformMember extends IConstruct {
  /** The namespace, the context's name. */
  readonly namespaceName: string;
  /**
   * The context's microservices, in the order they were created (a copy).
   * @internal
   */
  readonly _services: IContextMember[];
}

import { Duration, Size } from 'cdk8s';
import { ContainerResources } from 'cdk8s-plus-27';
import { Image, ImagePullPolicy } from '../platform/image';
import { PreStopSleep } from '../pod/pre-stop';
import { Port } from '../pod/port';
import { PriorityTier } from '../platform/priority-tier';
import { ContainerProbeProps } from '../pod/probe';

/**
 * Properties every workload kind shares: the container, its configuration and its
 * identity.
 */
export interface WorkloadProps {
  /** The container image, pinned by tag or digest. */
  readonly image: Image;

  /**
   * Requests and limits for CPU, memory and ephemeral storage. A missing request
   * defaults to the context's default request (capped at the limit given); a
   * missing limit to the context's default limit (raised to the request given).
   *
   * @default - the bounded context's container defaults
   */
  readonly resources?: ContainerResources;

  /**
   * The scheduling tier.
   *
   * @default PriorityTier.STANDARD
   */
  readonly priority?: PriorityTier;

  /**
   * Configuration as environment variables (12-factor). Names are C identifiers.
   * The values live in the workload's immutable ConfigMap; values that look like
   * credentials are refused (use `addSecret`).
   *
   * @default - none besides the URLs of the services it calls
   */
  readonly env?: { [name: string]: string };

  /**
   * Configuration files, by file name, mounted read-only in `configDir`. They live
   * in the workload's immutable ConfigMap, next to the environment values.
   *
   * @default - no configuration files
   */
  readonly configFiles?: { [fileName: string]: string };

  /**
   * The directory the configuration files are mounted in.
   *
   * @default '/etc/config'
   */
  readonly configDir?: string;

  /**
   * The container's entrypoint.
   *
   * @default - the image's ENTRYPOINT
   */
  readonly command?: string[];

  /**
   * Arguments to the entrypoint.
   *
   * @default - the image's CMD
   */
  readonly args?: string[];

  /**
   * The role in the architecture, as `app.kubernetes.io/component`.
   *
   * @default - 'backend' for a Microservice, 'worker' for a Worker, 'store' for a
   * StatefulService, 'job' for a Job and 'cronjob' for a CronJob
   */
  readonly component?: string;

  /**
   * The version, as `app.kubernetes.io/version`.
   *
   * @default - the image tag, or the first 12 hex digits of its digest
   */
  readonly version?: string;

  /**
   * The user id the container runs as; at least 10000, clear of host users, unless
   * `lowUserIdReason` says why not.
   *
   * @default 10001
   */
  readonly runAsUser?: number;

  /**
   * The group id the container runs as (also the fsGroup); at least 10000, unless
   * `lowUserIdReason` says why not.
   *
   * @default 10001
   */
  readonly runAsGroup?: number;

  /**
   * Why the container runs with a user or group id below 10000 (an image that
   * hard-codes its user, such as postgres' 999). Rendered as kube-score's suppression
   * of container-security-context-user-group-id, with this reason. Root (0) is never
   * allowed.
   *
   * @default - ids below 10000 are refused
   */
  readonly lowUserIdReason?: string;

  /**
   * The main container's name (`kubectl logs -c`, `kubectl exec -c`).
   *
   * @default - the workload's name
   */
  readonly containerName?: string;

  /**
   * When the kubelet pulls the image. Other than Always only for an image pinned by
   * digest (a tag can move, and a cached image skips the registry's credential
   * check); kube-score's container-image-pull-policy is then suppressed with that reason.
   *
   * @default ImagePullPolicy.ALWAYS
   */
  readonly imagePullPolicy?: ImagePullPolicy;

  /**
   * Secrets of type `kubernetes.io/dockerconfigjson` in the namespace, created out of
   * band (or by an ExternalSecret), that the kubelet pulls the images with.
   *
   * @default - none (public images, or node credentials)
   */
  readonly imagePullSecrets?: string[];

  /**
   * Labels added to the pods (a mesh's `istio.io/rev`, a cost centre). The selector
   * and recommended labels (`app.kubernetes.io/*`), the library's own and those
   * Kubernetes reserves cannot be overridden.
   *
   * @default - only the library's labels
   */
  readonly podLabels?: { [key: string]: string };

  /**
   * Annotations added to the pods (a mesh's `sidecar.istio.io/inject`, a log
   * parser's). Linter suppressions cannot be written here: they need a reason.
   *
   * @default - none
   */
  readonly podAnnotations?: { [key: string]: string };

  /**
   * How long a pod has to shut down after SIGTERM before it is killed.
   *
   * @default Duration.seconds(30)
   */
  readonly terminationGracePeriod?: Duration;

  /**
   * How long the pod waits before SIGTERM, so that endpoints and load balancers stop
   * sending it new requests first: a preStop hook that sleeps (see `preStopSleep`).
   * `Duration.seconds(0)` turns the hook off.
   *
   * @default - Duration.seconds(5) for a Microservice and a StatefulService (they
   * have endpoints to leave); none for a Worker, Job or CronJob
   */
  readonly preStopDelay?: Duration;

  /**
   * How the preStop delay sleeps: the kubelet's native sleep action where the
   * platform's Kubernetes has it (1.30 and later), else `sleep` run in the container,
   * which the image must have.
   *
   * @default PreStopSleep.AUTO
   */
  readonly preStopSleep?: PreStopSleep;

  /**
   * The size of the writable emptyDir mounted at /tmp (the root filesystem is
   * read-only). Counts against the ephemeral storage limit.
   *
   * @default Size.mebibytes(64)
   */
  readonly tmpSize?: Size;
}

/**
 * Properties of workloads that run until stopped (Microservice, Worker,
 * StatefulService): their ports and health probes.
 */
export interface LongRunningWorkloadProps extends WorkloadProps, ContainerProbeProps {
  /**
   * The ports the container listens on. A Microservice's or StatefulService's
   * Service exposes them; a Worker's serve only its probes (nothing may call it).
   *
   * @default - no ports (a Microservice without ports gets no Service and cannot be called)
   */
  readonly ports?: Port[];
}

/**
 * What a kind adds to the footprint the core computes.
 * @internal
 */
export interface _KindFootprint {
  /** Pods at once at the peak. */
  readonly peakPods: number;
  /** Services rendered. */
  readonly services: number;
  /** PersistentVolumeClaims of the kind's own (claim templates) at the peak. */
  readonly claims: number;
  /** Bytes of storage those claims request. */
  readonly storage: number;
}

/**
 * What a kind tells the shared core about itself.
 * @internal
 */
export interface _Kind {
  /** How errors and reasons name it: 'service', 'worker', ... */
  readonly noun: string;
  /** How fixes name it: 'microservice', 'worker', ... */
  readonly title: string;
  /** The default `app.kubernetes.io/component`. */
  readonly component: string;
  /** The default preStop delay. */
  readonly preStopDelay: Duration;
  /** Whether it runs until stopped, and so has ports and probes. */
  readonly longRunning: boolean;
  /** Annotations on every object the workload renders (ordering hooks). */
  readonly annotations?: { [key: string]: string };
}

import { Size } from 'cdk8s';
import { ContainerProps, IContainerOwner, IPodVolumes, SidecarProps, WorkloadContainer } from './container';
import { _checkScratch, _podResources, _volumeMount } from '../pod/container-rules';
import type { _Resources } from '../platform/context-quota';
import { _assertDns1123Subdomain, _invalid } from '../internal/errors';
import { _checkPodMetadata } from '../pod/pod-metadata';
import { _bytes } from '../internal/quantity';
import { MountOptions, Volume } from '../pod/volume';
import { AccessMode } from '../pod/volume-claim';
import { Port } from '../pod/port';
import { k8s } from '../internal/k8s';
import { _addValidation } from '../internal/chart';
import type { AccessRule } from '../access/access';
import { WorkloadProps } from './workload-props';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';

/**
 * What a workload's pod needs of the workload beyond what its containers need: the
 * main container, its resources and scratch space, and its mounts.
 * @internal
 */
export interface IPodOwner extends IContainerOwner {
  /** The main container's name. */
  readonly containerName: string;
  /** The main container's ports (a copy). */
  readonly ports: Port[];
  /** The size of the main container's /tmp. */
  readonly tmpSize: Size;
  /** The main container's resolved requests and limits. */
  readonly _resources: _Resources;
  /** The names of the main container's volume mounts. */
  readonly _mountNames: string[];
  /** Adds a volume (or a mount of one the controller provides) to the main container, after checking its path. */
  _addMount(prop: string, mount: k8s.VolumeMount, volume?: k8s.Volume): void;
  /** How errors name its kind: 'service', 'worker', 'store', ... */
  readonly _kindNoun: string;
  /** The access to the Kubernetes API it is granted (a token for the API server needs one). */
  readonly grants: AccessRule[];
  /**
   * The most pods it runs at once in steady state, spread over nodes (maxReplicas, a
   * store's replicas); 1 for the kinds that run to completion.
   */
  readonly _mostReplicas: number;
}

/**
 * A workload's pod beyond its main container: the volumes its containers share,
 * init containers and native sidecars (each held to the main container's rules and
 * counted by the context's quota check), the labels and annotations added to the
 * pods, and the image pull secrets. Reached through `workload.pod`; the workload's
 * `addVolume`, `addInitContainer` and `addSidecar` delegate here.
 */
export class WorkloadPod implements IPodVolumes {
  private readonly _labels: { [key: string]: string };
  private readonly _annotations: { [key: string]: string };
  private readonly _pullSecrets: string[];
  /** Volumes added by any container, each once. */
  private readonly _volumes: Volume[] = [];
  /** The volumes the main container mounts. */
  private readonly _mainVolumes: Volume[] = [];
  private readonly _containers: WorkloadContainer[] = [];
  /** The volumes some container mounts writable. */
  private readonly _written = new Set<Volume>();

  /** @internal */
  constructor(private readonly workload: IPodOwner, props: WorkloadProps) {
    this._labels = { ...(props.podLabels ?? {}) };
    this._annotations = { ...(props.podAnnotations ?? {}) };
    this._pullSecrets = [...(props.imagePullSecrets ?? [])];
    _checkPodMetadata(workload, this._labels, this._annotations);
    this._pullSecrets.forEach((name, i) => {
      _assertDns1123Subdomain(workload, `imagePullSecrets[${i}]`, name, 'name the Secret as `kubectl get secrets` shows it');
      if (this._pullSecrets.indexOf(name) !== i) {
        throw _invalid(workload, `imagePullSecrets[${i}]`, name, 'must not repeat a Secret', 'list each Secret once', ErrorCode.DUPLICATE);
      }
    });
    // what needs every container, the context's other workloads and the grants: at synth
    _addValidation(workload, () => this.validateVolumes());
  }

  /** The labels added to the pods (a copy). */
  public get labels(): { [key: string]: string } {
    return { ...this._labels };
  }

  /** The annotations added to the pods (a copy). */
  public get annotations(): { [key: string]: string } {
    return { ...this._annotations };
  }

  /** The Secrets the kubelet pulls images with (a copy). */
  public get imagePullSecrets(): string[] {
    return [...this._pullSecrets];
  }

  /** The volumes added by any of the pod's containers, each once (a copy). */
  public get volumes(): Volume[] {
    return [...this._volumes];
  }

  /** The init containers and sidecars, in the order they start (a copy). */
  public get initContainers(): WorkloadContainer[] {
    return [...this._containers];
  }

  /** Mounts a volume in the main container; see `Workload.addVolume`. */
  public addVolume(volume: Volume, options: MountOptions): void {
    this._addVolume(volume, options, `addVolume(${volume?.name})`);
  }

  /**
   * Mounts a volume in the main container, its errors naming `prop` (a kind's own
   * volume, such as a store's scratch storage, names the prop that asked for it).
   * @internal
   */
  public _addVolume(volume: Volume, options: MountOptions, prop: string): void {
    const w = this.workload;
    this._registerVolume(volume, prop, options?.writable === true);
    const mount = _volumeMount(w, prop, volume, options);
    _checkScratch(w, prop, w._resources, _bytes(w.tmpSize), [...this._mainVolumes, volume]);
    w._addMount(`${prop}.mountPath`, mount);
    this._mainVolumes.push(volume);
  }

  /** Adds an init container; see `Workload.addInitContainer`. */
  public addInitContainer(name: string, props: ContainerProps): WorkloadContainer {
    return this.addContainer(name, props, false);
  }

  /** Adds a native sidecar; see `Workload.addSidecar`. */
  public addSidecar(name: string, props: SidecarProps): WorkloadContainer {
    return this.addContainer(name, props, true);
  }

  /**
   * The pod's effective requests and limits: the main container plus its sidecars,
   * or an init container plus the sidecars started before it, whichever is larger.
   * @internal
   */
  public get _resources(): _Resources {
    return _podResources(this.workload._resources, this._containers.map(c => ({ resources: c._resources, sidecar: c.sidecar })));
  }

  /** The claims the ephemeral volumes add per pod, and their bytes. @internal */
  public get _claimsPerPod(): { claims: number; bytes: number } {
    const claims = this._volumes.filter(v => v._claimBytes > 0);
    return { claims: claims.length, bytes: claims.reduce((n, v) => n + v._claimBytes, 0) };
  }

  /**
   * Adds `volume` to the pod, once, after checking it.
   * @internal
   */
  public _registerVolume(volume: Volume, prop: string, writable: boolean = false): void {
    const w = this.workload;
    if (!(volume instanceof Volume)) {
      throw _invalid(w, prop, String(volume), 'must be a Volume', 'use Volume.emptyDir, Volume.ephemeral, Volume.projected or Volume.fromClaimName', ErrorCode.WRONG_TYPE);
    }
    if (writable) {
      this._written.add(volume);
    }
    if (this._volumes.includes(volume)) {
      return;
    }
    volume._check(w, prop, w.context._storageQuota, w.context.node.path, w.namespace);
    if ([...this._volumes.map(v => v.name), ...w._mountNames].includes(volume.name)) {
      throw _invalid(w, `${prop}.name`, volume.name, 'must be unique among the pod\'s volumes (another volume or claim has it)',
        'give each volume its own name, or pass the same Volume object to every container that shares it', ErrorCode.DUPLICATE);
    }
    this._volumes.push(volume);
  }

  /**
   * The volume mistakes that need the finished pod, the context's other workloads
   * and the grants: scratch space no container writes, a store's claim mounted by
   * name, a single-node claim on pods spread over nodes, an API server token without
   * a grant.
   */
  private validateVolumes(): ConfigurationError[] {
    const w = this.workload;
    const errors: ConfigurationError[] = [];
    const most = w._mostReplicas;
    for (const v of this._volumes) {
      const prop = `addVolume(${v.name})`;
      if (v._scratch && !this._written.has(v)) {
        errors.push(_invalid(w, `${prop}.writable`, false,
          `must be true in at least one container that mounts this ${v.kind} volume: it starts empty with each pod, and a volume no container can write stays empty`,
          'mount it with writable: true in the container that fills it (an init container, or the main container), or remove the volume', ErrorCode.CONFLICT));
      }
      const claim = v._claim;
      const store = claim ? w.context._members.find(o => o.node !== w.node && o._provisionsClaim?.(claim.name) === true) : undefined;
      if (claim && store) {
        errors.push(_invalid(w, `${prop}.claimName`, claim.name,
          `must not be a claim of another workload: it holds the data of ${store.node.path}, which only its owners reach, through the store; mounted by name, it bypasses the owners and risks a second writer on a live database`,
          `connectTo the store from one of its owners and use its API (or add ${w.node.path} to the store's owners), or give this workload storage of its own`, ErrorCode.UNSAFE));
      }
      const mode = claim?.accessMode;
      if ((mode === AccessMode.READ_WRITE_ONCE && most > 1) || (mode === AccessMode.READ_WRITE_ONCE_POD && most > 1)) {
        const one = mode === AccessMode.READ_WRITE_ONCE ? 'one node' : 'one pod';
        errors.push(_invalid(w, `${prop}.accessMode`, mode!.value,
          `must let every pod mount the claim: the ${w._kindNoun} runs up to ${most} replicas, required to spread over nodes, and a ${mode!.value} claim attaches to ${one} only, so the pods can never all start`,
          'use a ReadWriteMany claim (a shared file system), run one replica, or give each pod storage of its own (Volume.ephemeral, or a StatefulService\'s claims)', ErrorCode.CONFLICT));
      }
      const audience = v._apiServerAudience;
      if (audience !== undefined && w.grants.length === 0) {
        errors.push(_invalid(w, `${prop}.audience`, audience,
          'must not be the Kubernetes API server\'s unless the workload is granted API access: the token would hand the pods API credentials that no grant declared',
          'declare the access with grantAccess(rule), which mounts a short-lived API token itself, or name the audience of the system the token is for', ErrorCode.UNSAFE));
      }
    }
    return errors;
  }

  private addContainer(name: string, props: SidecarProps, sidecar: boolean): WorkloadContainer {
    const w = this.workload;
    const what = sidecar ? 'addSidecar' : 'addInitContainer';
    if (name === w.containerName || this._containers.some(c => c.name === name)) {
      throw _invalid(w, `${what}(name)`, name, 'must be unique among the pod\'s containers', 'name the container after what it does, for example \'log-shipper\'', ErrorCode.DUPLICATE);
    }
    const container = new WorkloadContainer(w, this, name, props, sidecar);
    const podPorts = [...w.ports, ...this._containers.flatMap(c => c.ports)];
    for (const port of container.ports) {
      if (podPorts.some(p => p.name === port.name || p.containerPort === port.containerPort)) {
        throw _invalid(w, `sidecars[${name}].ports`, port.name, `must not repeat a port name or number of another container of the pod (${port.containerPort})`,
          'give the sidecar\'s port its own name and number', ErrorCode.DUPLICATE);
      }
    }
    this._containers.push(container);
    container._suppress();
    return container;
  }
}

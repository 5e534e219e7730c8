import { Size } from 'cdk8s';
import { ContainerResources } from 'cdk8s-plus-27';
import type { _Resources } from '../platform/context-quota';
import { ContainerSecurity, _checkCommandLine } from '../pod/container-security';
import { _checkImage, _checkMountPath, _checkScratch, _pullPolicyReason, _volumeMount } from '../pod/container-rules';
import { _credentialKind, _isCredentialName } from '../internal/credentials';
import { _assertDns1123Label, _compare, _invalid } from '../internal/errors';
import { Image, ImagePullPolicy } from '../platform/image';
import { k8s } from '../internal/k8s';
import { _Feature } from '../platform/kubernetes-version';
import { _bytes, _formatBytes } from '../internal/quantity';
import { Port } from '../pod/port';
import { ContainerProbeProps, Probe, _ProbeSet, _renderProbes } from '../pod/probe';
import { _formatResources, _renderResources, _resolveResources } from '../pod/resources';
import { _suppress } from '../internal/suppressions';
import { MountOptions, Volume } from '../pod/volume';
import type { IWorkloadFacetOwner } from './facet-owner';
import { ErrorCode } from '../internal/configuration-error';

/**
 * Properties of an init container or a sidecar: a second program in the workload's
 * pods, held to the main container's rules (a pinned image, the `restricted`
 * security context, requests and limits from the context's LimitRange, a read-only
 * root filesystem with its own writable /tmp).
 */
export interface ContainerProps {
  /** The container image, pinned as the platform's imagePolicy asks. */
  readonly image: Image;

  /**
   * The entrypoint.
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
   * Environment variables, written into the pod spec (credentials are refused: use
   * a secret mounted as a volume).
   *
   * @default - none
   */
  readonly env?: { [name: string]: string };

  /**
   * Requests and limits, resolved like the main container's against the context's
   * LimitRange. The context's quota check counts them.
   *
   * @default - the bounded context's container defaults
   */
  readonly resources?: ContainerResources;

  /**
   * The user id the container runs as.
   *
   * @default - the workload's runAsUser
   */
  readonly runAsUser?: number;

  /**
   * Why the container runs with a user id below 10000 (an image that hard-codes its
   * user). Rendered as kube-score's suppression of container-security-context-user-group-id.
   *
   * @default - ids below 10000 are refused
   */
  readonly lowUserIdReason?: string;

  /**
   * When the kubelet pulls the image; other than Always only for an image pinned by digest.
   *
   * @default ImagePullPolicy.ALWAYS
   */
  readonly imagePullPolicy?: ImagePullPolicy;

  /**
   * The size of the container's own writable emptyDir at /tmp.
   *
   * @default Size.mebibytes(64)
   */
  readonly tmpSize?: Size;
}

/**
 * Properties of a sidecar: a container that starts before the main container and
 * runs beside it until the pod stops (a log shipper, a proxy, a metrics exporter).
 */
export interface SidecarProps extends ContainerProps, ContainerProbeProps {
  /**
   * Ports the sidecar listens on (probes, metrics). The workload's Service exposes
   * only the main container's ports.
   *
   * @default - none
   */
  readonly ports?: Port[];
}

/**
 * What an init container or sidecar needs of its workload beyond what every facet
 * knows: the main container's user and group, which it runs as unless told.
 * @internal
 */
export interface IContainerOwner extends IWorkloadFacetOwner {
  /** The main container's user id. */
  readonly runAsUser: number;
  /** The main container's group id. */
  readonly runAsGroup: number;
}

/**
 * What an init container or sidecar needs of the pod it runs in: a place for the
 * volumes it mounts, which the pod holds once whichever containers mount them.
 * @internal
 */
export interface IPodVolumes {
  /** Adds `volume` to the pod, once, after checking it. */
  _registerVolume(volume: Volume, prop: string): void;
}

/**
 * An init container or a sidecar of a workload's pods (`addInitContainer`,
 * `addSidecar`). Init containers run to completion, one after the other, before the
 * main container starts; sidecars are native sidecars (init containers with
 * `restartPolicy: Always`, Kubernetes 1.29 and later): they start in order with the
 * init containers and run until the main container has stopped.
 */
export class WorkloadContainer {
  /** The container's name, unique in the pod. */
  public readonly name: string;
  /** The image. */
  public readonly image: Image;
  /** Whether it runs beside the main container (a native sidecar) rather than to completion before it. */
  public readonly sidecar: boolean;
  /** The security context. */
  public readonly security: ContainerSecurity;
  /** The pull policy. */
  public readonly imagePullPolicy: ImagePullPolicy;
  /** The size of its /tmp. */
  public readonly tmpSize: Size;
  /** @internal */
  public readonly _resources: _Resources;
  private readonly _ports: Port[];
  private readonly _probes: _ProbeSet;
  private readonly _env = new Map<string, string>();
  private readonly _mounts: Array<{ volume: Volume; mount: k8s.VolumeMount }> = [];
  private readonly _prefix: string;

  /**
   * @param podVolumes the pod, which holds the volumes this container mounts
   * @internal
   */
  constructor(private readonly workload: IContainerOwner, private readonly podVolumes: IPodVolumes, name: string,
    private readonly props: SidecarProps, sidecar: boolean) {
    const w = workload;
    const what = sidecar ? 'addSidecar' : 'addInitContainer';
    _assertDns1123Label(w, `${what}(name)`, name);
    this._prefix = `${sidecar ? 'sidecars' : 'initContainers'}[${name}].`;
    if (sidecar) {
      w.context.platform.kubernetesVersion._require(w, _Feature.NATIVE_SIDECARS, `${what}(name)`, name,
        'run the helper as an init container that finishes before the main container starts (addInitContainer)');
    }
    this.name = name;
    this.image = props.image;
    this.sidecar = sidecar;
    this.imagePullPolicy = props.imagePullPolicy ?? ImagePullPolicy.ALWAYS;
    this.tmpSize = props.tmpSize ?? Size.mebibytes(64);
    this._ports = [...(props.ports ?? [])];
    const p = this._prefix;
    _checkImage(w, p, this.image, w.context.platform.imagePolicy, this.imagePullPolicy);
    _checkCommandLine(w, `${p}command`, props.command);
    _checkCommandLine(w, `${p}args`, props.args);
    Port._checkAll(w, this._ports);
    this.security = ContainerSecurity._of(w, props.runAsUser ?? w.runAsUser, w.runAsGroup, props.lowUserIdReason, p);
    this._resources = _resolveResources(w, w.context, props.resources ?? {}, this.tmpSize, p);
    if (!sidecar) {
      for (const probe of ['readiness', 'liveness', 'startup', 'withoutProbes', 'identicalProbesReason'] as const) {
        if (props[probe] !== undefined) {
          throw _invalid(w, `${p}${probe}`, probe === 'withoutProbes' || probe === 'identicalProbesReason' ? props[probe] : (props[probe] as Probe).kind,
            'must not be set on an init container: it runs to completion before the main container starts, so Kubernetes allows no probes on it',
            'remove it, or add the container as a sidecar (addSidecar) if it runs beside the main container', ErrorCode.CONFLICT);
        }
      }
      if (this._ports.length > 0) {
        throw _invalid(w, `${p}ports`, this._ports.map(x => x.name), 'must be empty for an init container: nothing can reach it before it finishes',
          'remove the ports, or add the container as a sidecar', ErrorCode.CONFLICT);
      }
    }
    this._probes = sidecar ? _renderProbes(w, this._ports, props, 'sidecar', p) : {};
    for (const [envName, value] of Object.entries(props.env ?? {})) {
      this.addEnv(envName, value);
    }
  }

  /** The resolved requests and limits, as Kubernetes quantities. */
  public get resources(): { [key: string]: string } {
    return _formatResources(this._resources);
  }

  /** The ports (a copy). */
  public get ports(): Port[] {
    return [...this._ports];
  }

  /** The environment variables, sorted by name (a copy). */
  public get env(): { [name: string]: string } {
    return Object.fromEntries([...this._env].sort(([a], [b]) => _compare(a, b)));
  }

  /** The volumes it mounts (a copy). */
  public get volumes(): Volume[] {
    return this._mounts.map(m => m.volume);
  }

  /**
   * Adds an environment variable, written into the pod spec.
   *
   * @param name a C identifier, unique in the container
   */
  public addEnv(name: string, value: string): void {
    const prop = `${this._prefix}env`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw _invalid(this.workload, prop, name, 'must be a C identifier: letters, digits and \'_\', not starting with a digit', 'rename the variable', ErrorCode.INVALID_NAME);
    }
    if (this._env.has(name)) {
      throw _invalid(this.workload, prop, name, 'must be set once, but is set twice', 'remove one of the two', ErrorCode.DUPLICATE);
    }
    if (_isCredentialName(name) || _credentialKind(value, name) !== undefined) {
      throw _invalid(this.workload, `${prop}.${name}`, '(value not shown)', 'reads as a credential, which must not be written into the pod spec',
        'mount the credential from a secret: Volume.projected(name, [ProjectedSource.secret(workload.addSecret(...))])', ErrorCode.PLAINTEXT_SECRET);
    }
    this._env.set(name, value);
  }

  /**
   * Mounts `volume` in this container (read-only unless `writable`); the pod gets the
   * volume once, whichever containers mount it.
   */
  public addVolume(volume: Volume, options: MountOptions): void {
    const prop = `${this._prefix}addVolume(${volume?.name})`;
    this.podVolumes._registerVolume(volume, prop);
    const mount = _volumeMount(this.workload, prop, volume, options);
    _checkMountPath(this.workload, `${prop}.mountPath`, mount.mountPath, ['/tmp', ...this._mounts.map(m => m.mount.mountPath)]);
    _checkScratch(this.workload, prop, this._resources, _bytes(this.tmpSize), [...this.volumes, volume]);
    this._mounts.push({ volume, mount });
  }

  /** The name of its /tmp volume. @internal */
  public get _tmpVolume(): string {
    return `tmp-${this.name}`;
  }

  /** Records the suppressions its settings justify on the workload's controller. @internal */
  public _suppress(): void {
    const controller = this.workload._controller;
    if (this.props.lowUserIdReason !== undefined) {
      _suppress(controller, 'kube-score', 'container-security-context-user-group-id', `container ${this.name}: ${this.props.lowUserIdReason}`);
    }
    if (this.imagePullPolicy !== ImagePullPolicy.ALWAYS) {
      _suppress(controller, 'kube-score', 'container-image-pull-policy', _pullPolicyReason(this.name, this.imagePullPolicy));
    }
    if (this._probes.identical !== undefined) {
      _suppress(controller, 'kube-score', 'pod-probes-identical', `sidecar ${this.name}: ${this._probes.identical}`);
    }
  }

  /** The `initContainers` entry. @internal */
  public _render(): k8s.Container {
    const p = this.props;
    const env = [...this._env].sort(([a], [b]) => _compare(a, b)).map(([name, value]) => ({ name, value }));
    return {
      name: this.name,
      image: this.image.reference,
      imagePullPolicy: this.imagePullPolicy.value,
      ...(this.sidecar ? { restartPolicy: 'Always' } : {}),
      ...(p.command ? { command: [...p.command] } : {}),
      ...(p.args ? { args: [...p.args] } : {}),
      ...(this._ports.length > 0 ? { ports: this._ports.map(x => ({ name: x.name, containerPort: x.containerPort, protocol: 'TCP' })) } : {}),
      ...(env.length > 0 ? { env } : {}),
      resources: _renderResources(this._resources),
      securityContext: this.security._containerSecurityContext(),
      ...(this._probes.readiness ? { readinessProbe: this._probes.readiness } : {}),
      ...(this._probes.liveness ? { livenessProbe: this._probes.liveness } : {}),
      ...(this._probes.startup ? { startupProbe: this._probes.startup } : {}),
      volumeMounts: [{ name: this._tmpVolume, mountPath: '/tmp' }, ...this._mounts.map(m => m.mount)],
    };
  }

  /** Its /tmp volume. @internal */
  public _renderTmp(): k8s.Volume {
    return { name: this._tmpVolume, emptyDir: { sizeLimit: k8s.Quantity.fromString(_formatBytes(_bytes(this.tmpSize))) } };
  }
}

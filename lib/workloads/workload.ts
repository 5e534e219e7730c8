import { ApiObject, Duration, Size } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { AccessRule, GrantAccessOptions, Subject } from '../access/access';
import { BackingService } from '../config/backing-service';
import { AddSecretOptions, WorkloadConfiguration } from './configuration';
import { ContainerProps, SidecarProps, WorkloadContainer } from './container';
import { _checkImage, _checkMountPath, _suppressPullPolicy } from '../pod/container-rules';
import { ContainerSecurity, _checkCommandLine } from '../pod/container-security';
import { _checkScope, _isBranded } from '../internal/construct';
import { _wholeSeconds } from '../internal/duration';
import { _assertDns1035Label, _assertDns1123Label, _assertLabelValue, _instanceOf, _invalid } from '../internal/errors';
import { WorkloadIdentity } from './identity';
import { LABEL, MANAGED_BY } from '../internal/labels';
import { _Linter, _suppress } from '../internal/suppressions';
import { _formatResources, _resolveResources } from '../pod/resources';
import { WorkloadScheduling } from './scheduling';
import type { BoundedContext } from '../platform/bounded-context';
import type { IContextMember, _Footprint } from '../platform/members';
import type { _Resources } from '../platform/context-quota';
import { Image, ImagePullPolicy } from '../platform/image';
import { k8s } from '../internal/k8s';
import { _Feature } from '../platform/kubernetes-version';
import { PreStopSleep } from '../pod/pre-stop';
import { MountOptions, Volume } from '../pod/volume';
import { _renderPodTemplate } from './pod-template';
import { Port } from '../pod/port';
import { PriorityTier } from '../platform/priority-tier';
import { _ProbeSet, _renderProbes } from '../pod/probe';
import { LongRunningWorkloadProps, _Kind, _KindFootprint } from './workload-props';
import type { _Scaling } from './scaling';
import { SecretSource, ServiceSecret } from '../config/secret-source';
import { Connection, ConnectOptions, ICallable, IConnectable, WorkloadConnections } from './workload-connections';
import { WorkloadPod } from './workload-pod';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';
import { _refuseForeignProps } from './kind-props';
import { CONFIG_REVISIONS_KEPT } from '../change/config-revisions';

/**
 * The pod-template core every workload kind composes: a container image run as a
 * locked-down non-root user with requests and limits from the context's LimitRange,
 * configuration and secrets (`configuration`), its own ServiceAccount and API grants
 * (`identity`), scheduling (`scheduling`), graceful shutdown, and declared calls
 * rendered as one NetworkPolicy (`connections`). A kind (`Microservice`, `Worker`,
 * `StatefulService`, `Job`, `CronJob`) adds only its controller and what is its own.
 */
export abstract class Workload extends Construct implements IContextMember, IConnectable {
  /** The workloads of every kind in `context`, in the order they were created. */
  public static all(context: BoundedContext): Workload[] {
    return context._members.filter((m): m is Workload => m instanceof Workload);
  }

  /** The name: ServiceAccount, NetworkPolicy and container name, and the controller's unless the kind says otherwise. */
  public readonly name: string;
  /** The bounded context it runs in. */
  public readonly context: BoundedContext;
  /** The container image. */
  public readonly image: Image;
  /** The scheduling tier. */
  public readonly priority: PriorityTier;
  /** The `app.kubernetes.io/component` label. */
  public readonly component: string;
  /** The `app.kubernetes.io/version` label. */
  public readonly version: string;
  /** The container's user id. */
  public readonly runAsUser: number;
  /** The container's group id. */
  public readonly runAsGroup: number;
  /** The grace period after SIGTERM. */
  public readonly terminationGracePeriod: Duration;
  /** The delay before SIGTERM. */
  public readonly preStopDelay: Duration;
  /** How the preStop delay sleeps. */
  public readonly preStopSleep: PreStopSleep;
  /** The main container's name. */
  public readonly containerName: string;
  /** When the kubelet pulls the main container's image. */
  public readonly imagePullPolicy: ImagePullPolicy;
  /** The reason for a user or group id below 10000, if any. */
  public readonly lowUserIdReason?: string;
  /** The size of /tmp. */
  public readonly tmpSize: Size;
  /** The reason for running without probes, if any. */
  public readonly withoutProbes?: string;
  /** The directory the configuration files are mounted in. */
  public readonly configDir: string;
  /** The container's security context. */
  public readonly security: ContainerSecurity;
  /** Configuration and secrets. */
  public readonly configuration: WorkloadConfiguration;
  /** The ServiceAccount and its API grants. */
  public readonly identity: WorkloadIdentity;
  /** Priority and spread. */
  public readonly scheduling: WorkloadScheduling;
  /** Declared calls and their NetworkPolicy. */
  public readonly connections: WorkloadConnections;
  /** Volumes, init containers and sidecars, pod labels and annotations, image pull secrets. */
  public readonly pod: WorkloadPod;

  /** @internal */
  public readonly _kindNoun: string;
  /** @internal */
  public readonly _resources: _Resources;
  /** @internal */
  protected readonly _probes: _ProbeSet;
  /** @internal */
  protected readonly _ports: Port[];
  private readonly _command?: string[];
  private readonly _args?: string[];
  private readonly _extraMounts: Array<{ volume?: k8s.Volume; mount: k8s.VolumeMount }> = [];
  private _controllerObject?: ApiObject;
  private readonly _annotations: { [key: string]: string };

  /** @internal */
  protected constructor(scope: BoundedContext, id: string, props: LongRunningWorkloadProps, kind: _Kind) {
    super(scope, Workload.uniqueId(scope, id, kind.title, new.target.name));
    _assertDns1035Label(this, 'id', id);
    _refuseForeignProps(this, kind.props, props);
    this._kindNoun = kind.noun;
    this._annotations = { ...kind.annotations };
    this.name = id;
    this.context = scope;
    this.image = _instanceOf(this, 'image', props?.image, Image, 'use Image.fromDigest(repository, digest), Image.fromTag(repository, tag) or Image.fromReference(reference)');
    this._ports = [...(props.ports ?? [])];
    this.priority = props.priority ?? PriorityTier.STANDARD;
    this.component = props.component ?? kind.component;
    this.version = props.version ?? props.image.version;
    this.runAsUser = props.runAsUser ?? 10001;
    this.runAsGroup = props.runAsGroup ?? 10001;
    this.terminationGracePeriod = props.terminationGracePeriod ?? Duration.seconds(30);
    this.preStopDelay = props.preStopDelay ?? kind.preStopDelay;
    this.preStopSleep = props.preStopSleep ?? PreStopSleep.AUTO;
    this.containerName = props.containerName ?? id;
    this.imagePullPolicy = props.imagePullPolicy ?? ImagePullPolicy.ALWAYS;
    this.lowUserIdReason = props.lowUserIdReason;
    this.tmpSize = props.tmpSize ?? Size.mebibytes(64);
    this.withoutProbes = props.withoutProbes;
    this.configDir = props.configDir ?? '/etc/config';
    this._command = props.command ? [...props.command] : undefined;
    this._args = props.args ? [...props.args] : undefined;

    this.checkImage();
    _checkCommandLine(this, 'command', props.command, true);
    _checkCommandLine(this, 'args', props.args, props.command === undefined);
    Port._checkAll(this, this._ports);
    this.security = ContainerSecurity._of(this, this.runAsUser, this.runAsGroup, this.lowUserIdReason);
    this.checkShutdown(props.preStopDelay === undefined);
    _assertDns1123Label(this, 'containerName', this.containerName);
    this.pod = new WorkloadPod(this, props);
    this._resources = _resolveResources(this, scope, props.resources ?? {}, this.tmpSize);
    this._probes = kind.longRunning ? _renderProbes(this, this._ports, props, kind.noun) : {};
    this._checkMountPath('configDir', this.configDir);
    this.configuration = new WorkloadConfiguration(this, this.configDir);
    for (const [name, value] of Object.entries(props.env ?? {})) {
      this.configuration.addEnv(name, value);
    }
    for (const [fileName, content] of Object.entries(props.configFiles ?? {})) {
      this.configuration.addConfigFile(fileName, content);
    }
    this.scheduling = new WorkloadScheduling(this, this.priority);
    this.identity = new WorkloadIdentity(this, this.configuration);
    this.connections = new WorkloadConnections(this, this.configuration, this.identity);
    scope._registerWorkload(this, kind.title);
    this.identity._render();
  }

  /** The namespace (the bounded context's). */
  public get namespace(): string {
    return this.context.namespaceName;
  }

  /** The container ports (a copy). */
  public get ports(): Port[] {
    return [...this._ports];
  }

  /** The labels that select this workload's pods. */
  public get selectorLabels(): { [key: string]: string } {
    // instance = the object name, unique in the namespace (and what Polaris'
    // metadataAndInstanceMismatched expects)
    return { [LABEL.NAME]: this.name, [LABEL.INSTANCE]: this.name };
  }

  /**
   * The labels every pod of the workload carries, whichever track of a release it
   * belongs to: what the NetworkPolicies that admit or reach its pods select. The same as `selectorLabels` (the controller's selector) unless a
   * kind runs a release (a Microservice's `release`).
   */
  public get everyTrackSelectorLabels(): { [key: string]: string } {
    return this.selectorLabels;
  }

  /** The configuration environment variables (not those from secrets), sorted by name (a copy). */
  public get env(): { [name: string]: string } {
    return this.configuration.env;
  }

  /** The resolved requests and limits, as Kubernetes quantities. */
  public get resources(): { [key: string]: string } {
    return _formatResources(this._resources);
  }

  /** The configuration files, by file name (a copy). */
  public get configFiles(): { [fileName: string]: string } {
    return this.configuration.files;
  }

  /** The secrets this workload uses (a copy). */
  public get secrets(): ServiceSecret[] {
    return this.configuration.secrets;
  }

  /** The calls this workload declared (a copy). */
  public get calls(): Connection[] {
    return this.connections.calls;
  }

  /** The backing services attached by URL (a copy). */
  public get backingServices(): { [envVar: string]: BackingService } {
    return this.connections.backingServices;
  }

  /** The API access granted to this workload's identity (a copy). */
  public get grants(): AccessRule[] {
    return this.identity.grants;
  }

  /**
   * The most pods it runs at once in steady state, spread over nodes: maxReplicas of
   * the scaled kinds, a store's replicas; 1 for the kinds that run to completion.
   * @internal
   */
  public get _mostReplicas(): number {
    return 1;
  }

  /** The workload's identity, as an RBAC subject. */
  public get subject(): Subject {
    return this.identity.subject;
  }

  /**
   * Adds an environment variable (12-factor configuration).
   *
   * @param name a C identifier, unique in this workload
   * @param value the value
   */
  public addEnv(name: string, value: string): void {
    this.configuration.addEnv(name, value);
  }

  /**
   * Adds a configuration file, mounted read-only at `<configDir>/<fileName>`.
   *
   * @param fileName a ConfigMap key: letters, digits, '-', '_' and '.'
   * @param content the file's content
   */
  public addConfigFile(fileName: string, content: string): void {
    this.configuration.addConfigFile(fileName, content);
  }

  /**
   * Uses a secret: renders its source in the workload's namespace (an ExternalSecret,
   * a SealedSecret, nothing for an existing Secret) and mounts its keys as files
   * or sets environment variables from them.
   *
   * @param id a DNS label, unique in this workload; the Secret is named `<workload>-<id>`
   */
  public addSecret(id: string, source: SecretSource, options: AddSecretOptions = {}): ServiceSecret {
    return this.configuration.addSecret(id, source, options);
  }

  /**
   * Attaches a backing service outside the cluster by URL: the URL goes into the
   * configuration as `envVar`, and the workload's NetworkPolicy lets its pods reach
   * the backing service's networks on the URL's port (beyond the context's
   * default deny). For a backing service inside the platform, use `connectTo`.
   */
  public addBackingService(envVar: string, backing: BackingService): void {
    this.connections.addBackingService(envVar, backing);
  }

  /**
   * Grants this workload's ServiceAccount access to the Kubernetes API in its own
   * namespace: a least-privilege Role named after the workload. Name the exact
   * objects (`resourceNames`) wherever Kubernetes allows it. The pod then gets a
   * short-lived projected token (the service account token is otherwise never
   * mounted). A rule that creates pods or changes a pod template, or writes
   * external-secrets objects, needs `escalation` (see `Escalation`).
   */
  public grantAccess(rule: AccessRule, options: GrantAccessOptions = {}): void {
    this.identity.grantAccess(rule, options);
  }

  /**
   * Grants what leader election needs: get, update and patch on one Lease (named
   * after the workload unless told otherwise), and create on Leases (which
   * Kubernetes cannot restrict by name).
   */
  public grantLeaderElection(leaseName: string = this.name): void {
    this.identity.grantLeaderElection(leaseName);
  }

  /**
   * Grants `get` on this workload's own ConfigMap, by its exact (hash-named) name,
   * for workloads that read their configuration through the API.
   */
  public grantReadOwnConfig(): void {
    this.identity.grantReadOwnConfig();
  }

  /**
   * Declares that this workload calls `callee` on one of its ports. The caller gets
   * an egress rule and the callee's URL as an environment variable; the callee
   * gets an ingress rule for exactly that port.
   */
  public connectTo(callee: ICallable, options: ConnectOptions = {}): Connection {
    return this.connections.connectTo(callee, options);
  }

  /** The volumes added by any of its containers (a copy). */
  public get volumes(): Volume[] {
    return this.pod.volumes;
  }

  /** The init containers and sidecars, in the order they start (a copy). */
  public get initContainers(): WorkloadContainer[] {
    return this.pod.initContainers;
  }

  /** Whether the preStop delay uses the kubelet's native sleep (rather than `sleep` in the container). */
  public get nativePreStopSleep(): boolean {
    return this.preStopSleep._native(this.context.platform.kubernetesVersion);
  }

  /**
   * Mounts `volume` in the main container, read-only unless `writable`. The pod gets
   * each volume once, whichever of its containers mount it. Scratch space counts
   * against the container's limits: an emptyDir on disk, with /tmp, within its
   * ephemeral storage limit; in memory, below its memory limit. An ephemeral volume
   * adds a claim per pod to the context's quota check.
   */
  public addVolume(volume: Volume, options: MountOptions): void {
    this.pod.addVolume(volume, options);
  }

  /**
   * Adds an init container: it runs to completion before the main container starts
   * (after the init containers and sidecars added before it), with the main
   * container's security, its own requests and limits, and no probes.
   *
   * @param name a DNS label, unique among the pod's containers
   */
  public addInitContainer(name: string, props: ContainerProps): WorkloadContainer {
    return this.pod.addInitContainer(name, props);
  }

  /**
   * Adds a native sidecar: an init container with `restartPolicy: Always`, which
   * starts before the main container (after those added before it) and runs beside
   * it until the pod stops; probes as for the main container. Needs Kubernetes 1.29
   * or later (the platform's kubernetesVersion).
   *
   * @param name a DNS label, unique among the pod's containers
   */
  public addSidecar(name: string, props: SidecarProps): WorkloadContainer {
    return this.pod.addSidecar(name, props);
  }

  /**
   * What this workload needs from the quota at its peak: the kind's pods and
   * objects, each pod's effective resources (init containers and sidecars
   * included), and a claim per pod for every ephemeral volume.
   * @internal
   */
  public _footprint(): _Footprint {
    const kind = this._kindFootprint();
    const ephemeral = this.pod._claimsPerPod;
    return {
      peakPods: kind.peakPods,
      perPod: this.pod._resources,
      services: kind.services,
      // the current ConfigMap and the earlier revisions a rollback can use (carried over by the safe-change check)
      configMaps: this.configuration.hasConfigMap ? 1 + CONFIG_REVISIONS_KEPT : 0,
      secrets: this.secrets.length,
      claims: kind.claims + kind.peakPods * ephemeral.claims,
      storage: kind.storage + kind.peakPods * ephemeral.bytes,
      pullSecrets: this.pod.imagePullSecrets,
    };
  }

  /** The names of the main container's volume mounts. @internal */
  public get _mountNames(): string[] {
    return this._extraMounts.map(m => m.mount.name);
  }

  /**
   * What the kind needs from the quota at its peak.
   * @internal
   */
  protected abstract _kindFootprint(): _KindFootprint;

  /**
   * The object that runs the pods (Deployment, StatefulSet, Job, CronJob), where
   * findings about the pods are suppressed.
   * @internal
   */
  public get _controller(): ApiObject {
    if (!this._controllerObject) {
      throw new Error(`${this.node.path}: the controller is not rendered yet`);
    }
    return this._controllerObject;
  }

  /** @internal */
  public get _labels(): { [key: string]: string } {
    return {
      ...this.selectorLabels,
      [LABEL.VERSION]: this.version,
      [LABEL.COMPONENT]: this.component,
      [LABEL.PART_OF]: this.context.platform.platformName,
      [LABEL.MANAGED_BY]: MANAGED_BY,
    };
  }

  /**
   * Puts `reads` (an object the pods read: the ConfigMap, a Secret) before the
   * controller in the output when it is created after it (a later `addEnv` or
   * `addSecret`), so that one apply pass creates it before the pods that need it.
   * @internal
   */
  public _beforeController(reads: IConstruct): void {
    const controller = this._controllerObject;
    if (controller) {
      // on the objects themselves: a chart orders its objects by their own dependencies
      controller.node.addDependency(...reads.node.findAll().filter(c => c instanceof ApiObject));
    }
  }

  /** @internal */
  public _meta(extraLabels: { [key: string]: string } = {}): k8s.ObjectMeta {
    const annotations = Object.keys(this._annotations).length > 0 ? { annotations: { ...this._annotations } } : {};
    return { name: this.name, namespace: this.namespace, labels: { ...this._labels, ...extraLabels }, ...annotations };
  }

  /**
   * Throws when `path` is not an absolute directory or overlaps another mount.
   * @internal
   */
  public _checkMountPath(prop: string, path: string): void {
    _checkMountPath(this, prop, path, ['/tmp', '/var/run/secrets/kubernetes.io', ...(prop === 'configDir' ? [] : [this.configDir]),
      ...(this.configuration?.secrets ?? []).flatMap(s => s.mountPath ?? []), ...this._extraMounts.map(m => m.mount.mountPath)]);
  }

  /**
   * Adds a volume (or, without one, a mount of a volume the controller provides,
   * such as a claim template) to the container, after checking its path.
   * @internal
   */
  public _addMount(prop: string, mount: k8s.VolumeMount, volume?: k8s.Volume): void {
    this._checkMountPath(prop, mount.mountPath);
    this._extraMounts.push({ volume, mount });
  }

  /**
   * The controller's annotations: the reason for running without probes, if any.
   * @internal
   */
  protected _probeAnnotations(): { annotations?: { [key: string]: string } } {
    return this.withoutProbes !== undefined ? { annotations: { ...this._annotations, 'cdk8s-microservices.io/without-probes': this.withoutProbes } } : {};
  }

  /**
   * Suppresses the linters' probe checks on the controller of a workload that runs
   * without probes: the explicit opt-out, with its reason, is what they ask for.
   * @internal
   */
  protected _suppressWithoutProbes(controller: ApiObject): void {
    if (this.withoutProbes !== undefined) {
      this._suppressProbeChecks(controller, `runs without probes: ${this.withoutProbes}`);
    }
  }

  /** @internal */
  protected _suppressProbeChecks(controller: ApiObject, reason: string): void {
    for (const [tool, check] of [['kube-linter', 'no-readiness-probe'], ['kube-linter', 'no-liveness-probe'], ['kube-score', 'pod-probes'],
      ['polaris', 'readinessProbeMissing'], ['polaris', 'livenessProbeMissing']] as Array<[_Linter, string]>) {
      _suppress(controller, tool, check, reason);
    }
  }

  /**
   * Records the controller the kind rendered.
   * @internal
   */
  protected _setController(controller: ApiObject): void {
    this._controllerObject = controller;
    if (this.lowUserIdReason !== undefined) {
      _suppress(controller, 'kube-score', 'container-security-context-user-group-id', `container ${this.containerName}: ${this.lowUserIdReason}`);
    }
    _suppressPullPolicy(controller, this.containerName, this.imagePullPolicy);
    if (this._probes.identical !== undefined) {
      _suppress(controller, 'kube-score', 'pod-probes-identical', this._probes.identical);
    }
  }

  /**
   * Renders the Deployment of a horizontally scaled kind (Microservice, Worker): no
   * replica count (the HorizontalPodAutoscaler owns it, a fixed one too), the rolling update,
   * the pod template, and the suppressions that go with them.
   */
  protected _renderScaledDeployment(scaling: _Scaling, singleton: string): k8s.KubeDeployment {
    const deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { ...this._meta(), ...this._probeAnnotations() },
      spec: {
        // the old ReplicaSets `kubectl rollout undo` can return to: each names a ConfigMap revision the output keeps
        revisionHistoryLimit: CONFIG_REVISIONS_KEPT,
        selector: { matchLabels: this.selectorLabels },
        strategy: scaling.renderStrategy(),
        template: this._podTemplate({ spreadBy: 'pod-template-hash' }),
      },
    });
    this._setController(deployment);
    this._suppressWithoutProbes(deployment);
    scaling.suppressReplicas(deployment, singleton);
    return deployment;
  }

  /** The part of the quota footprint a horizontally scaled kind (Microservice, Worker) adds, with `services` Services. */
  protected _scaledKindFootprint(scaling: _Scaling, services: number): _KindFootprint {
    return { peakPods: scaling.peakPods, services, claims: 0, storage: 0 };
  }

  /**
   * The pod template: the core's container and volumes, with the kind's labels,
   * spread and restart policy.
   * @internal
   */
  protected _podTemplate(options: { spreadBy?: string; restartPolicy?: string; labels?: { [key: string]: string } } = {}): k8s.PodTemplateSpec {
    return _renderPodTemplate(this, {
      command: this._command, args: this._args, probes: this._probes, extraMounts: () => this._extraMounts,
      volumes: () => this.pod.volumes, initContainers: () => this.pod.initContainers, podLabels: this.pod.labels, podAnnotations: this.pod.annotations,
      pullSecrets: this.pod.imagePullSecrets, ...options,
    });
  }

  private static uniqueId(scope: BoundedContext, id: string, title: string, className: string): string {
    // tsx does not type-check: a workload created in the Platform or the App must fail here, clearly
    const isContext = (s: unknown) => _isBranded(s, 'BoundedContext');
    if (!isContext(scope) || typeof id !== 'string' || id.length === 0) {
      _checkScope(className, scope, id, { name: 'BoundedContext', test: isContext,
        example: `new ${className}(catalog, '${typeof id === 'string' && id ? id : 'products'}', { ... }), where catalog = new BoundedContext(app, 'catalog', { platform, team })` });
    }
    const existing = scope.node.tryFindChild(id);
    if (existing && !(existing instanceof Workload)) {
      throw new ConfigurationError({ path: `${scope.node.path}/${id}`, prop: 'id', value: id, expected: 'must not be the id of an object the bounded context renders itself',
        fix: `rename the ${title}`, code: ErrorCode.RESERVED_NAME });
    }
    if (existing) {
      throw new ConfigurationError({ path: `${scope.node.path}/${id}`, prop: 'id', value: id,
        expected: `must be unique in bounded context '${scope.namespaceName}', but a ${existing._kindNoun} of that name exists already`,
        fix: 'rename one of the two', code: ErrorCode.DUPLICATE });
    }
    return id;
  }

  private checkImage(): void {
    if (!(this.imagePullPolicy instanceof ImagePullPolicy)) {
      throw _invalid(this, 'imagePullPolicy', String(this.imagePullPolicy), 'must be an ImagePullPolicy', 'use ImagePullPolicy.ALWAYS', ErrorCode.WRONG_TYPE);
    }
    _checkImage(this, '', this.image, this.context.platform.imagePolicy, this.imagePullPolicy);
    _assertLabelValue(this, 'version', this.version);
    _assertLabelValue(this, 'component', this.component);
  }

  private checkShutdown(byDefault: boolean): void {
    const grace = _wholeSeconds(this, 'terminationGracePeriod', this.terminationGracePeriod, 1);
    const delay = _wholeSeconds(this, 'preStopDelay', this.preStopDelay, 0);
    if (delay >= grace) {
      // a default the user never set says so, and how to set it
      throw _invalid(this, 'preStopDelay', `${delay}s`,
        `${byDefault ? `(the library's default for a ${this._kindNoun}, not set here) ` : ''}must be a whole number of seconds shorter than 'terminationGracePeriod' (${grace}s), leaving time to shut down`,
        byDefault
          ? `set preStopDelay yourself, for example Duration.seconds(${Math.max(0, grace - 2)}), or lengthen terminationGracePeriod`
          : 'shorten preStopDelay or lengthen terminationGracePeriod',
        ErrorCode.CONFLICT);
    }
    if (!(this.preStopSleep instanceof PreStopSleep)) {
      throw _invalid(this, 'preStopSleep', String(this.preStopSleep), 'must be a PreStopSleep', 'use PreStopSleep.AUTO, PreStopSleep.NATIVE or PreStopSleep.EXEC', ErrorCode.WRONG_TYPE);
    }
    if (this.preStopSleep === PreStopSleep.NATIVE && delay > 0) {
      this.context.platform.kubernetesVersion._require(this, _Feature.NATIVE_SLEEP, 'preStopSleep', this.preStopSleep.name,
        'use PreStopSleep.AUTO or EXEC with an image that has `sleep`, or set preStopDelay to Duration.seconds(0)');
    }
  }
}

import { createHash } from 'crypto';
import { ApiObject, Duration, Lazy, Size } from 'cdk8s';
import { ContainerResources, k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AccessRule, Subject } from './access';
import { BackingService } from './backing-service';
import { _credentialKind, _isCredentialName } from './_credentials';
import { _assertDns1035Label, _assertDns1123Label, _assertInteger, _assertLabelValue, _compare, _invalid, _message } from './_errors';
import { LABEL, MANAGED_BY } from './_labels';
import { _Linter, _suppress } from './_suppressions';
import { _bytes, _cpuMillis, _formatBytes, _formatMillis } from './_quantity';
import { BoundedContext, _Resources } from './bounded-context';
import { DisruptionBudget } from './disruption-budget';
import { Image } from './image';
import { Port, PortProtocol } from './port';
import { PriorityTier } from './priority-tier';
import { Probe, ProbeRole } from './probe';
import { SecretSource } from './secret-source';

/**
 * Properties of a microservice.
 */
export interface MicroserviceProps {
  /** The container image, pinned by tag or digest. */
  readonly image: Image;

  /**
   * The ports the container listens on and the Service exposes. A microservice
   * without ports (a queue worker, say) gets no Service and cannot be called.
   *
   * @default - no ports and no Service
   */
  readonly ports?: Port[];

  /**
   * The readiness probe: may this pod receive traffic now? Required unless
   * `withoutProbes` gives a reason.
   *
   * @default - none; an error unless `withoutProbes` is set
   */
  readonly readiness?: Probe;

  /**
   * The liveness probe: is the process stuck and must be restarted? It must check
   * something other than the readiness probe. Required unless `withoutProbes`
   * gives a reason.
   *
   * @default - none; an error unless `withoutProbes` is set
   */
  readonly liveness?: Probe;

  /**
   * The startup probe, for services that start slowly; the other probes wait for it.
   *
   * @default - no startup probe
   */
  readonly startup?: Probe;

  /**
   * Opts out of readiness and liveness probes, with the reason why (kept as an
   * annotation for reviewers and policy tools).
   *
   * @default - probes are required
   */
  readonly withoutProbes?: string;

  /**
   * Requests and limits for CPU, memory and ephemeral storage. A missing request
   * defaults to the context's default request (capped at the limit given); a
   * missing limit to the context's default limit (raised to the request given).
   *
   * @default - the bounded context's container defaults
   */
  readonly resources?: ContainerResources;

  /**
   * The fewest replicas, kept by the HorizontalPodAutoscaler.
   *
   * @default 2
   */
  readonly minReplicas?: number;

  /**
   * The most replicas the HorizontalPodAutoscaler may scale to.
   *
   * @default - twice minReplicas
   */
  readonly maxReplicas?: number;

  /**
   * The average CPU utilization, in percent of the request, the autoscaler aims for.
   *
   * @default 70
   */
  readonly targetCpuUtilization?: number;

  /**
   * How many extra pods a rolling update may start above the desired count. Pods
   * are never taken below the desired count (maxUnavailable is 0).
   *
   * @default 1
   */
  readonly maxSurge?: number;

  /**
   * How many pods voluntary disruptions may take at once.
   *
   * @default DisruptionBudget.maxUnavailable(1)
   */
  readonly disruptionBudget?: DisruptionBudget;

  /**
   * The scheduling tier.
   *
   * @default PriorityTier.STANDARD
   */
  readonly priority?: PriorityTier;

  /**
   * Configuration as environment variables (12-factor). Names are C identifiers.
   * The values live in the service's immutable ConfigMap; values that look like
   * credentials are refused (use `addSecret`).
   *
   * @default - none besides the URLs of the services it calls
   */
  readonly env?: { [name: string]: string };

  /**
   * Configuration files, by file name, mounted read-only in `configDir`. They live
   * in the service's immutable ConfigMap, next to the environment values.
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
   * @default 'backend'
   */
  readonly component?: string;

  /**
   * The version, as `app.kubernetes.io/version`.
   *
   * @default - the image tag, or the first 12 hex digits of its digest
   */
  readonly version?: string;

  /**
   * The user id the container runs as; at least 10000, clear of host users.
   *
   * @default 10001
   */
  readonly runAsUser?: number;

  /**
   * The group id the container runs as (also the fsGroup); at least 10000.
   *
   * @default 10001
   */
  readonly runAsGroup?: number;

  /**
   * How long a pod has to shut down after SIGTERM before it is killed.
   *
   * @default Duration.seconds(30)
   */
  readonly terminationGracePeriod?: Duration;

  /**
   * How long the pod waits before SIGTERM, so that endpoints and load balancers stop
   * sending it new requests first. Runs `sleep` in the container; the image must
   * have it. `Duration.seconds(0)` turns the hook off.
   *
   * @default Duration.seconds(5)
   */
  readonly preStopDelay?: Duration;

  /**
   * The size of the writable emptyDir mounted at /tmp (the root filesystem is
   * read-only). Counts against the ephemeral storage limit.
   *
   * @default Size.mebibytes(64)
   */
  readonly tmpSize?: Size;
}

/**
 * Options for a declared call.
 */
export interface ConnectOptions {
  /**
   * The name of the callee's port.
   *
   * @default - the callee's first port
   */
  readonly port?: string;

  /**
   * The environment variable that hands the callee's URL to the caller.
   *
   * @default - `<CALLEE>_URL` for the callee's first port and `<CALLEE>_<PORT>_URL`
   * for another port: names in upper case with '-' as '_'
   */
  readonly envVar?: string;
}

/**
 * A declared call from one microservice to another.
 */
export interface Connection {
  /** The calling service. */
  readonly caller: Microservice;
  /** The called service. */
  readonly callee: Microservice;
  /** The callee's port. */
  readonly port: Port;
  /** The environment variable on the caller that holds the URL. */
  readonly envVar: string;
  /** The in-cluster URL of the callee's port. */
  readonly url: string;
}

/**
 * How a microservice uses a secret: as files (preferred: not inherited by child
 * processes, not printed by crash dumps, rotated without a restart) and/or as
 * environment variables.
 */
export interface AddSecretOptions {
  /**
   * Environment variables to set from the secret, mapped to the key each reads.
   *
   * @default - no environment variables
   */
  readonly env?: { [envVar: string]: string };

  /**
   * Where to mount the secret's keys as files (one file per key, mode 0440).
   *
   * @default - `/var/run/secrets/<id>` unless `env` is given, in which case the
   * secret is not mounted
   */
  readonly mountPath?: string;
}

/**
 * A secret a microservice uses.
 */
export interface ServiceSecret {
  /** The id given to `addSecret`. */
  readonly id: string;
  /** The name of the Kubernetes Secret holding the values. */
  readonly secretName: string;
  /** The keys it provides. */
  readonly keys: string[];
  /** Where its keys are mounted as files, if they are. */
  readonly mountPath?: string;
}

type EnvSource = { readonly value: string } | { readonly secretName: string; readonly key: string };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const CONFIGMAP_MAX_BYTES = 1024 * 1024;
const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/**
 * A microservice in a bounded context: a Deployment, its Service (the stable DNS
 * name `<name>.<context>.svc.<cluster-domain>` that callers use), its own
 * ServiceAccount, a HorizontalPodAutoscaler, a PodDisruptionBudget and a
 * NetworkPolicy holding exactly the calls declared to and from it.
 *
 * Pods run as a non-root user with a read-only root filesystem, no privilege
 * escalation, all capabilities dropped and the RuntimeDefault seccomp profile;
 * they spread over zones and nodes, shut down gracefully and are never fewer than
 * the desired count during a rolling update.
 *
 * @example
 * const products = new Microservice(catalog, 'products', {
 *   image: Image.fromTag('ghcr.io/acme/products', '1.8.2'),
 *   ports: [Port.http(8080)],
 *   readiness: Probe.http('/ready'),
 *   liveness: Probe.http('/live'),
 * });
 * orders.connectTo(products);
 */
export class Microservice extends Construct {
  /** The name: Deployment, Service, ServiceAccount and container name. */
  public readonly name: string;
  /** The bounded context it runs in. */
  public readonly context: BoundedContext;
  /** The container image. */
  public readonly image: Image;
  /** The fewest replicas. */
  public readonly minReplicas: number;
  /** The most replicas. */
  public readonly maxReplicas: number;
  /** The autoscaler's CPU utilization target, in percent. */
  public readonly targetCpuUtilization: number;
  /** Extra pods during a rolling update. */
  public readonly maxSurge: number;
  /** The disruption budget. */
  public readonly disruptionBudget: DisruptionBudget;
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
  /** The size of /tmp. */
  public readonly tmpSize: Size;
  /** The reason for running without probes, if any. */
  public readonly withoutProbes?: string;
  /** The directory the configuration files are mounted in. */
  public readonly configDir: string;

  private readonly _ports: Port[];
  private readonly _resources: _Resources;
  private readonly _env = new Map<string, EnvSource>();
  private readonly _configFiles = new Map<string, string>();
  private readonly _secrets: ServiceSecret[] = [];
  private _configMap?: ApiObject;
  private readonly _grants: AccessRule[] = [];
  private _deployment!: k8s.KubeDeployment;
  private readonly _backing: Array<{ envVar: string; backing: BackingService; port: number }> = [];
  private readonly _calls: Connection[] = [];
  private readonly _callers: Connection[] = [];

  constructor(scope: BoundedContext, id: string, props: MicroserviceProps) {
    super(scope, Microservice.uniqueId(scope, id));
    _assertDns1035Label(this, 'id', id);
    this.name = id;
    this.context = scope;
    this.image = props.image;
    this._ports = [...(props.ports ?? [])];
    this.minReplicas = props.minReplicas ?? 2;
    this.maxReplicas = props.maxReplicas ?? this.minReplicas * 2;
    this.targetCpuUtilization = props.targetCpuUtilization ?? 70;
    this.maxSurge = props.maxSurge ?? 1;
    this.disruptionBudget = props.disruptionBudget ?? DisruptionBudget.maxUnavailable(1);
    this.priority = props.priority ?? PriorityTier.STANDARD;
    this.component = props.component ?? 'backend';
    this.version = props.version ?? props.image.version;
    this.runAsUser = props.runAsUser ?? 10001;
    this.runAsGroup = props.runAsGroup ?? 10001;
    this.terminationGracePeriod = props.terminationGracePeriod ?? Duration.seconds(30);
    this.preStopDelay = props.preStopDelay ?? Duration.seconds(5);
    this.tmpSize = props.tmpSize ?? Size.mebibytes(64);
    this.withoutProbes = props.withoutProbes;
    this.configDir = props.configDir ?? '/etc/config';

    this.checkImage();
    this.checkCommand('command', props.command);
    this.checkCommand('args', props.args);
    this.checkPorts();
    this.checkScaling();
    this.checkIdentity();
    this._resources = this.resolveResources(props.resources ?? {});
    const probes = this.renderProbes(props);
    this.checkMountPath('configDir', this.configDir);
    for (const [name, value] of Object.entries(props.env ?? {})) {
      this.addEnv(name, value);
    }
    for (const [fileName, content] of Object.entries(props.configFiles ?? {})) {
      this.addConfigFile(fileName, content);
    }
    this.node.addValidation({ validate: () => this.validateConfigSize() });
    if (!scope.platform.priorityTiers.includes(this.priority)) {
      throw _invalid(this, 'priority', this.priority.name,
        `must be a tier of platform '${scope.platform.platformName}' (${scope.platform.priorityTiers.map(t => t.name).join(', ')})`,
        'use a built-in PriorityTier or one returned by platform.addPriorityTier()');
    }
    scope._registerService(this);

    const priorityClassName = scope.platform.priorityClassName(this.priority);
    this.renderServiceAccount();
    this.renderDeployment(props, probes, priorityClassName);
    if (this._ports.length > 0) {
      this.renderService();
    }
    this.renderAutoscaler();
    this.renderDisruptionBudget();
    this.renderNetworkPolicy();
  }

  /** The namespace (the bounded context's). */
  public get namespace(): string {
    return this.context.namespaceName;
  }

  /** The ports (a copy). */
  public get ports(): Port[] {
    return [...this._ports];
  }

  /** The stable in-cluster DNS name of the Service. */
  public get host(): string {
    return `${this.name}.${this.namespace}.svc.${this.context.platform.clusterDomain}`;
  }

  /** The labels that select this service's pods. */
  public get selectorLabels(): { [key: string]: string } {
    // instance = the object name, unique in the namespace (and what Polaris'
    // metadataAndInstanceMismatched expects)
    return { [LABEL.NAME]: this.name, [LABEL.INSTANCE]: this.name };
  }

  /** The configuration environment variables (not those from secrets), sorted by name (a copy). */
  public get env(): { [name: string]: string } {
    return Object.fromEntries([...this._env.entries()]
      .filter((e): e is [string, { value: string }] => 'value' in e[1])
      .map(([name, source]) => [name, source.value])
      .sort(([a], [b]) => _compare(a, b)));
  }

  /** The resolved requests and limits, as Kubernetes quantities. */
  public get resources(): { [key: string]: string } {
    const r = this._resources;
    return {
      cpuRequest: _formatMillis(r.cpuRequest), cpuLimit: _formatMillis(r.cpuLimit),
      memoryRequest: _formatBytes(r.memoryRequest), memoryLimit: _formatBytes(r.memoryLimit),
      ephemeralStorageRequest: _formatBytes(r.ephemeralStorageRequest), ephemeralStorageLimit: _formatBytes(r.ephemeralStorageLimit),
    };
  }

  /** The configuration files, by file name (a copy). */
  public get configFiles(): { [fileName: string]: string } {
    return Object.fromEntries(this._configFiles);
  }

  /** The secrets this service uses (a copy). */
  public get secrets(): ServiceSecret[] {
    return [...this._secrets];
  }

  /** The calls this service declared (a copy). */
  public get calls(): Connection[] {
    return [...this._calls];
  }

  /** The calls declared to this service (a copy). */
  public get callers(): Connection[] {
    return [...this._callers];
  }

  /** The URL of one of this service's ports, as callers get it. */
  public url(portName?: string): string {
    const port = this.findPort(portName, 'url(port)');
    return port.protocol === PortProtocol.GRPC
      ? `dns:///${this.host}:${port.servicePort}`
      : `${port.protocol.scheme}://${this.host}:${port.servicePort}`;
  }

  /**
   * Adds an environment variable (12-factor configuration).
   *
   * @param name a C identifier, unique in this service
   * @param value the value
   */
  public addEnv(name: string, value: string): void {
    this.reserveEnv(name);
    if (_isCredentialName(name)) {
      throw _invalid(this, 'env', name, 'reads as a credential (password, token, bearer, secret), which must not be plain configuration',
        'if the value is a credential, use addSecret(id, source, { env }) or better a mounted file; if it is not, rename the variable');
    }
    const looksLike = _credentialKind(value);
    if (looksLike) {
      throw _invalid(this, `env.${name}`, '(value not shown)', `looks like ${looksLike}, which must not be stored in plaintext in a ConfigMap or the pod spec`,
        'put it in a secret manager and use addSecret(id, SecretSource.fromExternalSecret(...), { env: { ... } }), or remove the credential from the value');
    }
    this._env.set(name, { value });
    this.ensureConfigMap();
  }

  /**
   * Adds a configuration file, mounted read-only at `<configDir>/<fileName>`.
   *
   * @param fileName a ConfigMap key: letters, digits, '-', '_' and '.'
   * @param content the file's content
   */
  public addConfigFile(fileName: string, content: string): void {
    if (!CONFIG_KEY.test(fileName) || fileName === '.' || fileName === '..' || fileName.length > 253) {
      throw _invalid(this, 'configFiles', fileName, 'must be a file name of letters, digits, \'-\', \'_\' and \'.\'', 'rename the file, for example \'app.yaml\'');
    }
    if (this._configFiles.has(fileName) || this._env.has(fileName)) {
      throw _invalid(this, 'configFiles', fileName, 'must be unique among the service\'s configuration files and environment values', 'rename the file');
    }
    const looksLike = _credentialKind(content);
    if (looksLike) {
      throw _invalid(this, `configFiles.${fileName}`, '(content not shown)', `contains ${looksLike}, which must not be stored in plaintext in a ConfigMap`,
        'move the credential into a secret and mount it with addSecret(id, source, { mountPath })');
    }
    this._configFiles.set(fileName, content);
    this.ensureConfigMap();
  }

  /**
   * Uses a secret: renders its source in the service's namespace (an ExternalSecret,
   * a SealedSecret, nothing for an existing Secret) and mounts its keys as files
   * or sets environment variables from them.
   *
   * @param id a DNS label, unique in this service; the Secret is named `<service>-<id>`
   */
  public addSecret(id: string, source: SecretSource, options: AddSecretOptions = {}): ServiceSecret {
    _assertDns1123Label(this, 'addSecret(id)', id);
    if (this._secrets.some(s => s.id === id)) {
      throw _invalid(this, 'addSecret(id)', id, 'must be unique in the service', 'give each secret its own id');
    }
    const env = options.env ?? {};
    for (const [envVar, key] of Object.entries(env)) {
      if (!source.keys.includes(key)) {
        throw _invalid(this, `addSecret(${id}).env.${envVar}`, key, `must be a key the secret provides (${source.keys.map(k => `'${k}'`).join(', ')})`,
          'use one of those keys, or add the key to the secret source');
      }
    }
    const mountPath = options.mountPath ?? (Object.keys(env).length === 0 ? `/var/run/secrets/${id}` : undefined);
    if (mountPath !== undefined) {
      this.checkMountPath(`addSecret(${id}).mountPath`, mountPath);
    }
    for (const envVar of Object.keys(env)) {
      this.reserveEnv(envVar);
    }
    const holder = new Construct(this, `Secret-${id}`);
    const secretName = source._bind(holder, `addSecret(${id})`, `${this.name}-${id}`, this.namespace,
      { ...this.labels }, this.context.platform.allowLiteralSecrets);
    for (const [envVar, key] of Object.entries(env)) {
      this._env.set(envVar, { secretName, key });
    }
    const flagged = Object.keys(env).filter(_isCredentialName);
    if (flagged.length > 0) {
      _suppress(this._deployment, 'polaris', 'sensitiveContainerEnvVar',
        `${flagged.join(', ')} ${flagged.length > 1 ? 'come' : 'comes'} from Secret ${secretName} through secretKeyRef, never as a plaintext value`);
    }
    const secret: ServiceSecret = { id, secretName, keys: [...source.keys], mountPath };
    this._secrets.push(secret);
    return secret;
  }

  /**
   * Attaches a backing service outside the cluster by URL: the URL goes into the
   * configuration as `envVar`, and the service's NetworkPolicy lets its pods reach
   * the backing service's networks on the URL's port (beyond the context's
   * default deny). For a backing service inside the platform, use `connectTo`.
   */
  public addBackingService(envVar: string, backing: BackingService): void {
    const port = backing._port(this, `addBackingService(${envVar})`);
    this.addEnv(envVar, backing.url);
    this._backing.push({ envVar, backing, port });
  }

  /** The backing services attached by URL (a copy). */
  public get backingServices(): { [envVar: string]: BackingService } {
    return Object.fromEntries(this._backing.map(b => [b.envVar, b.backing]));
  }

  /** The API access granted to this service's identity (a copy). */
  public get grants(): AccessRule[] {
    return [...this._grants];
  }

  /** The service's identity, as an RBAC subject. */
  public get subject(): Subject {
    return Subject.serviceAccount(this.namespace, this.name);
  }

  /**
   * Grants this service's ServiceAccount access to the Kubernetes API in its own
   * namespace: a least-privilege Role named after the service. Name the exact
   * objects (`resourceNames`) wherever Kubernetes allows it. The pod then gets a
   * short-lived projected token (the service account token is otherwise never
   * mounted).
   */
  public grantAccess(rule: AccessRule): void {
    rule._check(this, 'grantAccess(rule)', false);
    if (this.context.platform.apiServerCidrs === undefined) {
      throw _invalid(this, 'grantAccess(rule)', rule.resources.join(', '),
        'needs egress to the API server, whose addresses the platform does not know (the context denies all other egress)',
        'set apiServerCidrs (and apiServerPort) on the Platform');
    }
    if (this._grants.length === 0) {
      this.context._claimGrantName(`${this.node.path} grantAccess`, this.name);
      new k8s.KubeRole(this, 'Role', { metadata: this.meta(), rules: Lazy.any({ produce: () => this._grants.map(r => r._render()) }) });
      new k8s.KubeRoleBinding(this, 'RoleBinding', {
        metadata: this.meta(),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.name },
        subjects: [this.subject._render()],
      });
    }
    this._grants.push(rule);
  }

  /**
   * Grants what leader election needs: get, update and patch on one Lease (named
   * after the service unless told otherwise), and create on Leases (which
   * Kubernetes cannot restrict by name).
   */
  public grantLeaderElection(leaseName: string = this.name): void {
    _assertDns1123Label(this, 'grantLeaderElection(leaseName)', leaseName);
    this.grantAccess(AccessRule.of('coordination.k8s.io', ['leases'], ['get', 'update', 'patch'], [leaseName]));
    this.grantAccess(AccessRule.of('coordination.k8s.io', ['leases'], ['create']));
  }

  /**
   * Grants `get` on this service's own ConfigMap, by its exact (hash-named) name,
   * for services that read their configuration through the API.
   */
  public grantReadOwnConfig(): void {
    if (!this._configMap) {
      throw _invalid(this, 'grantReadOwnConfig()', this.name, 'needs configuration to read, but the service has no env values or config files',
        'add configuration first, or remove the grant');
    }
    this.grantAccess(AccessRule.of('', ['configmaps'], ['get'], [Lazy.any({ produce: () => this.configMapName() }) as string]));
  }

  private reserveEnv(name: string): void {
    if (!ENV_NAME.test(name)) {
      throw _invalid(this, 'env', name, 'must be a C identifier: letters, digits and \'_\', not starting with a digit',
        `rename it, for example '${name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1').toUpperCase()}'`);
    }
    if (this._env.has(name)) {
      throw _invalid(this, 'env', name, 'must be set once, but is set twice', 'remove one of the two, or rename one (for a call, use connectTo\'s envVar option)');
    }
    if (this._configFiles.has(name)) {
      throw _invalid(this, 'env', name, 'must not repeat the name of a configuration file (they share the ConfigMap)', 'rename the variable or the file');
    }
  }

  private checkMountPath(prop: string, path: string): void {
    if (!/^\/[^\s]*[^/\s]$/.test(path) || path.split('/').includes('..')) {
      throw _invalid(this, prop, path, 'must be an absolute directory path without spaces or \'..\'', 'use a path such as \'/var/run/secrets/db\'');
    }
    const taken = ['/tmp', '/var/run/secrets/kubernetes.io', ...(prop === 'configDir' ? [] : [this.configDir]), ...this._secrets.flatMap(s => s.mountPath ?? [])];
    const clash = taken.find(p => p === path || path.startsWith(`${p}/`) || p.startsWith(`${path}/`));
    if (clash) {
      throw _invalid(this, prop, path, `must not overlap another mount of the container ('${clash}')`, 'choose a separate directory');
    }
  }

  private ensureConfigMap(): void {
    if (this._configMap) {
      return;
    }
    this._configMap = new k8s.KubeConfigMap(this, 'Config', {
      // the config-of label finds a service's old ConfigMaps, to prune all but the newest few
      metadata: { ...this.meta({ 'cdk8s-microservices.io/config-of': this.name }), name: Lazy.any({ produce: () => this.configMapName() }) },
      immutable: true,
      data: Lazy.any({ produce: () => this.configData() }),
    });
  }

  private configData(): { [key: string]: string } {
    const entries: Array<[string, string]> = [...this._configFiles.entries()];
    for (const [name, source] of this._env) {
      if ('value' in source) {
        entries.push([name, source.value]);
      }
    }
    return Object.fromEntries(entries.sort(([a], [b]) => _compare(a, b)));
  }

  private configMapName(): string {
    const hash = createHash('sha256').update(JSON.stringify(this.configData())).digest('hex').slice(0, 10);
    return `${this.name}-config-${hash}`;
  }

  private validateConfigSize(): string[] {
    if (!this._configMap) {
      return [];
    }
    const bytes = Object.entries(this.configData()).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    return bytes > CONFIGMAP_MAX_BYTES
      ? [_message(this.node.path, 'configFiles', `${bytes} bytes`, `must fit the 1 MiB limit of a ConfigMap (${CONFIGMAP_MAX_BYTES} bytes) together with the environment values`,
        'move large files into the image or a volume, or split the configuration')]
      : [];
  }

  /**
   * Declares that this service calls `callee` on one of its ports. The caller gets
   * an egress rule and the callee's URL as an environment variable; the callee
   * gets an ingress rule for exactly that port.
   */
  public connectTo(callee: Microservice, options: ConnectOptions = {}): Connection {
    if (!(callee instanceof Microservice)) {
      throw _invalid(this, 'connectTo(callee)', String(callee), 'must be a Microservice', 'pass the Microservice object, or look it up with platform.service(context, name)');
    }
    if (callee === this) {
      throw _invalid(this, 'connectTo(callee)', callee.node.path, 'must be another service; calls within a service need no rule',
        'remove this call');
    }
    if (callee.context.platform !== this.context.platform) {
      throw _invalid(this, 'connectTo(callee)', callee.node.path,
        `must be a service of platform '${this.context.platform.platformName}', but it belongs to '${callee.context.platform.platformName}'`,
        'declare the callee in the same platform, or model the other platform as an external endpoint');
    }
    if (callee._ports.length === 0) {
      throw _invalid(this, 'connectTo(callee)', callee.node.path, 'must expose a port, but the callee has none',
        `add a Port to ${callee.node.path}, or remove the call`);
    }
    const port = callee.findPort(options.port, 'connectTo(port)', this);
    const existing = this._calls.find(c => c.callee === callee && c.port === port);
    if (existing) {
      if (options.envVar !== undefined && options.envVar !== existing.envVar) {
        throw _invalid(this, 'connectTo(envVar)', options.envVar,
          `must match the call to ${callee.node.path} port '${port.name}' declared before, which uses '${existing.envVar}'`,
          'declare each call once, with the envVar you want');
      }
      return existing;
    }
    const envVar = options.envVar ?? `${callee.name.toUpperCase().replace(/-/g, '_')}${port === callee._ports[0] ? '' : `_${port.name.toUpperCase().replace(/-/g, '_')}`}_URL`;
    const url = callee.url(port.name);
    this.addEnv(envVar, url);
    const connection: Connection = { caller: this, callee, port, envVar, url };
    this._calls.push(connection);
    callee._callers.push(connection);
    return connection;
  }

  /**
   * Declares that `caller` calls this service: the same as `caller.connectTo(this)`.
   */
  public allowFrom(caller: Microservice, options: ConnectOptions = {}): Connection {
    return caller.connectTo(this, options);
  }

  /**
   * What this service needs from the quota at its peak: pods at maximum scale
   * during a rolling update, and per-pod resources.
   * @internal
   */
  public _footprint(): { peakPods: number; perPod: _Resources; hasService: boolean; configMaps: number; secrets: number } {
    return {
      peakPods: this.maxReplicas + this.maxSurge,
      perPod: this._resources,
      hasService: this._ports.length > 0,
      configMaps: this._configMap ? 1 : 0,
      secrets: this._secrets.length,
    };
  }

  private static uniqueId(scope: BoundedContext, id: string): string {
    const existing = scope.node.tryFindChild(id);
    if (existing && !(existing instanceof Microservice)) {
      throw new Error(_message(`${scope.node.path}/${id}`, 'id', id, 'must not be the id of an object the bounded context renders itself',
        'rename the microservice'));
    }
    if (existing) {
      throw new Error(`${scope.node.path}/${id}: 'id' ('${id}') must be unique in bounded context '${scope.namespaceName}', but a service of that name exists already; rename one of the two`);
    }
    return id;
  }

  private get labels(): { [key: string]: string } {
    return {
      ...this.selectorLabels,
      [LABEL.VERSION]: this.version,
      [LABEL.COMPONENT]: this.component,
      [LABEL.PART_OF]: this.context.platform.platformName,
      [LABEL.MANAGED_BY]: MANAGED_BY,
    };
  }

  private meta(extraLabels: { [key: string]: string } = {}): k8s.ObjectMeta {
    return { name: this.name, namespace: this.namespace, labels: { ...this.labels, ...extraLabels } };
  }

  private findPort(name: string | undefined, prop: string, scope: Construct = this): Port {
    const port = name === undefined ? this._ports[0] : this._ports.find(p => p.name === name);
    if (!port) {
      throw _invalid(scope, prop, name ?? '(first port)',
        `must name a port that ${this.node.path} exposes (${this._ports.map(p => `'${p.name}'`).join(', ') || 'none'})`,
        'use one of those port names, or add the port to the callee');
    }
    return port;
  }

  private checkImage(): void {
    const problem = this.image._problem();
    if (problem) {
      throw _invalid(this, 'image', this.image.reference, problem.expected, problem.fix);
    }
    _assertLabelValue(this, 'version', this.version);
    _assertLabelValue(this, 'component', this.component);
  }

  private checkCommand(prop: string, words: string[] | undefined): void {
    (words ?? []).forEach((word, i) => {
      const looksLike = _credentialKind(word);
      if (looksLike) {
        throw _invalid(this, `${prop}[${i}]`, '(value not shown)', `looks like ${looksLike}, which must not be written into the pod spec`,
          'read the credential from a mounted secret (addSecret) instead of passing it on the command line');
      }
    });
  }

  private checkPorts(): void {
    const seen = { name: new Map<string, Port>(), containerPort: new Map<number, Port>(), servicePort: new Map<number, Port>() };
    for (const port of this._ports) {
      if (port.name.length > 15 || !PORT_NAME.test(port.name) || !/[a-z]/.test(port.name) || port.name.includes('--')) {
        throw _invalid(this, 'ports[].name', port.name,
          'must be an IANA service name: at most 15 lower-case letters, digits and \'-\', with at least one letter, no \'--\' and no \'-\' at either end',
          'rename the port, for example \'http\' or \'grpc-api\'');
      }
      _assertInteger(this, `ports[${port.name}].containerPort`, port.containerPort, 1, 65535, 'use a port from 1 to 65535 (above 1024: the container runs as non-root)');
      _assertInteger(this, `ports[${port.name}].servicePort`, port.servicePort, 1, 65535, 'use a port from 1 to 65535');
      for (const key of ['name', 'containerPort', 'servicePort'] as const) {
        const map = seen[key] as Map<string | number, Port>;
        const other = map.get(port[key]);
        if (other) {
          throw _invalid(this, `ports[].${key}`, port[key], `must be unique, but ports '${other.name}' and '${port.name}' share it`,
            `give each port its own ${key}`);
        }
        map.set(port[key], port);
      }
    }
  }

  private checkScaling(): void {
    _assertInteger(this, 'minReplicas', this.minReplicas, 1, 10000, 'run at least 1 replica (2 or more for availability)');
    _assertInteger(this, 'maxReplicas', this.maxReplicas, 1, 10000, 'set maxReplicas to a whole number above minReplicas');
    if (this.maxReplicas <= this.minReplicas) {
      throw _invalid(this, 'maxReplicas', this.maxReplicas, `must be greater than 'minReplicas' (${this.minReplicas})`,
        'raise maxReplicas or lower minReplicas');
    }
    _assertInteger(this, 'targetCpuUtilization', this.targetCpuUtilization, 1, 100, 'use a percentage of the CPU request, such as 70');
    _assertInteger(this, 'maxSurge', this.maxSurge, 1, 10000, 'allow at least 1 extra pod, since pods are never taken below the desired count');
    const b = this.disruptionBudget;
    if (b.field === 'minAvailable') {
      _assertInteger(this, 'disruptionBudget.minAvailable', b.count, 0, 10000, 'use a whole number of pods');
      if (b.count >= this.minReplicas) {
        throw _invalid(this, 'disruptionBudget.minAvailable', b.count,
          `must be below 'minReplicas' (${this.minReplicas}), or the budget blocks every eviction at minimum scale and node drains hang`,
          `use DisruptionBudget.minAvailable(${Math.max(this.minReplicas - 1, 0)}), DisruptionBudget.maxUnavailable(1), or raise minReplicas`);
      }
    } else {
      _assertInteger(this, 'disruptionBudget.maxUnavailable', b.count, 0, 10000, 'use a whole number of pods');
      if (b.count < 1) {
        throw _invalid(this, 'disruptionBudget.maxUnavailable', b.count, 'must be at least 1, or the budget blocks every eviction and node drains hang',
          'use DisruptionBudget.maxUnavailable(1)');
      }
      if (this.minReplicas > 1 && b.count >= this.minReplicas) {
        throw _invalid(this, 'disruptionBudget.maxUnavailable', b.count,
          `must be below 'minReplicas' (${this.minReplicas}), or a drain may take every pod at once`,
          `use DisruptionBudget.maxUnavailable(${this.minReplicas - 1}) or raise minReplicas`);
      }
    }
  }

  private checkIdentity(): void {
    _assertInteger(this, 'runAsUser', this.runAsUser, 10000, 2147483647, 'use a user id of 10000 or more, clear of the host\'s users (10001 is the default)');
    _assertInteger(this, 'runAsGroup', this.runAsGroup, 10000, 2147483647, 'use a group id of 10000 or more (10001 is the default)');
    const grace = this.terminationGracePeriod.toSeconds();
    const delay = this.preStopDelay.toSeconds();
    if (!Number.isInteger(grace) || grace < 1) {
      throw _invalid(this, 'terminationGracePeriod', `${grace}s`, 'must be a whole number of seconds, at least 1', 'use Duration.seconds(30)');
    }
    if (!Number.isInteger(delay) || delay < 0 || delay >= grace) {
      throw _invalid(this, 'preStopDelay', `${delay}s`, `must be a whole number of seconds shorter than 'terminationGracePeriod' (${grace}s), leaving time to shut down`,
        'shorten preStopDelay or lengthen terminationGracePeriod');
    }
  }

  private resolveResources(r: ContainerResources): _Resources {
    const d = this.context._defaults;
    const pair = (request: number | undefined, limit: number | undefined, defRequest: number, defLimit: number) => {
      const req = request ?? (limit !== undefined ? Math.min(defRequest, limit) : defRequest);
      const lim = limit ?? Math.max(defLimit, req);
      return [req, lim] as const;
    };
    const cpu = pair(r.cpu?.request && _cpuMillis(r.cpu.request), r.cpu?.limit && _cpuMillis(r.cpu.limit), d.cpuRequest, d.cpuLimit);
    const mem = pair(r.memory?.request && _bytes(r.memory.request), r.memory?.limit && _bytes(r.memory.limit), d.memoryRequest, d.memoryLimit);
    const eph = pair(r.ephemeralStorage?.request && _bytes(r.ephemeralStorage.request), r.ephemeralStorage?.limit && _bytes(r.ephemeralStorage.limit),
      d.ephemeralStorageRequest, d.ephemeralStorageLimit);
    const max = this.context._max;
    const rows: Array<[string, readonly [number, number], number, string, (n: number) => string]> = [
      ['cpu', cpu, max.cpu, 'maxCpu', _formatMillis],
      ['memory', mem, max.memory, 'maxMemory', _formatBytes],
      ['ephemeralStorage', eph, max.ephemeralStorage, 'maxEphemeralStorage', _formatBytes],
    ];
    for (const [name, [req, lim], most, maxProp, fmt] of rows) {
      if (!(req > 0)) {
        throw _invalid(this, `resources.${name}.request`, fmt(req), 'must be greater than zero', 'request what the service needs at rest');
      }
      if (req > lim) {
        throw _invalid(this, `resources.${name}.request`, fmt(req), `must not exceed resources.${name}.limit (${fmt(lim)})`,
          `lower the request or raise the limit to at least ${fmt(req)}`);
      }
      if (lim > most) {
        throw _invalid(this, `resources.${name}.limit`, fmt(lim),
          `must not exceed the bounded context's containerLimits.${maxProp} (${fmt(most)}), or admission rejects the pods`,
          `lower the limit, or raise containerLimits.${maxProp} of ${this.context.node.path}`);
      }
    }
    const tmp = _bytes(this.tmpSize);
    if (tmp > eph[1]) {
      throw _invalid(this, 'tmpSize', _formatBytes(tmp), `must fit in resources.ephemeralStorage.limit (${_formatBytes(eph[1])})`,
        'shrink tmpSize or raise the ephemeral storage limit');
    }
    return {
      cpuRequest: cpu[0], cpuLimit: cpu[1],
      memoryRequest: mem[0], memoryLimit: mem[1],
      ephemeralStorageRequest: eph[0], ephemeralStorageLimit: eph[1],
    };
  }

  private renderProbes(props: MicroserviceProps): { readiness?: k8s.Probe; liveness?: k8s.Probe; startup?: k8s.Probe } {
    if (props.withoutProbes !== undefined) {
      if (props.withoutProbes.trim().length === 0) {
        throw _invalid(this, 'withoutProbes', props.withoutProbes, 'must give the reason this service runs without probes',
          'write the reason, or add readiness and liveness probes');
      }
      if (props.readiness || props.liveness) {
        throw _invalid(this, 'withoutProbes', props.withoutProbes, 'must not be set together with readiness or liveness probes',
          'remove withoutProbes, or remove the probes');
      }
    } else if (!props.readiness || !props.liveness) {
      const missing = [!props.readiness ? 'readiness' : undefined, !props.liveness ? 'liveness' : undefined].filter(Boolean).join(' and ');
      throw _invalid(this, missing.split(' and ')[0], undefined,
        `must be set: a service needs ${missing} probes so that Kubernetes routes traffic only to ready pods and restarts stuck ones`,
        'add readiness and liveness (for example Probe.http(\'/ready\') and Probe.http(\'/live\')), or set withoutProbes to the reason');
    }
    const readiness = props.readiness?._render(this, ProbeRole.READINESS, this._ports);
    const liveness = props.liveness?._render(this, ProbeRole.LIVENESS, this._ports);
    const startup = props.startup?._render(this, ProbeRole.STARTUP, this._ports);
    if (props.readiness && props.liveness
      && props.readiness._fingerprint(this, ProbeRole.READINESS, this._ports) === props.liveness._fingerprint(this, ProbeRole.LIVENESS, this._ports)) {
      throw _invalid(this, 'liveness', props.liveness.kind,
        'must check something other than the readiness probe; when both check the same thing, a slow dependency restarts healthy pods',
        'point liveness at a cheap endpoint that only proves the process is alive (for example /live) and readiness at one that checks dependencies');
    }
    return { readiness, liveness, startup };
  }

  private renderServiceAccount(): void {
    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: this.meta(),
      automountServiceAccountToken: false,
    });
  }

  private renderDeployment(props: MicroserviceProps, probes: { readiness?: k8s.Probe; liveness?: k8s.Probe; startup?: k8s.Probe }, priorityClassName: string): void {
    const q = (s: string) => k8s.Quantity.fromString(s);
    const r = this._resources;
    const selector = { matchLabels: this.selectorLabels };
    const podLabels = { ...this.labels, [LABEL.CONTEXT]: this.namespace, [LABEL.TIER]: this.priority.name };
    const delay = this.preStopDelay.toSeconds();
    const annotations: { [key: string]: string } = {};
    if (this.withoutProbes !== undefined) {
      annotations['cdk8s-microservices.io/without-probes'] = this.withoutProbes;
    }
    const deployment = this._deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { ...this.meta(), ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
      spec: {
        selector,
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(this.maxSurge), maxUnavailable: k8s.IntOrString.fromNumber(0) },
        },
        template: {
          metadata: { labels: podLabels },
          spec: {
            serviceAccountName: this.name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            priorityClassName,
            terminationGracePeriodSeconds: this.terminationGracePeriod.toSeconds(),
            securityContext: {
              runAsNonRoot: true,
              runAsUser: this.runAsUser,
              runAsGroup: this.runAsGroup,
              fsGroup: this.runAsGroup,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            topologySpreadConstraints: [
              // nodeTaintsPolicy Honor: cordoned and tainted nodes do not count as empty
              // domains, which would otherwise leave pods Pending and drains hanging
              { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: selector, matchLabelKeys: ['pod-template-hash'], nodeTaintsPolicy: 'Honor' },
              { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: selector, matchLabelKeys: ['pod-template-hash'], nodeTaintsPolicy: 'Honor' },
            ],
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [{
                  weight: 100,
                  podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: selector },
                }],
              },
            },
            containers: [{
              name: this.name,
              image: this.image.reference,
              imagePullPolicy: 'Always',
              ...(props.command ? { command: [...props.command] } : {}),
              ...(props.args ? { args: [...props.args] } : {}),
              ports: this._ports.length > 0 ? this._ports.map(p => ({ name: p.name, containerPort: p.containerPort, protocol: 'TCP' })) : undefined,
              env: Lazy.any({ produce: () => nonEmpty(this.renderEnv()) }),
              resources: {
                requests: { 'cpu': q(_formatMillis(r.cpuRequest)), 'memory': q(_formatBytes(r.memoryRequest)), 'ephemeral-storage': q(_formatBytes(r.ephemeralStorageRequest)) },
                limits: { 'cpu': q(_formatMillis(r.cpuLimit)), 'memory': q(_formatBytes(r.memoryLimit)), 'ephemeral-storage': q(_formatBytes(r.ephemeralStorageLimit)) },
              },
              securityContext: {
                runAsNonRoot: true,
                runAsUser: this.runAsUser,
                runAsGroup: this.runAsGroup,
                allowPrivilegeEscalation: false,
                privileged: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              ...(probes.readiness ? { readinessProbe: probes.readiness } : {}),
              ...(probes.liveness ? { livenessProbe: probes.liveness } : {}),
              ...(probes.startup ? { startupProbe: probes.startup } : {}),
              ...(delay > 0 ? { lifecycle: { preStop: { exec: { command: ['sleep', `${delay}`] } } } } : {}),
              volumeMounts: Lazy.any({ produce: () => this.renderVolumes().mounts }),
            }],
            volumes: Lazy.any({ produce: () => this.renderVolumes().volumes }),
          },
        },
      },
    });
    if (this.withoutProbes !== undefined) {
      // the explicit opt-out, with its reason, is what the linters' probe checks ask for
      for (const [tool, check] of [['kube-linter', 'no-readiness-probe'], ['kube-linter', 'no-liveness-probe'], ['kube-score', 'pod-probes'],
        ['polaris', 'readinessProbeMissing'], ['polaris', 'livenessProbeMissing']] as Array<[_Linter, string]>) {
        _suppress(deployment, tool, check, `runs without probes: ${this.withoutProbes}`);
      }
    }
    _suppress(deployment, 'polaris', 'deploymentMissingReplicas',
      'the HorizontalPodAutoscaler owns the replica count (minReplicas ' + this.minReplicas + '); spec.replicas is left out so that an apply never resets a scaled Deployment');
  }

  private renderEnv(): k8s.EnvVar[] {
    const configMap = this.configMapName();
    return [...this._env.entries()].sort(([a], [b]) => _compare(a, b)).map(([name, source]) => ('value' in source
      ? { name, valueFrom: { configMapKeyRef: { name: configMap, key: name } } }
      : { name, valueFrom: { secretKeyRef: { name: source.secretName, key: source.key } } }));
  }

  private renderVolumes(): { volumes: k8s.Volume[]; mounts: k8s.VolumeMount[] } {
    const volumes: k8s.Volume[] = [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString(_formatBytes(_bytes(this.tmpSize))) } }];
    const mounts: k8s.VolumeMount[] = [{ name: 'tmp', mountPath: '/tmp' }];
    if (this._configFiles.size > 0) {
      const items = [...this._configFiles.keys()].sort(_compare).map(key => ({ key, path: key }));
      volumes.push({ name: 'config', configMap: { name: this.configMapName(), items } });
      mounts.push({ name: 'config', mountPath: this.configDir, readOnly: true });
    }
    if (this._grants.length > 0) {
      // what automountServiceAccountToken would mount, made explicit: a short-lived,
      // audience-bound token only for services that were granted API access
      volumes.push({
        name: 'kube-api-access',
        projected: {
          defaultMode: 0o444,
          sources: [
            { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardApi: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      });
      mounts.push({ name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true });
    }
    for (const secret of this._secrets) {
      if (secret.mountPath !== undefined) {
        volumes.push({ name: `secret-${secret.id}`, secret: { secretName: secret.secretName, defaultMode: 0o440 } });
        mounts.push({ name: `secret-${secret.id}`, mountPath: secret.mountPath, readOnly: true });
      }
    }
    return { volumes, mounts };
  }

  private renderService(): void {
    new k8s.KubeService(this, 'Service', {
      metadata: this.meta(),
      spec: {
        type: 'ClusterIP',
        selector: this.selectorLabels,
        ports: this._ports.map(p => ({
          name: p.name,
          port: p.servicePort,
          targetPort: k8s.IntOrString.fromString(p.name),
          protocol: 'TCP',
          ...(p.protocol.appProtocol !== undefined ? { appProtocol: p.protocol.appProtocol } : {}),
        })),
      },
    });
  }

  private renderAutoscaler(): void {
    new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
      metadata: this.meta(),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name },
        minReplicas: this.minReplicas,
        maxReplicas: this.maxReplicas,
        metrics: [{
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: this.targetCpuUtilization } },
        }],
      },
    });
  }

  private renderDisruptionBudget(): void {
    const b = this.disruptionBudget;
    new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: this.meta(),
      spec: {
        selector: { matchLabels: this.selectorLabels },
        [b.field]: k8s.IntOrString.fromNumber(b.count),
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
  }

  private renderNetworkPolicy(): void {
    const peer = (s: Microservice): k8s.NetworkPolicyPeer => ({
      namespaceSelector: { matchLabels: { [LABEL.NAMESPACE_NAME]: s.namespace } },
      podSelector: { matchLabels: s.selectorLabels },
    });
    // Polaris' missingNetworkPolicy wants one policy per pod with an ingress and an
    // egress rule; an empty list here is the deny this service asks for
    _suppress(this._deployment, 'polaris', 'missingNetworkPolicy', () => {
      const why = [
        ...(this._callers.length === 0 ? ['no service calls this one, so its NetworkPolicy admits no ingress (a gateway route brings a policy of its own)'] : []),
        ...(this._calls.length + this._backing.length + this._grants.length === 0
          ? ['this service calls nothing, so its NetworkPolicy allows no egress (DNS comes from the context\'s policy)'] : []),
      ];
      return why.length > 0 ? why.join('; ') : undefined;
    });
    const byPath = (a: Connection, b: Connection, side: 'caller' | 'callee') =>
      _compare(a[side].node.path, b[side].node.path) || a.port.containerPort - b.port.containerPort;
    new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: this.meta(),
      spec: {
        // one label, the instance (the object name, unique in the namespace): a policy
        // selects the pods of one workload, and Polaris' missingNetworkPolicy asks that
        // exactly one of the pod's labels be matched
        podSelector: { matchLabels: { [LABEL.INSTANCE]: this.name } },
        policyTypes: ['Ingress', 'Egress'],
        // an empty list is left out rather than rendered as []: the API server drops
        // empty lists, and a rendered [] would show as a change on every apply
        ingress: Lazy.any({
          produce: () => nonEmpty([...this._callers].sort((a, b) => byPath(a, b, 'caller')).map(c => ({
            from: [peer(c.caller)],
            ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(c.port.containerPort) }],
          }))),
        }),
        egress: Lazy.any({
          produce: () => nonEmpty([
            ...[...this._calls].sort((a, b) => byPath(a, b, 'callee')).map(c => ({
              to: [peer(c.callee)],
              ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(c.port.containerPort) }],
            })),
            ...[...this._backing].sort((a, b) => _compare(a.envVar, b.envVar)).map(b => ({
              to: b.backing.cidrs.map(cidr => ({ ipBlock: { cidr } })),
              ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(b.port) }],
            })),
            // a service granted API access must reach the API server
            ...(this._grants.length > 0 ? [{
              to: (this.context.platform.apiServerCidrs ?? []).map(cidr => ({ ipBlock: { cidr } })),
              ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(this.context.platform.apiServerPort) }],
            }] : []),
          ]),
        }),
      },
    });
  }
}

/** The list, or undefined when it is empty (so that it is left out of the YAML). */
function nonEmpty<T>(list: T[]): T[] | undefined {
  return list.length > 0 ? list : undefined;
}

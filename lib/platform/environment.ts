import { ConfigurationError, ErrorCode, _fmt } from '../internal/configuration-error';
import { ContextQuota } from './context-quota';
import { KubernetesVersion } from './kubernetes-version';

/**
 * The bounds every replicated workload's replica count and autoscaler bounds are
 * clamped to in an environment.
 */
export interface ReplicaBounds {
  /**
   * The fewest replicas any workload runs: autoscaler minimums and maximums, and
   * fixed counts above 1, are raised to it. A fixed count of 1 (a singleton that
   * must never run twice) is never raised.
   *
   * @default 1 (nothing is raised)
   */
  readonly min?: number;

  /**
   * The most replicas any workload runs: autoscaler minimums and maximums, and fixed
   * counts, are lowered to it. An autoscaler keeps a range: when both of its bounds
   * would become `max`, its minimum is `max - 1` (if that is not below `min`). Below 3,
   * autoscalers get fewer than 2 replicas or no range, which kube-score and Polaris
   * flag (`horizontalpodautoscaler-replicas`, `hpaMinAvailability`, `hpaMaxAvailability`).
   *
   * @default - no bound (nothing is lowered)
   */
  readonly max?: number;
}

/**
 * How an environment sizes every container's CPU and memory requests and limits:
 * as declared, or scaled by one percentage each (rounded up to whole millicores and
 * mebibytes), so that a small development cluster holds the same platform.
 *
 * @example
 * ResourceSizing.percent({ cpu: 25, memory: 50 })
 */
export class ResourceSizing {
  /** Every container as its code declares it. */
  public static readonly AS_DECLARED = new ResourceSizing(100, 100);

  /**
   * Requests and limits scaled to a percentage of what the code declares.
   *
   * @param percent the percentage of CPU and of memory, each 1 to 1000
   */
  public static percent(percent: ResourceSizingPercent): ResourceSizing {
    return new ResourceSizing(percent.cpu ?? 100, percent.memory ?? 100);
  }

  private constructor(
    /** The percentage of the declared CPU requests and limits. */
    public readonly cpuPercent: number,
    /** The percentage of the declared memory requests and limits. */
    public readonly memoryPercent: number,
  ) {}

  /**
   * CPU in millicores, scaled (at least 1m).
   * @internal
   */
  public _cpu(millis: number): number {
    if (this.cpuPercent === 100 || !(millis > 0)) {
      return millis;
    }
    return Math.max(1, Math.ceil(millis * this.cpuPercent / 100));
  }

  /**
   * Memory in bytes, scaled and rounded up to whole mebibytes (at least 1Mi).
   * @internal
   */
  public _memory(bytes: number): number {
    if (this.memoryPercent === 100 || !(bytes > 0)) {
      return bytes;
    }
    const mi = 1024 * 1024;
    return Math.max(1, Math.ceil(bytes * this.memoryPercent / 100 / mi)) * mi;
  }

  /** What it is, for messages and the parity report. */
  public toString(): string {
    return this.cpuPercent === 100 && this.memoryPercent === 100 ? 'as declared' : `cpu ${this.cpuPercent}%, memory ${this.memoryPercent}%`;
  }
}

/**
 * The percentages of a `ResourceSizing`.
 */
export interface ResourceSizingPercent {
  /** The percentage of every declared CPU request and limit. @default 100 */
  readonly cpu?: number;
  /** The percentage of every declared memory request and limit. @default 100 */
  readonly memory?: number;
}

/**
 * Who reaches an environment's gateway and how many proxies serve it. The gateway
 * takes each value the environment sets; setting it on the gateway too is refused
 * when the two differ.
 */
export interface GatewayExposure {
  /**
   * The client address ranges allowed to call (`ApiGateway` `allowedSourceRanges`).
   *
   * @default - the gateway's own setting
   */
  readonly allowedSourceRanges?: string[];

  /**
   * How many proxies serve the gateway (`ApiGateway` `proxyReplicas`).
   *
   * @default - the gateway's own setting
   */
  readonly proxyReplicas?: number;

  /**
   * The most proxies the autoscaler may run (`ApiGateway` `proxyMaxReplicas`).
   *
   * @default - the gateway's own setting
   */
  readonly proxyMaxReplicas?: number;
}

/**
 * A secret store as the environment names it: `SecretStore` or `ClusterSecretStore`
 * and its name. (Plain data, so that `lib/platform` does not reach into
 * `lib/config`: pass `SecretStore.cluster('vault-dev')`, which has these fields.)
 */
export interface EnvironmentSecretStore {
  /** The store's name. */
  readonly name: string;
  /** `SecretStore` or `ClusterSecretStore`. */
  readonly kind: string;
}

/**
 * What may differ in one environment. Everything else is identical in every
 * environment by construction: the platform is built from the same code.
 */
export interface EnvironmentProps {
  /**
   * Bounds on every replicated workload's replica count and autoscaler bounds.
   *
   * @default - the counts the code declares
   */
  readonly replicas?: ReplicaBounds;

  /**
   * How every container's CPU and memory requests and limits are sized.
   *
   * @default ResourceSizing.AS_DECLARED
   */
  readonly resources?: ResourceSizing;

  /**
   * Quota fields per bounded context (keyed by namespace), each merged over the
   * quota the context's code declares.
   *
   * @default - the quota each context declares
   */
  readonly quota?: { [namespace: string]: ContextQuota };

  /**
   * The host names of the environment, by a key the code uses (`env.host('api')`).
   *
   * @default - none: `host(key)` refuses every key
   */
  readonly hosts?: { [key: string]: string };

  /**
   * The cert-manager ClusterIssuer the gateway's certificate comes from. A gateway
   * without `tls` takes `GatewayTls.certManager(tlsIssuer)`.
   *
   * @default - the gateway's own `tls`
   */
  readonly tlsIssuer?: string;

  /**
   * Serves the gateway over plain HTTP, without TLS (a local development cluster).
   * Refused together with `tlsIssuer`.
   *
   * @default false
   */
  readonly allowPlainHttp?: boolean;

  /**
   * Accepts literal secret values (`Platform` `allowLiteralSecrets`): they land in the
   * synthesized YAML, so only for a throwaway local cluster.
   *
   * @default false
   */
  readonly allowLiteralSecrets?: boolean;

  /**
   * The secret stores used in place of the stores the code names, by the name in
   * the code: `{ vault: SecretStore.cluster('vault-dev') }`.
   *
   * @default - the stores the code names
   */
  readonly secretStores?: { [name: string]: EnvironmentSecretStore };

  /**
   * The Kubernetes release the environment's YAML is for (`Platform` `kubernetesVersion`).
   *
   * @default KubernetesVersion.NEWEST
   */
  readonly kubernetesVersion?: KubernetesVersion;

  /**
   * Who reaches the gateway and how many proxies serve it.
   *
   * @default - the gateway's own settings
   */
  readonly exposure?: GatewayExposure;
}

/**
 * The aspects an environment may declare, in the order the parity report lists them.
 */
export const ENVIRONMENT_ASPECTS = [
  'replicas', 'resources', 'quota', 'hosts', 'tlsIssuer', 'allowPlainHttp', 'allowLiteralSecrets',
  'secretStores', 'kubernetesVersion', 'exposure',
] as const;

/**
 * One environment the platform is built for (dev, staging, prod): its name and
 * exactly what may differ from the others. Pass it to the `Platform`
 * (`environment`), and build every environment from the same code with
 * `synthesizeEnvironments`.
 *
 * @example
 * const dev = Environment.of('dev', {
 *   replicas: { max: 2 },
 *   resources: ResourceSizing.percent({ cpu: 25, memory: 50 }),
 *   hosts: { api: 'api.dev.example.com' },
 *   allowPlainHttp: true,
 * });
 */
export class Environment {
  /**
   * An environment.
   *
   * @param name a DNS label (`dev`, `staging`, `prod`): the directory its manifests are written to
   */
  public static of(name: string, props: EnvironmentProps = {}): Environment {
    return new Environment(name, props);
  }

  /** The environment's name, a DNS label. */
  public readonly name: string;
  /** The replica bounds, if any. */
  public readonly replicas?: ReplicaBounds;
  /** How container resources are sized. */
  public readonly resources: ResourceSizing;
  /** The cert-manager ClusterIssuer, if the environment names one. */
  public readonly tlsIssuer?: string;
  /** Whether the gateway serves plain HTTP. */
  public readonly allowPlainHttp: boolean;
  /** Whether literal secrets are accepted. */
  public readonly allowLiteralSecrets: boolean;
  /** The target Kubernetes release. */
  public readonly kubernetesVersion: KubernetesVersion;
  /** Who reaches the gateway, if the environment says. */
  public readonly exposure?: GatewayExposure;
  private readonly _hosts: { [key: string]: string };
  private readonly _quota: { [namespace: string]: ContextQuota };
  private readonly _stores: { [name: string]: EnvironmentSecretStore };
  /** Whether each Platform prop was declared here (a conflict check needs to know). */
  private readonly _given: { kubernetesVersion: boolean; allowLiteralSecrets: boolean };

  private constructor(name: string, props: EnvironmentProps) {
    if (typeof name !== 'string' || name.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
      throw this.error(`environment ${String(name)}`, 'name', name, 'must be a DNS label such as \'dev\', \'staging\' or \'prod\' (it names the output directory)',
        'use lower-case letters, digits and \'-\'', ErrorCode.INVALID_NAME);
    }
    this.name = name;
    this._given = { kubernetesVersion: props.kubernetesVersion !== undefined, allowLiteralSecrets: props.allowLiteralSecrets !== undefined };
    this.replicas = props.replicas === undefined ? undefined : { ...props.replicas };
    this.resources = props.resources ?? ResourceSizing.AS_DECLARED;
    this.tlsIssuer = props.tlsIssuer;
    this.allowPlainHttp = props.allowPlainHttp ?? false;
    this.allowLiteralSecrets = props.allowLiteralSecrets ?? false;
    this.kubernetesVersion = props.kubernetesVersion ?? KubernetesVersion.NEWEST;
    this.exposure = props.exposure === undefined ? undefined : { ...props.exposure };
    this._hosts = { ...(props.hosts ?? {}) };
    this._quota = { ...(props.quota ?? {}) };
    this._stores = { ...(props.secretStores ?? {}) };
    this.check();
  }

  /**
   * The host name the environment gives `key`; refuses a key it does not declare.
   *
   * @param key a key of `hosts`, such as 'api'
   */
  public host(key: string): string {
    const host = this._hosts[key];
    if (host === undefined) {
      const known = Object.keys(this._hosts);
      throw this.error(`environment ${this.name}`, `host(${key})`, key, `must be a key of the environment's hosts (known: ${known.join(', ') || 'none'})`,
        `add ${key} to hosts of Environment.of('${this.name}'), or use a known key`, ErrorCode.UNKNOWN_REFERENCE);
    }
    return host;
  }

  /** The host names by key (a copy). */
  public get hosts(): { [key: string]: string } {
    return { ...this._hosts };
  }

  /** The quota fields per bounded context (a copy). */
  public get quota(): { [namespace: string]: ContextQuota } {
    return { ...this._quota };
  }

  /** The secret stores used in place of those the code names (a copy). */
  public get secretStores(): { [name: string]: EnvironmentSecretStore } {
    return { ...this._stores };
  }

  /**
   * The declared value of every aspect, as text that is equal exactly when two
   * environments declare the same (the parity check compares them).
   */
  public declared(): { [aspect: string]: string } {
    const sorted = (o: object) => JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))));
    const quota = Object.fromEntries(Object.entries(this._quota).map(([ns, q]) => [ns, sorted(q)]));
    return {
      replicas: `min ${this.replicas?.min ?? 1}, max ${this.replicas?.max ?? 'unbounded'}`,
      resources: this.resources.toString(),
      quota: sorted(quota),
      hosts: sorted(this._hosts),
      tlsIssuer: this.tlsIssuer ?? '(the gateway\'s own)',
      allowPlainHttp: String(this.allowPlainHttp),
      allowLiteralSecrets: String(this.allowLiteralSecrets),
      secretStores: sorted(Object.fromEntries(Object.entries(this._stores).map(([k, s]) => [k, `${s.kind}/${s.name}`]))),
      kubernetesVersion: this.kubernetesVersion.name,
      exposure: JSON.stringify(this.exposure ?? {}),
    };
  }

  /**
   * The value of a Platform prop given directly or through the environment; refuses
   * the two when they differ.
   * @internal
   */
  public _platformProp<T>(path: string, prop: 'kubernetesVersion' | 'allowLiteralSecrets', direct: T | undefined): T | undefined {
    const own = this[prop] as unknown as T;
    if (!this._given[prop]) {
      return direct;
    }
    if (direct !== undefined && direct !== own) {
      throw this.error(path, prop, _plain(direct), `must not differ from the environment '${this.name}', which declares ${_show(own)}`,
        `declare ${prop} in Environment.of('${this.name}') only, and remove it from the Platform's props`, ErrorCode.CONFLICT);
    }
    return own;
  }

  /**
   * A value the gateway takes from the environment's exposure, or its own; refuses
   * both when they differ.
   * @internal
   */
  public _exposure<K extends keyof GatewayExposure>(path: string, prop: K, direct: GatewayExposure[K]): GatewayExposure[K] {
    const own = this.exposure?.[prop];
    if (own === undefined) {
      return direct;
    }
    if (direct !== undefined && JSON.stringify(direct) !== JSON.stringify(own)) {
      throw this.error(path, prop, direct, `must not differ from the exposure of environment '${this.name}' (${_show(own)})`,
        `declare ${prop} in the exposure of Environment.of('${this.name}') only, and remove it from the gateway's props`, ErrorCode.CONFLICT);
    }
    return own;
  }

  /**
   * A replica count or bound clamped to the environment's bounds; a fixed count of 1
   * is never raised.
   * @internal
   */
  public _clampReplicas(count: number, fixed: boolean): number {
    if (!Number.isInteger(count) || count < 1) {
      return count; // refused as it is by the workload
    }
    const min = fixed && count === 1 ? 1 : this.replicas?.min ?? 1;
    const max = this.replicas?.max ?? Number.MAX_SAFE_INTEGER;
    return Math.min(Math.max(count, min), max);
  }

  /**
   * A workload's resolved scaling within the environment's replica bounds: a fixed
   * count stays fixed, an autoscaler keeps its autoscaler.
   * @internal
   */
  public _scaling(s: { readonly minReplicas: number; readonly maxReplicas: number; readonly replicas?: number }): { minReplicas: number; maxReplicas: number; replicas?: number } {
    if (s.replicas !== undefined) {
      const n = this._clampReplicas(s.replicas, true);
      return { minReplicas: n, maxReplicas: n, replicas: n };
    }
    const max = this._clampReplicas(s.maxReplicas, false);
    let min = this._clampReplicas(s.minReplicas, false);
    // an autoscaler keeps a range (an HPA whose bounds are equal scales nothing), as far as the bounds allow
    if (min === max && s.minReplicas < s.maxReplicas && max - 1 >= (this.replicas?.min ?? 1)) {
      min = max - 1;
    }
    return { minReplicas: min, maxReplicas: max, replicas: undefined };
  }

  /**
   * The quota of a context: the environment's fields for it merged over the
   * context's own.
   * @internal
   */
  public _quotaOf(namespace: string, own: ContextQuota | undefined): ContextQuota | undefined {
    const mine = this._quota[namespace];
    return mine === undefined ? own : { ...(own ?? {}), ...mine };
  }

  /**
   * The store the environment uses in place of the one the code names, if any.
   * @internal
   */
  public _storeFor(name: string): EnvironmentSecretStore | undefined {
    return this._stores[name];
  }

  /**
   * Refuses quota keys that name no context of the platform.
   * @internal
   */
  public _checkContexts(path: string, namespaces: string[]): ConfigurationError[] {
    return Object.keys(this._quota).filter(ns => !namespaces.includes(ns)).map(ns =>
      this.error(path, `environment.quota.${ns}`, ns, `must name a bounded context of the platform (known: ${namespaces.join(', ') || 'none'})`,
        `correct the namespace in quota of Environment.of('${this.name}'), or remove it`, ErrorCode.UNKNOWN_REFERENCE));
  }

  private check(): void {
    const path = `environment ${this.name}`;
    const r = this.replicas;
    for (const [prop, value] of [['replicas.min', r?.min], ['replicas.max', r?.max]] as const) {
      if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 10000)) {
        throw this.error(path, prop, value, 'must be a whole number from 1 to 10000', 'bound the replicas with a whole number of pods', ErrorCode.OUT_OF_RANGE);
      }
    }
    if (r?.min !== undefined && r.max !== undefined && r.max < r.min) {
      throw this.error(path, 'replicas.max', r.max, `must be at least replicas.min (${r.min})`, 'raise replicas.max or lower replicas.min', ErrorCode.CONFLICT);
    }
    if (!(this.resources instanceof ResourceSizing)) {
      throw this.error(path, 'resources', String(this.resources), 'must be a ResourceSizing', 'use ResourceSizing.percent({ cpu, memory }) or ResourceSizing.AS_DECLARED', ErrorCode.WRONG_TYPE);
    }
    for (const [prop, value] of [['resources.cpu', this.resources.cpuPercent], ['resources.memory', this.resources.memoryPercent]] as const) {
      if (!Number.isInteger(value) || value < 1 || value > 1000) {
        throw this.error(path, prop, value, 'must be a whole percentage from 1 to 1000', 'use 100 for the declared size, less for a smaller cluster', ErrorCode.OUT_OF_RANGE);
      }
    }
    if (!(this.kubernetesVersion instanceof KubernetesVersion)) {
      throw this.error(path, 'kubernetesVersion', String(this.kubernetesVersion), 'must be a KubernetesVersion', 'use a constant such as KubernetesVersion.V1_33', ErrorCode.WRONG_TYPE);
    }
    for (const [key, host] of Object.entries(this._hosts)) {
      if (typeof host !== 'string' || !/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(host)) {
        throw this.error(path, `hosts.${key}`, host, 'must be a DNS host name such as \'api.example.com\'', 'use the fully qualified host name', ErrorCode.INVALID_NAME);
      }
    }
    if (this.tlsIssuer !== undefined && this.allowPlainHttp) {
      throw this.error(path, 'allowPlainHttp', true, `must not be set together with tlsIssuer ('${this.tlsIssuer}'): the gateway serves either HTTPS or plain HTTP`,
        'remove allowPlainHttp, or remove tlsIssuer for a local development environment', ErrorCode.CONFLICT);
    }
    if (this.tlsIssuer !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(this.tlsIssuer)) {
      throw this.error(path, 'tlsIssuer', this.tlsIssuer, 'must be the name of a ClusterIssuer', 'use the name from kubectl get clusterissuers', ErrorCode.INVALID_NAME);
    }
    for (const [name, store] of Object.entries(this._stores)) {
      if (typeof store?.name !== 'string' || !['SecretStore', 'ClusterSecretStore'].includes(store.kind)) {
        throw this.error(path, `secretStores.${name}`, store, 'must be a secret store', 'use SecretStore.cluster(name) or SecretStore.namespaced(name)', ErrorCode.WRONG_TYPE);
      }
    }
  }

  private error(path: string, prop: string, value: unknown, expected: string, fix: string, code: ErrorCode): ConfigurationError {
    return new ConfigurationError({ path, prop, value, expected, fix, code });
  }
}

function _plain(value: unknown): unknown {
  return value instanceof KubernetesVersion ? value.name : value;
}

function _show(value: unknown): string {
  return _fmt(value instanceof KubernetesVersion ? value.name : value);
}

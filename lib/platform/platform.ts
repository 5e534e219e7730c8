import { ApiObject, Chart } from 'cdk8s';
import { _Chart, _addValidation } from '../internal/chart';
import { k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { _checkCidr } from '../internal/cidr';
import { _ANY_SCOPE, _brand, _checkScope, _isBranded } from '../internal/construct';
import { _assertDns1123Label, _assertInteger, _invalid } from '../internal/errors';
import { LABEL, MANAGED_BY } from '../internal/labels';
import { Environment } from './environment';
import { ImagePolicy } from './image';
import { KubernetesVersion } from './kubernetes-version';
import { IContextMember, IPlatformMember } from './members';
import { PriorityTier, PriorityTierOptions } from './priority-tier';
import { IServiceMesh } from './service-mesh';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';

/**
 * The annotation on the platform's PriorityClasses that names the Kubernetes release
 * its YAML is for (`kubernetesVersion`).
 */
export const TARGET_ANNOTATION = 'cdk8s-microservices.io/kubernetes-version';

/**
 * Properties of a platform.
 */
export interface PlatformProps {
  /**
   * The cluster's DNS domain, used in the service URLs handed to callers.
   *
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;

  /**
   * The namespace of the cluster DNS pods, which every pod may reach on port 53.
   *
   * @default 'kube-system'
   */
  readonly dnsNamespace?: string;

  /**
   * Labels selecting the cluster DNS pods in `dnsNamespace`.
   *
   * @default { 'k8s-app': 'kube-dns' } (CoreDNS and kube-dns both carry it)
   */
  readonly dnsPodLabels?: { [key: string]: string };

  /**
   * Accepts `SecretSource.fromLiterals` and Secrets with plaintext data, for a
   * local development cluster only: the values land in the synthesized YAML.
   *
   * @default false
   */
  readonly allowLiteralSecrets?: boolean;

  /**
   * The networks of the Kubernetes API server's endpoints (the control plane's
   * addresses, not the `kubernetes` Service's ClusterIP: network policy applies after
   * the Service is translated). Services granted API access get egress to them.
   *
   * @default - none; granting a service API access is then an error
   */
  readonly apiServerCidrs?: string[];

  /**
   * The port the API server's endpoints listen on.
   *
   * @default 443
   */
  readonly apiServerPort?: number;

  /**
   * The Kubernetes release the YAML is for (the oldest the clusters run). It switches
   * on what that release supports (the native preStop sleep from 1.30, native
   * sidecars from 1.29) and refuses at synth what it lacks.
   *
   * @default KubernetesVersion.NEWEST (1.37, the newest release the library is tested against)
   */
  readonly kubernetesVersion?: KubernetesVersion;

  /**
   * How firmly every workload's images must be pinned.
   *
   * @default ImagePolicy.VERSION_TAGS (a digest, or a tag such as '1.2.3' or a commit id; moving tags such as 'alpine' or '20' are refused)
   */
  readonly imagePolicy?: ImagePolicy;

  /**
   * The environment the platform is built for (dev, staging, prod): what may differ
   * between environments. Its `kubernetesVersion` and `allowLiteralSecrets`, when it
   * declares them, are the platform's; the same prop given here with another value
   * is refused.
   *
   * @default - no environment: the platform is built as its code declares
   */
  readonly environment?: Environment;

  /**
   * The service mesh the platform runs in, declared once (like a gateway's
   * implementation): it enrols every bounded context's namespace, requires mutual
   * TLS in each, and allows each workload exactly the identities of its declared
   * callers, beside the NetworkPolicies.
   *
   * @default - no mesh: calls are plaintext and allowed by NetworkPolicy only (L3/L4)
   * @example ServiceMesh.istio({ mode: IstioMode.SIDECAR })
   */
  readonly mesh?: IServiceMesh;
}

/**
 * The platform: a set of bounded contexts that run in one cluster and call each
 * other. It renders what exists once per cluster (the PriorityClass of every tier)
 * and is where contexts and services find each other.
 *
 * Its id is the platform's name: it becomes `app.kubernetes.io/part-of` on every
 * object and the prefix of the PriorityClass names, and it is the first file of
 * the synthesized output, so that one `kubectl apply` creates cluster-scoped
 * objects before the namespaced ones.
 *
 * @example
 * const app = new App();
 * const platform = new Platform(app, 'sales');
 * const catalog = new BoundedContext(app, 'catalog', { platform, team: 'catalog-team' });
 */
export class Platform extends _Chart {
  /**
   * Whether `x` is a Platform. (`x instanceof Platform` is true for every cdk8s Chart:
   * Chart defines Symbol.hasInstance.)
   */
  public static isPlatform(x: unknown): x is Platform {
    return _isBranded(x, 'Platform');
  }

  /** The platform name (the construct id). */
  public readonly platformName: string;
  /** The cluster's DNS domain. */
  public readonly clusterDomain: string;
  /** The namespace of the cluster DNS pods. */
  public readonly dnsNamespace: string;
  /** Whether plaintext secret values are accepted (local development only). */
  public readonly allowLiteralSecrets: boolean;
  /** The port of the API server's endpoints. */
  public readonly apiServerPort: number;
  /** The Kubernetes release the YAML is for. */
  public readonly kubernetesVersion: KubernetesVersion;
  /** How firmly images must be pinned. */
  public readonly imagePolicy: ImagePolicy;
  /** The environment the platform is built for, if any. */
  public readonly environment?: Environment;
  /** The service mesh the platform runs in, if any. */
  public readonly mesh?: IServiceMesh;
  private readonly _apiServerCidrs?: string[];
  private readonly _dnsPodLabels: { [key: string]: string };
  private readonly _contexts: IPlatformMember[] = [];
  private readonly _tiers = new Map<string, PriorityTier>();

  constructor(scope: Construct, id: string, props: PlatformProps = {}) {
    super(scope, _checkScope('Platform', scope, id, _ANY_SCOPE), { labels: { [LABEL.PART_OF]: id, [LABEL.MANAGED_BY]: MANAGED_BY } });
    _brand(this, 'Platform');
    _assertDns1123Label(this, 'id', id);
    this.platformName = id;
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    this.dnsNamespace = props.dnsNamespace ?? 'kube-system';
    this._dnsPodLabels = { ...(props.dnsPodLabels ?? { 'k8s-app': 'kube-dns' }) };
    if (props.environment !== undefined && !(props.environment instanceof Environment)) {
      throw _invalid(this, 'environment', String(props.environment), 'must be an Environment', 'use Environment.of(name, { ... })', ErrorCode.WRONG_TYPE);
    }
    this.environment = props.environment;
    const env = this.environment;
    this.allowLiteralSecrets = (env ? env._platformProp(this.node.path, 'allowLiteralSecrets', props.allowLiteralSecrets) : props.allowLiteralSecrets) ?? false;
    this._apiServerCidrs = props.apiServerCidrs ? [...props.apiServerCidrs] : undefined;
    this.apiServerPort = props.apiServerPort ?? 443;
    this.kubernetesVersion = (env ? env._platformProp(this.node.path, 'kubernetesVersion', props.kubernetesVersion) : props.kubernetesVersion) ?? KubernetesVersion.NEWEST;
    this.imagePolicy = props.imagePolicy ?? ImagePolicy.VERSION_TAGS;
    if (props.mesh !== undefined && typeof (props.mesh as Partial<IServiceMesh>)._renderWorkload !== 'function') {
      throw _invalid(this, 'mesh', String(props.mesh), 'must be a ServiceMesh', 'use ServiceMesh.istio({ ... })', ErrorCode.WRONG_TYPE);
    }
    this.mesh = props.mesh;
    if (!(this.kubernetesVersion instanceof KubernetesVersion)) {
      throw _invalid(this, 'kubernetesVersion', String(this.kubernetesVersion), 'must be a KubernetesVersion', 'use a constant such as KubernetesVersion.V1_33', ErrorCode.WRONG_TYPE);
    }
    this.kubernetesVersion._check(this, 'kubernetesVersion');
    if (!(this.imagePolicy instanceof ImagePolicy)) {
      throw _invalid(this, 'imagePolicy', String(this.imagePolicy), 'must be an ImagePolicy', 'use ImagePolicy.DIGESTS, ImagePolicy.VERSION_TAGS or ImagePolicy.NOT_LATEST', ErrorCode.WRONG_TYPE);
    }
    for (const cidr of this._apiServerCidrs ?? []) {
      _checkCidr(this, 'apiServerCidrs', cidr);
    }
    if (this._apiServerCidrs?.length === 0) {
      throw _invalid(this, 'apiServerCidrs', [], 'must list at least one network when given', 'list the API server endpoints, or leave the prop out', ErrorCode.MISSING_REQUIRED);
    }
    _assertInteger(this, 'apiServerPort', this.apiServerPort, 1, 65535, 'use the port the endpoints listen on (443, or 6443 on many self-managed clusters)');
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(this.clusterDomain)) {
      throw _invalid(this, 'clusterDomain', this.clusterDomain, 'must be a DNS domain such as \'cluster.local\'', 'use the domain your cluster DNS serves', ErrorCode.INVALID_NAME);
    }
    _assertDns1123Label(this, 'dnsNamespace', this.dnsNamespace);
    if (Object.keys(this._dnsPodLabels).length === 0) {
      throw _invalid(this, 'dnsPodLabels', this._dnsPodLabels, 'must select the DNS pods with at least one label',
        'pass the labels of your cluster DNS pods, for example { \'k8s-app\': \'kube-dns\' }', ErrorCode.MISSING_REQUIRED);
    }
    for (const tier of PriorityTier.BUILT_IN) {
      this.registerTier(tier);
    }
    _addValidation(this, () => this.findPlaintextSecrets());
    _addValidation(this, () => env?._checkContexts(this.node.path, this._contexts.map(c => c.namespaceName)) ?? []);
  }

  /** Labels selecting the cluster DNS pods (a copy). */
  public get dnsPodLabels(): { [key: string]: string } {
    return { ...this._dnsPodLabels };
  }

  /** The networks of the API server's endpoints, if set (a copy). */
  public get apiServerCidrs(): string[] | undefined {
    return this._apiServerCidrs ? [...this._apiServerCidrs] : undefined;
  }

  /**
   * The bounded contexts of the platform, in the order they were created (a copy).
   *
   * @deprecated use `BoundedContext.all(platform)`, which returns them typed
   */
  public get contexts(): IPlatformMember[] {
    return this._members;
  }

  /**
   * The bounded contexts of the platform, in the order they were created (a copy).
   * @internal
   */
  public get _members(): IPlatformMember[] {
    return [...this._contexts];
  }

  /** The priority tiers the platform renders (a copy). */
  public get priorityTiers(): PriorityTier[] {
    return [...this._tiers.values()];
  }

  /**
   * Adds a priority tier of your own and renders its PriorityClass.
   *
   * @param name the tier name, a DNS label
   */
  public addPriorityTier(name: string, options: PriorityTierOptions): PriorityTier {
    _assertDns1123Label(this, 'addPriorityTier(name)', name);
    if (this._tiers.has(name)) {
      throw _invalid(this, 'addPriorityTier(name)', name, 'must not repeat a tier the platform has already',
        `use PriorityTier.${name.toUpperCase()} or the tier returned the first time, or pick another name`, ErrorCode.DUPLICATE);
    }
    _assertInteger(this, `addPriorityTier(${name}).value`, options.value, -2147483648, 1000000000,
      'user-defined priorities must be at most 1000000000 (higher values are reserved for system pods)');
    const tier = PriorityTier._custom(name, options);
    this.registerTier(tier);
    return tier;
  }

  /**
   * The PriorityClass name of a tier; throws when the tier is not one of this platform's.
   */
  public priorityClassName(tier: PriorityTier): string {
    if (this._tiers.get(tier.name) !== tier) {
      throw _invalid(this, 'priority', tier.name, `must be a tier of platform '${this.platformName}' (${[...this._tiers.keys()].join(', ')})`,
        'use a built-in PriorityTier or one returned by platform.addPriorityTier()', ErrorCode.WRONG_SCOPE);
    }
    return `${this.platformName}-${tier.name}`;
  }

  /**
   * Finds a microservice by context and name; throws with the list of known
   * services when there is none.
   *
   * @param context the bounded context's name (its namespace)
   * @param name the microservice's name
   * @deprecated use `Microservice.find(platform, context, name)`, which returns it typed
   */
  public service(context: string, name: string): IContextMember {
    return this._findService(context, name, (_member): _member is IContextMember => true);
  }

  /**
   * Finds a microservice by context and name, as `isKind` narrows it; throws with
   * the list of known services when there is none.
   * @internal
   */
  public _findService<T extends IContextMember>(context: string, name: string, isKind: (member: IContextMember) => member is T): T {
    const ctx = this._contexts.find(c => c.namespaceName === context);
    const svc = ctx?._services.filter(isKind).find(s => s.name === name);
    if (!svc) {
      const known = this._contexts.flatMap(c => c._services.map(s => `${c.namespaceName}/${s.name}`));
      throw _invalid(this, 'service', `${context}/${name}`, `must name a microservice of the platform (known: ${known.join(', ') || 'none'})`,
        'create the microservice first, or correct the context or service name', ErrorCode.UNKNOWN_REFERENCE);
    }
    return svc;
  }

  /** @internal */
  public _registerContext(context: IPlatformMember): void {
    const clash = this._contexts.find(c => c.namespaceName === context.namespaceName);
    if (clash) {
      throw _invalid(context, 'namespace', context.namespaceName, `must be unique in the platform, but ${clash.node.path} uses it too`,
        'give each bounded context its own namespace', ErrorCode.DUPLICATE);
    }
    this._contexts.push(context);
  }

  /**
   * Every Secret in the app that carries plaintext `data` or `stringData`, as an
   * error, unless literal secrets were allowed. Catches Secrets added through
   * escape hatches too. The bounded contexts check their own (so that rendering one
   * context's chart checks it without a pass over the whole app); this covers the
   * rest of the app.
   */
  private findPlaintextSecrets(): ConfigurationError[] {
    const contexts = new Set<IConstruct>(this._contexts);
    return this._plaintextSecrets(this.node.root, o => contexts.has(Chart.of(o)));
  }

  /**
   * The plaintext-Secret errors of the Secrets under `scope`, but those `skip` names.
   * @internal
   */
  public _plaintextSecrets(scope: IConstruct, skip: (o: ApiObject) => boolean = () => false): ConfigurationError[] {
    if (this.allowLiteralSecrets) {
      return [];
    }
    return scope.node.findAll()
      .filter((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Secret' && c.apiVersion === 'v1' && !skip(c))
      .filter(o => {
        const json = o.toJson();
        return Object.keys(json.data ?? {}).length > 0 || Object.keys(json.stringData ?? {}).length > 0;
      })
      .map(o => _invalid(o, 'data', `Secret ${o.name}`,
        'holds plaintext values, which would be committed with the synthesized YAML',
        'use SecretSource.fromExternalSecret or fromSealedSecret; for a local development cluster only, set allowLiteralSecrets on the Platform', ErrorCode.PLAINTEXT_SECRET));
  }

  private registerTier(tier: PriorityTier): void {
    this._tiers.set(tier.name, tier);
    new k8s.KubePriorityClass(this, `priority-${tier.name}`, {
      metadata: {
        name: `${this.platformName}-${tier.name}`,
        labels: { [LABEL.TIER]: tier.name },
        // the release the platform's YAML is for: the conformance run applies it to that release and newer
        annotations: { [TARGET_ANNOTATION]: this.kubernetesVersion.name },
      },
      value: tier.value,
      globalDefault: false,
      preemptionPolicy: tier.preempting ? 'PreemptLowerPriority' : 'Never',
      description: tier.description,
    });
  }
}

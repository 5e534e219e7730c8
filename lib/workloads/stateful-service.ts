import { Duration, Size } from 'cdk8s';
import { k8s } from '../internal/k8s';
import type { BoundedContext } from '../platform/bounded-context';
import { CallableWorkload } from './callable-workload';
import { CROSS_CONTEXT_OWNERS_ANNOTATION, CrossContextOwnership } from './cross-context-ownership';
import { DisruptionBudget } from './disruption-budget';
import { _assertInteger, _instanceOf, _invalid, _oneOf } from '../internal/errors';
import { _checkDisruptionBudget, _renderDisruptionBudget } from './scaling';
import { VolumeClaim } from '../pod/volume-claim';
import { StoreStorage } from './store-storage';
import { Workload } from './workload';
import { IConnectable } from './workload-connections';
import { LongRunningWorkloadProps, _KindFootprint } from './workload-props';
import { ErrorCode } from '../internal/configuration-error';
import { CONFIG_REVISIONS_KEPT } from '../change/config-revisions';

/** The longest StatefulService name: 63 less '-' and the 10 digits of a revision hash. */
const STATEFUL_SET_NAME_MAX = 52;

/**
 * How a StatefulSet starts and stops its pods.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#pod-management-policies
 */
export class PodManagementPolicy {
  /** One pod at a time, in order, each ready before the next (replicated databases). */
  public static readonly ORDERED_READY = new PodManagementPolicy('OrderedReady');
  /** All pods at once (independent shards, caches). */
  public static readonly PARALLEL = new PodManagementPolicy('Parallel');

  private constructor(
    /** The Kubernetes name of the policy. */
    public readonly value: string,
  ) {}
}

/**
 * What happens to a StatefulService's claims when it is deleted or scaled down.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#persistentvolumeclaim-retention
 */
export class ClaimRetention {
  /** The claims and their data stay. */
  public static readonly RETAIN = new ClaimRetention('Retain');
  /** The claims are deleted, and with them, depending on the StorageClass, the data. */
  public static readonly DELETE = new ClaimRetention('Delete');

  private constructor(
    /** The Kubernetes name of the policy. */
    public readonly value: string,
  ) {}
}

/**
 * Properties of a stateful service.
 */
export interface StatefulServiceProps extends LongRunningWorkloadProps {
  /**
   * The workloads that own the store (database per service): only they may
   * `connectTo` it. At least one, of the store's own bounded context unless
   * `crossContextOwners` declares otherwise.
   */
  readonly owners: Workload[];

  /**
   * The store's context declaring, with a reason, that owners of other bounded
   * contexts operate the store's data (see `CrossContextOwnership`).
   *
   * @default - none; an owner of another context is refused
   */
  readonly crossContextOwners?: CrossContextOwnership;

  /**
   * The number of pods, each with its own claims.
   *
   * @default 1
   */
  readonly replicas?: number;

  /**
   * Where the pods keep their data: persistent claims, or scratch space that is gone
   * with each pod (`StoreStorage.scratch`, for a cache that keeps nothing; then
   * `claims`, `whenDeleted` and `whenScaled` are refused).
   *
   * @default StoreStorage.PERSISTENT
   */
  readonly storage?: StoreStorage;

  /**
   * The persistent volumes every pod gets.
   *
   * @default - one claim 'data' of Size.gibibytes(1), ReadWriteOnce, mounted at /data; none with scratch storage
   */
  readonly claims?: VolumeClaim[];

  /**
   * Whether pods start and stop one at a time, in order, or all at once.
   *
   * @default PodManagementPolicy.ORDERED_READY
   */
  readonly podManagementPolicy?: PodManagementPolicy;

  /**
   * What happens to the claims when the StatefulService is deleted.
   *
   * @default ClaimRetention.RETAIN
   */
  readonly whenDeleted?: ClaimRetention;

  /**
   * What happens to a pod's claims when the StatefulService is scaled down.
   *
   * @default ClaimRetention.RETAIN
   */
  readonly whenScaled?: ClaimRetention;

  /**
   * How many pods voluntary disruptions may take at once.
   *
   * @default DisruptionBudget.maxUnavailable(1)
   */
  readonly disruptionBudget?: DisruptionBudget;
}

/**
 * A stateful store in a bounded context, owned by one or more workloads (the
 * database-per-service pattern): a StatefulSet whose pods each get their own
 * persistent volumes (`volumeClaimTemplates`), a headless Service named after it
 * (pods are addressed as `<name>-N.<name>.<context>.svc`), its own ServiceAccount,
 * a PodDisruptionBudget that still lets a node drain, and a NetworkPolicy that
 * admits only its owners, on the ports they call. A non-owner's `connectTo` is an
 * error. The context's quota check counts its claims and their storage. A cache that
 * keeps nothing takes `storage: StoreStorage.scratch(...)`: an emptyDir per pod, no
 * claims.
 *
 * @example
 * const cache = new StatefulService(catalog, 'products-cache', {
 *   image: Image.fromTag('docker.io/library/redis', '7.2.5'),
 *   ports: [Port.tcp(6379, { name: 'redis' })],
 *   readiness: Probe.exec(['redis-cli', 'ping']),
 *   liveness: Probe.tcp(),
 *   owners: [products],
 *   claims: [VolumeClaim.of('data', { size: Size.gibibytes(2), mountPath: '/data' })],
 * });
 * products.connectTo(cache);
 */
export class StatefulService extends CallableWorkload {
  /** The number of pods. */
  public readonly replicas: number;
  /** How pods start and stop. */
  public readonly podManagementPolicy: PodManagementPolicy;
  /** Where the pods keep their data. */
  public readonly storage: StoreStorage;
  /** What happens to the claims on deletion (not rendered with scratch storage, which has none). */
  public readonly whenDeleted: ClaimRetention;
  /** What happens to a pod's claims on scale-down (not rendered with scratch storage, which has none). */
  public readonly whenScaled: ClaimRetention;
  /** The disruption budget. */
  public readonly disruptionBudget: DisruptionBudget;
  private readonly _owners: Workload[];
  private readonly _claims: VolumeClaim[];

  constructor(scope: BoundedContext, id: string, props: StatefulServiceProps) {
    super(scope, id, props, { noun: 'store', title: 'stateful service', component: 'store', preStopDelay: Duration.seconds(5), longRunning: true, props: 'StatefulService' });
    // the StatefulSet controller labels each pod controller-revision-hash: <name>-<hash>,
    // the hash the decimal FNV-32 of the revision (up to 10 digits; Kubernetes'
    // ControllerRevisionName), and names it <name>-<ordinal>: both at most 63
    if (id.length > STATEFUL_SET_NAME_MAX) {
      throw _invalid(this, 'id', id, `must be at most ${STATEFUL_SET_NAME_MAX} characters: the StatefulSet controller labels each pod controller-revision-hash `
        + '\'<name>-<revision hash of up to 10 digits>\' and names it \'<name>-<ordinal>\', both at most 63, or it never creates the pods',
      `shorten the name to ${STATEFUL_SET_NAME_MAX} characters or fewer`, ErrorCode.INVALID_NAME);
    }
    this.replicas = props.replicas ?? 1;
    this.storage = _instanceOf(this, 'storage', props.storage ?? StoreStorage.PERSISTENT, StoreStorage,
      'use StoreStorage.scratch({ sizeLimit }) for a store that keeps nothing, or leave storage out for persistent claims');
    const scratch = this.storage._scratch(this, 'storage');
    if (scratch !== undefined) {
      refuseWithScratch(this, props);
    }
    this.podManagementPolicy = _oneOf(this, 'podManagementPolicy', props.podManagementPolicy ?? PodManagementPolicy.ORDERED_READY, PodManagementPolicy);
    this.whenDeleted = _oneOf(this, 'whenDeleted', props.whenDeleted ?? ClaimRetention.RETAIN, ClaimRetention);
    this.whenScaled = _oneOf(this, 'whenScaled', props.whenScaled ?? ClaimRetention.RETAIN, ClaimRetention);
    this.disruptionBudget = props.disruptionBudget ?? DisruptionBudget.maxUnavailable(1);
    this._owners = [...(props.owners ?? [])];
    this._claims = scratch !== undefined ? [] : [...(props.claims ?? [VolumeClaim.of('data', { size: Size.gibibytes(1), mountPath: '/data' })])];
    _assertInteger(this, 'replicas', this.replicas, 1, 10000, 'run at least 1 replica');
    _checkDisruptionBudget(this, this.disruptionBudget, this.replicas);
    if (this._owners.length === 0) {
      throw _invalid(this, 'owners', [], 'must name at least one workload that owns the store (database per service); only owners may connect to it',
        'pass owners: [theService], the workload whose data this is', ErrorCode.MISSING_REQUIRED);
    }
    for (const owner of this._owners) {
      if (!(owner instanceof Workload) || owner.context.platform !== scope.platform) {
        throw _invalid(this, 'owners', String(owner), `must be workloads of platform '${scope.platform.platformName}'`,
          'pass the Microservice, Worker or Job objects that own the store', ErrorCode.WRONG_SCOPE);
      }
    }
    const crossContext = CrossContextOwnership._check(this, scope.namespaceName, this._owners, props.crossContextOwners);
    if (this._ports.length === 0) {
      throw _invalid(this, 'ports', [], 'must list at least one port: owners reach the store through its Service',
        'add the port the store listens on, for example Port.tcp(5432, { name: \'postgres\' })', ErrorCode.MISSING_REQUIRED);
    }
    const names = new Set<string>();
    this._claims.forEach((claim, i) => _instanceOf(this, `claims[${i}]`, claim, VolumeClaim, 'use VolumeClaim.of(name, { size, mountPath })'));
    for (const claim of this._claims) {
      claim._check(this, scope._storageQuota, scope.node.path);
      if (names.has(claim.name)) {
        throw _invalid(this, 'claims[].name', claim.name, 'must be unique in the store', 'give each claim its own name', ErrorCode.DUPLICATE);
      }
      names.add(claim.name);
      this._addMount(`claims[${claim.name}].mountPath`, { name: claim.name, mountPath: claim.mountPath });
    }
    if (scratch !== undefined) {
      this.pod._addVolume(scratch.volume, { mountPath: scratch.mountPath, writable: true }, 'storage');
    } else if (this._claims.length === 0) {
      throw _invalid(this, 'claims', [], 'must hold at least one claim with persistent storage: the pods would have nowhere to keep their data',
        'add a VolumeClaim, or set storage: StoreStorage.scratch({ sizeLimit }) for a store that keeps nothing (a cache)', ErrorCode.MISSING_REQUIRED);
    }

    const statefulSet = new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { ...this._meta(), ...this._probeAnnotations() },
      spec: {
        serviceName: this.name,
        replicas: this.replicas,
        selector: { matchLabels: this.selectorLabels },
        podManagementPolicy: this.podManagementPolicy.value,
        // the revisions `kubectl rollout undo` can return to: each names a ConfigMap revision the output keeps
        revisionHistoryLimit: CONFIG_REVISIONS_KEPT,
        updateStrategy: { type: 'RollingUpdate' },
        ...(scratch === undefined ? { persistentVolumeClaimRetentionPolicy: { whenDeleted: this.whenDeleted.value, whenScaled: this.whenScaled.value } } : {}),
        template: this._podTemplate({ spreadBy: 'controller-revision-hash' }),
        ...(scratch === undefined ? { volumeClaimTemplates: this._claims.map(c => c._render({ ...this.selectorLabels })) } : {}),
      },
    });
    if (crossContext !== undefined) statefulSet.metadata.addAnnotation(CROSS_CONTEXT_OWNERS_ANNOTATION, crossContext.reason);
    this._setController(statefulSet);
    this._suppressWithoutProbes(statefulSet);
    this._renderService(true);
    _renderDisruptionBudget(this, this.disruptionBudget);
    this.connections._render('no owner calls this store yet, so its NetworkPolicy admits no ingress');
  }

  /** The workloads that own the store (a copy). */
  public get owners(): Workload[] {
    return [...this._owners];
  }

  /** The persistent volumes every pod gets (a copy); none with scratch storage. */
  public get claims(): VolumeClaim[] {
    return [...this._claims];
  }

  /** @internal */
  public _provisionsClaim(claimName: string): boolean {
    return this._claims.some(c => new RegExp(`^${c.name}-${this.name}-\\d+$`).test(claimName));
  }

  /** @internal */
  public override get _mostReplicas(): number {
    return this.replicas;
  }

  /** @internal */
  public override _admit(caller: IConnectable): void {
    if (!this._owners.some(owner => owner === caller)) {
      throw _invalid(caller, 'connectTo(callee)', this.node.path,
        `must be a store the caller owns, but ${this.node.path} is owned by ${this._owners.map(o => o.node.path).join(', ')} (database per service)`,
        `call an owner's API instead, or add ${caller.node.path} to the store's owners if it truly shares the data`, ErrorCode.UNKNOWN_REFERENCE);
    }
  }

  /** @internal */
  protected _kindFootprint(): _KindFootprint {
    return {
      // pods are replaced one at a time, never surged
      peakPods: this.replicas,
      services: 1,
      claims: this.replicas * this._claims.length,
      storage: this.replicas * this._claims.reduce((n, c) => n + c._bytes, 0),
    };
  }
}

/** Throws when a prop about claims is set on a store with scratch storage, which has none. */
function refuseWithScratch(scope: StatefulService, props: StatefulServiceProps): void {
  const claims = props.claims;
  const set: Array<[string, unknown]> = [
    ['claims', Array.isArray(claims) ? claims.map(c => (c instanceof VolumeClaim ? c.name : String(c))) : claims],
    ['whenDeleted', props.whenDeleted instanceof ClaimRetention ? props.whenDeleted.value : props.whenDeleted],
    ['whenScaled', props.whenScaled instanceof ClaimRetention ? props.whenScaled.value : props.whenScaled],
  ];
  for (const [prop, value] of set) {
    if (value !== undefined) {
      throw _invalid(scope, prop, value,
        'must not be set with storage: StoreStorage.scratch(...): the pods keep their data in an emptyDir, gone with each pod, and the store has no claims',
        `remove ${prop}, or remove storage for persistent claims`, ErrorCode.CONFLICT);
    }
  }
}

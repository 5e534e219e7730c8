import { Duration, Size } from 'cdk8s';
import { k8s } from '../internal/k8s';
import type { BoundedContext } from '../platform/bounded-context';
import { CallableWorkload } from './callable-workload';
import { DisruptionBudget } from './disruption-budget';
import { _assertInteger, _instanceOf, _invalid, _oneOf } from '../internal/errors';
import { _checkDisruptionBudget, _renderDisruptionBudget } from './scaling';
import { VolumeClaim } from '../pod/volume-claim';
import { Workload } from './workload';
import { IConnectable } from './workload-connections';
import { LongRunningWorkloadProps, _KindFootprint } from './workload-props';
import { ErrorCode } from '../internal/configuration-error';

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
   * `connectTo` it. At least one.
   */
  readonly owners: Workload[];

  /**
   * The number of pods, each with its own claims.
   *
   * @default 1
   */
  readonly replicas?: number;

  /**
   * The persistent volumes every pod gets.
   *
   * @default - one claim 'data' of Size.gibibytes(1), ReadWriteOnce, mounted at /data
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
 * error. The context's quota check counts its claims and their storage.
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
  /** What happens to the claims on deletion. */
  public readonly whenDeleted: ClaimRetention;
  /** What happens to a pod's claims on scale-down. */
  public readonly whenScaled: ClaimRetention;
  /** The disruption budget. */
  public readonly disruptionBudget: DisruptionBudget;
  private readonly _owners: Workload[];
  private readonly _claims: VolumeClaim[];

  constructor(scope: BoundedContext, id: string, props: StatefulServiceProps) {
    super(scope, id, props, { noun: 'store', title: 'stateful service', component: 'store', preStopDelay: Duration.seconds(5), longRunning: true });
    this.replicas = props.replicas ?? 1;
    this.podManagementPolicy = _oneOf(this, 'podManagementPolicy', props.podManagementPolicy ?? PodManagementPolicy.ORDERED_READY, PodManagementPolicy);
    this.whenDeleted = _oneOf(this, 'whenDeleted', props.whenDeleted ?? ClaimRetention.RETAIN, ClaimRetention);
    this.whenScaled = _oneOf(this, 'whenScaled', props.whenScaled ?? ClaimRetention.RETAIN, ClaimRetention);
    this.disruptionBudget = props.disruptionBudget ?? DisruptionBudget.maxUnavailable(1);
    this._owners = [...(props.owners ?? [])];
    this._claims = [...(props.claims ?? [VolumeClaim.of('data', { size: Size.gibibytes(1), mountPath: '/data' })])];
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
    if (this._claims.length === 0) {
      throw _invalid(this, 'claims', [], 'must hold at least one claim: a store without persistent storage is a Microservice',
        'add a VolumeClaim, or use a Microservice (with replicas for a fixed count)', ErrorCode.MISSING_REQUIRED);
    }

    const statefulSet = new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { ...this._meta(), ...this._probeAnnotations() },
      spec: {
        serviceName: this.name,
        replicas: this.replicas,
        selector: { matchLabels: this.selectorLabels },
        podManagementPolicy: this.podManagementPolicy.value,
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: this.whenDeleted.value, whenScaled: this.whenScaled.value },
        template: this._podTemplate({ spreadBy: 'controller-revision-hash' }),
        volumeClaimTemplates: this._claims.map(c => c._render({ ...this.selectorLabels })),
      },
    });
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

  /** The persistent volumes every pod gets (a copy). */
  public get claims(): VolumeClaim[] {
    return [...this._claims];
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

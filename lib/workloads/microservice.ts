import { Duration } from 'cdk8s';
import type { BoundedContext } from '../platform/bounded-context';
import type { Platform } from '../platform/platform';
import { CallableWorkload } from './callable-workload';
import { ResolvedScaling, ScalingProps, _Scaling, _renderDisruptionBudget } from './scaling';
import { LongRunningWorkloadProps, _KindFootprint } from './workload-props';
import { UpdateStrategy } from './update-strategy';
import { _suppress } from '../internal/suppressions';
import { LABEL } from '../internal/labels';
import { _addValidation } from '../internal/chart';
import { _invalid } from '../internal/errors';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';
import { _checkImage } from '../pod/container-rules';
import { IRelease, _ReleasePlan, _ReleaseTrack } from './release-track';


/**
 * Properties of a microservice.
 */
export interface MicroserviceProps extends LongRunningWorkloadProps, ScalingProps {
  /**
   * A release in progress: a second track of the service (a canary, the other colour
   * of a blue-green pair, an A/B variant, a shadow) that runs beside the stable one
   * (`image`), with `Release.canary(...)`, `Release.blueGreen(...)`,
   * `Release.abTest(...)` or `Release.shadow(...)`. The track is a Deployment named
   * `<service>-<track>` with its own autoscaler and disruption budget; the stable
   * Deployment's name and selector never change, so starting, promoting or ending a
   * release is a change of this prop (and, to promote, of `image`) that the
   * safe-change check lets through.
   *
   * @default - no release: the service runs one track, rolled in place
   */
  readonly release?: IRelease;
}

/**
 * The resolved scaling of a microservice (`replicas`, `minReplicas`, `maxReplicas`,
 * `targetCpuUtilization`, `updateStrategy`, `maxSurge`, `disruptionBudget`), declared once in
 * `ResolvedScaling` and set by its constructor.
 */
export interface Microservice extends ResolvedScaling {}

/**
 * A microservice in a bounded context: a Deployment, its Service (the stable DNS
 * name `<name>.<context>.svc.<cluster-domain>` that callers use), its own
 * ServiceAccount, a HorizontalPodAutoscaler (or a fixed `replicas` count), a
 * PodDisruptionBudget and a NetworkPolicy holding exactly the calls declared to
 * and from it.
 *
 * Pods run as a non-root user with a read-only root filesystem, no privilege
 * escalation, all capabilities dropped and the RuntimeDefault seccomp profile;
 * they spread over zones and nodes, shut down gracefully and, by default, are never
 * fewer than the desired count during a rolling update (`updateStrategy`).
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
export class Microservice extends CallableWorkload {
  /** The microservices of `context`, in the order they were created. */
  public static override all(context: BoundedContext): Microservice[] {
    return context._services.filter((m): m is Microservice => m instanceof Microservice);
  }

  /**
   * Finds a microservice of `platform` by context and name; throws with the list of
   * known services when there is none.
   *
   * @param context the bounded context's name (its namespace)
   * @param name the microservice's name
   */
  public static find(platform: Platform, context: string, name: string): Microservice {
    return platform._findService(context, name, (m): m is Microservice => m instanceof Microservice);
  }

  /** The release in progress, if any. */
  public readonly release?: IRelease;

  private readonly _scaling: _Scaling;
  /** @internal */
  public readonly _releasePlan?: _ReleasePlan;
  private readonly _track?: _ReleaseTrack;
  private readonly _routes = new Set<string>();

  constructor(scope: BoundedContext, id: string, props: MicroserviceProps) {
    super(scope, id, props, { noun: 'service', title: 'microservice', component: 'backend', preStopDelay: Duration.seconds(5), longRunning: true, props: 'Microservice' });
    this._scaling = new _Scaling(this, props);
    this._scaling.exposeOn(this);
    scope._registerService(this);
    this.release = props.release;
    this._releasePlan = this.planRelease(props.release);

    const deployment = this._renderScaledDeployment(this._scaling,
      'a singleton by design (replicas: 1): the service must run as one instance; its disruption budget still lets a node drain');
    if (this.updateStrategy === UpdateStrategy.RECREATE && this._ports.length > 0) {
      _suppress(deployment, 'kube-score', 'deployment-strategy',
        'updateStrategy RECREATE by choice: every old pod is gone before a new one starts, so that two never run at once; callers wait during a rollout');
    }
    if (this._ports.length > 0) {
      this._renderService();
    }
    this._scaling.renderAutoscaler();
    _renderDisruptionBudget(this, this.disruptionBudget);
    this.connections._render('no service calls this one, so its NetworkPolicy admits no ingress (a gateway route brings a policy of its own)');
    if (this._releasePlan) {
      // after the NetworkPolicy: the track's pods carry the same suppressions as the stable ones
      this._track = new _ReleaseTrack(this, this._releasePlan, this._podTemplate({ spreadBy: 'pod-template-hash' }), this._scaling.renderStrategy(), deployment);
      _addValidation(this, () => this.validateRelease());
    }
  }

  /**
   * The labels the pods of every track carry: with a release, the name alone (the
   * stable pods have instance `<service>`, the track's `<service>-<track>`).
   */
  public override get everyTrackSelectorLabels(): { [key: string]: string } {
    return this._releasePlan ? { [LABEL.NAME]: this.name } : this.selectorLabels;
  }

  /**
   * The name of the Service that selects the stable track alone (`<service>-stable`),
   * when a release runs; the gateway's routes send the stable share there.
   * @internal
   */
  public get _stableServiceName(): string | undefined {
    return this._releasePlan ? `${this.name}-stable` : undefined;
  }

  /** The name of the release track's Service (`<service>-<track>`), when a release runs. @internal */
  public get _trackServiceName(): string | undefined {
    return this._track?.name;
  }

  /**
   * Records that a Gateway API route of `gateway` reaches this service (a release that
   * splits, matches or mirrors routed traffic needs one).
   * @internal
   */
  public _routedBy(gateway: string): void {
    this._routes.add(gateway);
  }

  /**
   * The Service's selector: with a release, every track (canary, A/B, shadow: the
   * shadow's pods are not selected), or the active colour of a blue-green pair.
   * @internal
   */
  protected override get _serviceSelector(): { [key: string]: string } {
    const plan = this._releasePlan;
    switch (plan?.serviceSelects) {
      case 'all':
        return { [LABEL.NAME]: this.name };
      case 'track':
        return { ...this.selectorLabels, [LABEL.INSTANCE]: `${this.name}-${plan.track}` };
      default:
        return this.selectorLabels;
    }
  }

  private planRelease(release: IRelease | undefined): _ReleasePlan | undefined {
    if (release === undefined) {
      return undefined;
    }
    if (release === null || typeof (release as IRelease)._plan !== 'function') {
      throw _invalid(this, 'release', String(release), 'must be a release', 'use Release.canary(...), Release.blueGreen(...), Release.abTest(...) or Release.shadow(...)', ErrorCode.WRONG_TYPE);
    }
    if (this._ports.length === 0) {
      throw _invalid(this, 'release', release.strategy, 'must be on a service with ports: a release splits the traffic to the service, and one without ports receives none',
        'add the service\'s ports, or remove the release and roll the new image in place', ErrorCode.CONFLICT);
    }
    const plan = release._plan(this, 'release');
    _checkImage(this, 'release.', plan.image, this.context.platform.imagePolicy, this.imagePullPolicy);
    if (plan.image.reference === this.image.reference && plan.sameImage === undefined) {
      throw _invalid(this, 'release.image', plan.image.reference,
        `must differ from the stable track's image: a ${plan.strategy} release runs a new version beside the stable one`,
        'set release.image to the new version, or remove the release', ErrorCode.CONFLICT);
    }
    return plan;
  }

  /** The release's refusals that need the finished tree: a route it needs, and names its objects take. */
  private validateRelease(): ConfigurationError[] {
    const plan = this._releasePlan!;
    const errors: ConfigurationError[] = [];
    if (plan.needsRoute && this._routes.size === 0) {
      errors.push(_invalid(this, 'release', plan.strategy,
        `must be on a service that a gateway routes (ApiGateway addRoute or addGrpcRoute): a ${plan.strategy} release works on routed requests, and this service has no route`,
        'route the service through an ApiGateway, or use Release.blueGreen(...), which switches the Service itself', ErrorCode.CONFLICT));
    }
    for (const name of [`${this.name}-stable`, `${this.name}-${plan.track}`]) {
      const other = this.context._members.find(m => m !== this && m.node.id === name);
      if (other) {
        errors.push(_invalid(this, 'release', plan.strategy, `must not name its objects '${name}', the name of ${other.node.path}`,
          'rename one of the two workloads', ErrorCode.DUPLICATE));
      }
    }
    return errors;
  }

  /** @internal */
  public override get _mostReplicas(): number {
    return this._scaling.maxReplicas;
  }

  /** The release track's most replicas (0 when there is none, or it runs at zero). @internal */
  public get _trackMostReplicas(): number {
    return this._track?.scaling?.maxReplicas ?? 0;
  }

  /** @internal */
  protected _kindFootprint(): _KindFootprint {
    const own = this._scaledKindFootprint(this._scaling, this._ports.length > 0 ? 1 : 0);
    // a release's track counts at its maximum too, with its Service and the stable track's
    return this._track ? { ...own, peakPods: own.peakPods + this._track.peakPods, services: own.services + 2 } : own;
  }
}

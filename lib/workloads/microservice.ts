import { Duration } from 'cdk8s';
import type { BoundedContext } from '../platform/bounded-context';
import type { Platform } from '../platform/platform';
import { CallableWorkload } from './callable-workload';
import { ResolvedScaling, ScalingProps, _Scaling, _renderDisruptionBudget } from './scaling';
import { LongRunningWorkloadProps, _KindFootprint } from './workload-props';


/**
 * Properties of a microservice.
 */
export interface MicroserviceProps extends LongRunningWorkloadProps, ScalingProps {
}

/**
 * The resolved scaling of a microservice (`replicas`, `minReplicas`, `maxReplicas`,
 * `targetCpuUtilization`, `maxSurge`, `disruptionBudget`), declared once in
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

  private readonly _scaling: _Scaling;

  constructor(scope: BoundedContext, id: string, props: MicroserviceProps) {
    super(scope, id, props, { noun: 'service', title: 'microservice', component: 'backend', preStopDelay: Duration.seconds(5), longRunning: true });
    this._scaling = new _Scaling(this, props);
    this._scaling.exposeOn(this);
    scope._registerService(this);

    this._renderScaledDeployment(this._scaling,
      'a singleton by design (replicas: 1): the service must run as one instance; its disruption budget still lets a node drain');
    if (this._ports.length > 0) {
      this._renderService();
    }
    this._scaling.renderAutoscaler();
    _renderDisruptionBudget(this, this.disruptionBudget);
    this.connections._render('no service calls this one, so its NetworkPolicy admits no ingress (a gateway route brings a policy of its own)');
  }

  /** @internal */
  protected _kindFootprint(): _KindFootprint {
    return this._scaledKindFootprint(this._scaling, this._ports.length > 0 ? 1 : 0);
  }
}

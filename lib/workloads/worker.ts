import { Duration } from 'cdk8s';
import type { BoundedContext } from '../platform/bounded-context';
import { ResolvedScaling, ScalingProps, _Scaling, _renderDisruptionBudget } from './scaling';
import { Workload } from './workload';
import { LongRunningWorkloadProps, _KindFootprint } from './workload-props';

/**
 * Properties of a worker.
 */
export interface WorkerProps extends LongRunningWorkloadProps, ScalingProps {
}

/**
 * The resolved scaling of a worker (`replicas`, `minReplicas`, `maxReplicas`,
 * `targetCpuUtilization`, `maxSurge`, `disruptionBudget`), declared once in
 * `ResolvedScaling` and set by its constructor.
 */
export interface Worker extends ResolvedScaling {}

/**
 * A worker in a bounded context: a long-running process that nothing calls (a queue
 * consumer, a load generator, an outbox relay). It renders a Deployment, its own
 * ServiceAccount, a HorizontalPodAutoscaler (or a fixed `replicas` count), a
 * PodDisruptionBudget and a NetworkPolicy that admits no ingress at all and lets
 * out only the calls the worker declares with `connectTo`. There is no Service: a
 * worker cannot be called (`connectTo` a worker is an error) nor routed by a gateway.
 *
 * Its ports, if any, serve only its probes (TCP or gRPC) and metrics; an exec probe
 * needs none. Without a Service there are no endpoints to leave, so it gets no
 * preStop delay unless told.
 *
 * @example
 * const relay = new Worker(orders, 'outbox-relay', {
 *   image: Image.fromTag('ghcr.io/acme/outbox-relay', '1.2.0'),
 *   readiness: Probe.exec(['/app/ready']),
 *   liveness: Probe.exec(['/app/alive']),
 *   replicas: 1,
 * });
 * relay.connectTo(notifications);
 */
export class Worker extends Workload {
  private readonly _scaling: _Scaling;

  constructor(scope: BoundedContext, id: string, props: WorkerProps) {
    super(scope, id, props, { noun: 'worker', title: 'worker', component: 'worker', preStopDelay: Duration.seconds(0), longRunning: true });
    this._scaling = new _Scaling(this, props);
    this._scaling.exposeOn(this);

    this._renderScaledDeployment(this._scaling,
      'a singleton by design (replicas: 1): one worker consumes at a time; its disruption budget still lets a node drain');
    this._scaling.renderAutoscaler();
    _renderDisruptionBudget(this, this.disruptionBudget);
    this.connections._render('a worker is never called: it has no Service and its NetworkPolicy admits no ingress');
  }

  /** @internal */
  protected _kindFootprint(): _KindFootprint {
    return this._scaledKindFootprint(this._scaling, 0);
  }

}

import { k8s } from '../internal/k8s';
import { Construct } from 'constructs';
import { _invalid } from '../internal/errors';
import type { BoundedContext } from '../platform/bounded-context';
import { Port, PortProtocol } from '../pod/port';
import { Workload } from './workload';
import { LongRunningWorkloadProps, _Kind } from './workload-props';
import { Connection, ConnectOptions, ICallable, IConnectable } from './workload-connections';
import { ErrorCode } from '../internal/configuration-error';

/**
 * A workload that other workloads call: it has a Service named after it (its stable
 * DNS name `<name>.<context>.svc.<cluster-domain>`), and its NetworkPolicy admits
 * exactly the calls declared to it. `Microservice` and `StatefulService` are
 * callable; a `Worker`, `Job` or `CronJob` is not.
 */
export abstract class CallableWorkload extends Workload implements ICallable {
  /** @internal */
  public readonly _callable = true;

  /** @internal */
  protected constructor(scope: BoundedContext, id: string, props: LongRunningWorkloadProps, kind: _Kind) {
    super(scope, id, props, kind);
  }

  /** The stable in-cluster DNS name of the Service. */
  public get host(): string {
    return `${this.name}.${this.namespace}.svc.${this.context.platform.clusterDomain}`;
  }

  /**
   * What the Service selects: the controller's pods, or the tracks a release says.
   * @internal
   */
  protected get _serviceSelector(): { [key: string]: string } {
    return this.selectorLabels;
  }

  /** The calls declared to this workload (a copy). */
  public get callers(): Connection[] {
    return this.connections.callers;
  }

  /** The URL of one of this workload's ports, as callers get it. */
  public url(portName?: string): string {
    const port = this._findPort(portName, 'url(port)');
    return port.protocol === PortProtocol.GRPC
      ? `dns:///${this.host}:${port.servicePort}`
      : `${port.protocol.scheme}://${this.host}:${port.servicePort}`;
  }

  /**
   * Declares that `caller` calls this workload: the same as `caller.connectTo(this)`.
   */
  public allowFrom(caller: Workload, options: ConnectOptions = {}): Connection {
    return caller.connectTo(this, options);
  }

  /**
   * Throws when `caller` may not call this workload.
   * @internal
   */
  public _admit(_caller: IConnectable): void {
    // every declared caller is admitted, unless a kind restricts them
  }

  /** @internal */
  public _findPort(name: string | undefined, prop: string, scope: Construct = this): Port {
    const port = name === undefined ? this._ports[0] : this._ports.find(p => p.name === name);
    if (!port) {
      throw _invalid(scope, prop, name ?? '(first port)',
        `must name a port that ${this.node.path} exposes (${this._ports.map(p => `'${p.name}'`).join(', ') || 'none'})`,
        'use one of those port names, or add the port to the callee', ErrorCode.UNKNOWN_REFERENCE);
    }
    return port;
  }

  /**
   * The Service; headless for a StatefulService, whose pods are addressed one by one.
   * @internal
   */
  protected _renderService(headless: boolean = false): k8s.KubeService {
    return new k8s.KubeService(this, 'Service', {
      metadata: this._meta(),
      spec: {
        type: 'ClusterIP',
        ...(headless ? { clusterIp: 'None' } : {}),
        selector: this._serviceSelector,
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
}

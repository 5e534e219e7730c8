import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { k8s } from '../internal/k8s';
import type { BoundedContext } from '../platform/bounded-context';

/**
 * What every facet of a workload (configuration, identity, scheduling, connections,
 * pod, containers, scaling) knows of the workload that holds it: the construct it
 * renders into and names in errors, the workload's name, namespace and context, its
 * labels and metadata, and its controller. The workload passes itself in; a facet
 * never sees the `Workload` class, as the AWS CDK's `Connections` knows only
 * `IConnectable`. What a facet needs beyond this it declares in its own file, and
 * what it needs of another facet is passed to it.
 * @internal
 */
export interface IWorkloadFacetOwner extends IConstruct {
  /** The workload's name. */
  readonly name: string;
  /** The workload's namespace. */
  readonly namespace: string;
  /** The bounded context it runs in. */
  readonly context: BoundedContext;
  /** The labels that select its pods. */
  readonly selectorLabels: { [key: string]: string };
  /** The labels of every object it renders. */
  readonly _labels: { [key: string]: string };
  /** The metadata of an object it renders, named after it. */
  _meta(extraLabels?: { [key: string]: string }): k8s.ObjectMeta;
  /** The object that runs the pods, where findings about them are suppressed. */
  readonly _controller: ApiObject;
  /** Puts `reads` before the controller in the output. */
  _beforeController(reads: IConstruct): void;
}

import { IConstruct } from 'constructs';
import { ApiObject } from 'cdk8s';
import { BoundedContext } from '../platform/bounded-context';
import { Platform } from '../platform/platform';
import { Port } from '../pod/port';
import { CronJob } from '../workloads/cron-job';
import { Job } from '../workloads/job';
import { Microservice } from '../workloads/microservice';
import { StatefulService } from '../workloads/stateful-service';
import { Worker } from '../workloads/worker';
import { Workload } from '../workloads/workload';
import { ApiGateway } from '../gateway/gateway';
import { GatewayRoute, StreamRoute } from '../gateway/gateway-routes';
import { IngressGateway } from '../gateway/ingress-gateway';
import { _compare } from '../internal/errors';

/** What a node of the diagram stands for; it decides the node's shape. */
export enum DiagramNodeKind {
  /** A `Microservice`. */
  MICROSERVICE = 'microservice',
  /** A `Worker`. */
  WORKER = 'worker',
  /** A `StatefulService`: a store in the cluster. */
  STORE = 'store',
  /** A `Job`. */
  JOB = 'job',
  /** A `CronJob`. */
  CRON_JOB = 'cron-job',
  /** Clients outside the cluster. */
  CLIENTS = 'clients',
  /** An `ApiGateway` or `IngressGateway`. */
  GATEWAY = 'gateway',
  /** A backing service outside the cluster (`addBackingService`), one node per address. */
  BACKING_SERVICE = 'backing-service',
  /** Where a workload's secret comes from (`addSecret`). */
  SECRET_SOURCE = 'secret-source',
  /** The second track of a microservice's release (canary, blue-green, a/b, shadow). */
  RELEASE_TRACK = 'release-track',
}

/** What an edge of the diagram stands for; it decides the edge's style. */
export enum DiagramEdgeKind {
  /** A declared call (`connectTo`), caller to callee, labelled `port/protocol`. */
  CALL = 'call',
  /** A store's owner that declared no call to it. */
  OWNS = 'owns',
  /** Clients to a gateway. */
  INGRESS = 'ingress',
  /** A gateway's route to a microservice. */
  ROUTE = 'route',
  /** A workload to a backing service outside the cluster. */
  BACKING = 'backing',
  /** A secret source to the workload that mounts it. */
  SECRET = 'secret',
  /** A microservice to its release track. */
  TRACK = 'track',
}

/** A bounded context, drawn as a group. */
export interface DiagramGroup {
  /** The id, unique in the diagram. */
  readonly id: string;
  /** The namespace. */
  readonly namespace: string;
  /** The owning team. */
  readonly team: string;
}

/** A node of the diagram. */
export interface DiagramNode {
  /** The id, unique in the diagram: letters, digits and '_' only (see `diagramId`). */
  readonly id: string;
  /** What it stands for. */
  readonly kind: DiagramNodeKind;
  /** Its name (a workload's, a gateway's, a backing service's address, a Secret's). */
  readonly name: string;
  /** A second line: what kind of thing it is, in the platform's words. */
  readonly detail: string;
  /** The id of the group it is drawn in, if any. */
  readonly group?: string;
}

/** An edge of the diagram. */
export interface DiagramEdge {
  /** The id, unique in the diagram. */
  readonly id: string;
  /** What it stands for. */
  readonly kind: DiagramEdgeKind;
  /** The id of the node it starts at. */
  readonly from: string;
  /** The id of the node it points to. */
  readonly to: string;
  /** The label (`8080/http` for a call). */
  readonly label: string;
}

/** The model of a platform as a diagram draws it: sorted, so that the same model gives the same text. */
export interface DiagramGraph {
  /** The platform's name. */
  readonly platform: string;
  /** The bounded contexts, sorted by namespace. */
  readonly groups: readonly DiagramGroup[];
  /** The nodes, sorted by id. */
  readonly nodes: readonly DiagramNode[];
  /** The edges, sorted by id. */
  readonly edges: readonly DiagramEdge[];
}

/**
 * The id of a diagram element from its kind prefix and its parts (namespace, name,
 * ...): letters and digits kept, every other character as `_<hex>_`, the parts joined
 * with `_z_`. Injective, and a valid identifier in Mermaid and DOT alike.
 */
export function diagramId(prefix: string, ...parts: string[]): string {
  const encode = (s: string) => [...s].map(c => /^[a-z0-9]$/.test(c) ? c : `_${c.codePointAt(0)!.toString(16)}_`).join('');
  return parts.length === 0 ? prefix : `${prefix}_${parts.map(encode).join('_z_')}`;
}

/** The id of a workload's node. */
export function workloadNodeId(w: { namespace: string; name: string }): string {
  return diagramId('wl', w.namespace, w.name);
}

/** The id of a declared call's edge. */
export function callEdgeId(c: { caller: { namespace: string; name: string }; callee: { namespace: string; name: string }; port: Port }): string {
  return diagramId('call', c.caller.namespace, c.caller.name, c.callee.namespace, c.callee.name, c.port.name);
}

/** A port as edges show it: `8080/http`. */
export function portLabel(port: Port): string {
  return `${port.servicePort}/${port.protocol.name}`;
}

/**
 * The diagram of a platform, from its constructs (not its YAML): its bounded contexts
 * and their workloads (kind shown), the declared calls (`port/protocol`), the routes
 * of every gateway of the platform's app from the clients outside, stores with their
 * owners, backing services outside the cluster, secret sources, and release tracks.
 */
export function platformDiagram(platform: Platform): DiagramGraph {
  const nodes = new Map<string, DiagramNode>();
  const edges = new Map<string, DiagramEdge>();
  const node = (n: DiagramNode) => nodes.set(n.id, n);
  const edge = (e: DiagramEdge) => edges.set(e.id, e);
  const contexts = BoundedContext.all(platform);
  // the contexts whose workloads use each backing service
  const backingUsers = new Map<string, string[]>();
  const groups = contexts.map(c => ({ id: diagramId('ctx', c.namespaceName), namespace: c.namespaceName, team: c.team }));

  for (const context of contexts) {
    for (const w of Workload.all(context)) {
      const id = workloadNodeId(w);
      node({ id, kind: _kindOf(w), name: w.name, detail: _detailOf(w), group: diagramId('ctx', context.namespaceName) });
      const calls = w.connections.calls;
      for (const c of calls) {
        const owner = c.callee instanceof StatefulService && c.callee.owners.includes(w);
        edge({ id: callEdgeId(c), kind: DiagramEdgeKind.CALL, from: id, to: workloadNodeId(c.callee), label: portLabel(c.port) + (owner ? ' (owner)' : '') });
      }
      if (w instanceof StatefulService) {
        for (const owner of w.owners.filter(o => !o.connections.calls.some(c => c.callee === w))) {
          edge({ id: diagramId('owns', owner.namespace, owner.name, w.namespace, w.name), kind: DiagramEdgeKind.OWNS, from: workloadNodeId(owner), to: id, label: 'owner' });
        }
      }
      for (const backing of Object.values(w.connections.backingServices)) {
        const address = _address(backing.url);
        const bid = diagramId('ext', address.name);
        backingUsers.set(bid, [...(backingUsers.get(bid) ?? []), context.namespaceName]);
        node({ id: bid, kind: DiagramNodeKind.BACKING_SERVICE, name: address.host, detail: `${address.scheme}, outside the cluster` });
        edge({ id: diagramId('uses', w.namespace, w.name, address.name), kind: DiagramEdgeKind.BACKING, from: id, to: bid, label: `${address.port}/${address.scheme}` });
      }
      for (const secret of w.configuration.secrets) {
        const sid = diagramId('sec', w.namespace, w.name, secret.id);
        node({ id: sid, kind: DiagramNodeKind.SECRET_SOURCE, name: secret.secretName, detail: _secretSource(w, secret.id), group: diagramId('ctx', context.namespaceName) });
        edge({ id: diagramId('mounts', w.namespace, w.name, secret.id), kind: DiagramEdgeKind.SECRET, from: sid, to: id, label: secret.mountPath ?? 'env' });
      }
      if (w instanceof Microservice && w._releasePlan) {
        const plan = w._releasePlan;
        const tid = diagramId('track', w.namespace, w.name, plan.track);
        node({ id: tid, kind: DiagramNodeKind.RELEASE_TRACK, name: `${w.name}-${plan.track}`, detail: `${plan.strategy} ${plan.version}`, group: diagramId('ctx', context.namespaceName) });
        edge({ id: diagramId('runs', w.namespace, w.name, plan.track), kind: DiagramEdgeKind.TRACK, from: id, to: tid, label: _trackShare(plan) });
      }
    }
  }

  // a backing service only one context uses is drawn in that context's group (beside its users), others outside every group
  for (const [bid, users] of backingUsers) {
    if (new Set(users).size === 1) nodes.set(bid, { ...nodes.get(bid)!, group: diagramId('ctx', users[0]) });
  }

  const gateways = _gatewaysOf(platform);
  if (gateways.length > 0) {
    node({ id: diagramId('clients'), kind: DiagramNodeKind.CLIENTS, name: 'clients', detail: 'outside the cluster' });
  }
  for (const g of gateways) {
    const gid = diagramId('gw', g.gatewayName);
    const api = _isApiGateway(g);
    node({ id: gid, kind: DiagramNodeKind.GATEWAY, name: g.gatewayName, detail: api ? 'ApiGateway' : 'IngressGateway' });
    const ranges = api ? (g as ApiGateway).allowedSourceRanges : [];
    const scheme = api && (g as ApiGateway).tls === undefined ? 'http' : 'https';
    edge({ id: diagramId('in', g.gatewayName), kind: DiagramEdgeKind.INGRESS, from: diagramId('clients'), to: gid, label: `${scheme} ${g.hosts.join(', ') || '*'}${ranges.length > 0 ? ` from ${ranges.join(', ')}` : ''}` });
    const routes: Array<GatewayRoute | StreamRoute> = [...g.routes, ...(api ? (g as ApiGateway).streamRoutes : [])];
    for (const r of routes) {
      const shown = 'path' in r ? `${r.host === '*' ? '' : r.host}${r.path}` : r.url;
      edge({ id: diagramId('route', g.gatewayName, shown, r.service.namespace, r.service.name, r.port.name), kind: DiagramEdgeKind.ROUTE,
        from: gid, to: workloadNodeId(r.service), label: `${shown} to ${portLabel(r.port)}` });
    }
  }

  const byId = <T extends { id: string }>(a: T, b: T) => _compare(a.id, b.id);
  return {
    platform: platform.platformName,
    groups: groups.sort((a, b) => _compare(a.namespace, b.namespace)),
    nodes: [...nodes.values()].sort(byId),
    edges: [...edges.values()].sort(byId),
  };
}

/** The kind of a workload's node. @internal */
function _kindOf(w: Workload): DiagramNodeKind {
  if (w instanceof Microservice) return DiagramNodeKind.MICROSERVICE;
  if (w instanceof StatefulService) return DiagramNodeKind.STORE;
  if (w instanceof Worker) return DiagramNodeKind.WORKER;
  if (w instanceof CronJob) return DiagramNodeKind.CRON_JOB;
  if (w instanceof Job) return DiagramNodeKind.JOB;
  // a kind this module does not know yet: drawn as a microservice would be, named by its noun
  return DiagramNodeKind.MICROSERVICE;
}

/** The second line of a workload's node: its kind, as its class names it, and a fixed replica count of one. @internal */
function _detailOf(w: Workload): string {
  const kind = w instanceof Microservice ? 'Microservice' : w instanceof StatefulService ? 'StatefulService' : w instanceof Worker ? 'Worker'
    : w instanceof CronJob ? 'CronJob' : w instanceof Job ? 'Job' : w._kindNoun;
  const single = (w instanceof Microservice || w instanceof Worker) && (w as { replicas?: number }).replicas === 1;
  return single ? `${kind}, singleton` : kind;
}

/** A backing service's address as the diagram names it: scheme, host and port, without path, query or user. @internal */
function _address(url: string): { name: string; host: string; scheme: string; port: string } {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(?:[^/?#@]*@)?([^/?#:]+|\[[^\]]*\])(?::(\d+))?/i.exec(url);
  const scheme = (m?.[1] ?? 'tcp').toLowerCase();
  const port = m?.[3] ?? _DEFAULT_PORTS[scheme] ?? '';
  return { name: m ? `${scheme}://${m[2]}${m[3] ? `:${m[3]}` : ''}` : url, host: m ? `${m[2]}${port ? `:${port}` : ''}` : url, scheme, port };
}

const _DEFAULT_PORTS: { [scheme: string]: string } = { http: '80', https: '443', postgres: '5432', postgresql: '5432', mysql: '3306', redis: '6379', rediss: '6379', amqp: '5672', amqps: '5671', kafka: '9092', nats: '4222', mongodb: '27017' };

/**
 * Where a workload's secret comes from, read from the object its source rendered
 * under the workload (`Secret-<id>/Resource`): an ExternalSecret and its store, a
 * SealedSecret, a literal Secret, or none for a Secret created out of band. @internal
 */
function _secretSource(w: Workload, id: string): string {
  const holder = w.node.tryFindChild(`Secret-${id}`);
  const object = holder?.node.tryFindChild('Resource') as ApiObject | undefined;
  if (object === undefined) return 'existing Secret';
  if (object.kind === 'ExternalSecret') {
    const ref = (object.toJson() as { spec?: { secretStoreRef?: { kind?: string; name?: string } } }).spec?.secretStoreRef;
    return `ExternalSecret from ${ref?.kind ?? 'SecretStore'} ${ref?.name ?? ''}`.trim();
  }
  return object.kind === 'SealedSecret' ? 'SealedSecret' : 'literal Secret (local development)';
}

/** How much of the traffic a release track gets. @internal */
function _trackShare(plan: NonNullable<Microservice['_releasePlan']>): string {
  if (plan.mirrorPercent !== undefined) return `mirrors ${plan.mirrorPercent}%`;
  if (plan.matches.length > 0) return `${plan.matches.length} request match${plan.matches.length > 1 ? 'es' : ''}`;
  return `${plan.routeWeight}% of routed requests`;
}

/** Whether `x` is an ApiGateway (instanceof holds for every Chart: cdk8s' Chart defines Symbol.hasInstance). @internal */
function _isApiGateway(x: IConstruct): boolean {
  return Object.prototype.isPrototypeOf.call(ApiGateway.prototype, x);
}

/** The gateways of the platform's app, sorted by name. @internal */
function _gatewaysOf(platform: Platform): Array<ApiGateway | IngressGateway> {
  const scope = platform.node.scope;
  const all = scope === undefined ? [] : scope.node.children.filter(c =>
    _isApiGateway(c) || Object.prototype.isPrototypeOf.call(IngressGateway.prototype, c)) as Array<ApiGateway | IngressGateway>;
  return all.filter(g => g.platform === platform).sort((a, b) => _compare(a.gatewayName, b.gatewayName));
}

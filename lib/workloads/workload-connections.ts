import { Duration, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { k8s } from '../internal/k8s';
import { _meshAwarePorts } from '../platform/service-mesh';
import { AddressForm } from '../config/address-form';
import { BackingService } from '../config/backing-service';
import { _compare, _invalid } from '../internal/errors';
import { LABEL } from '../internal/labels';
import { _suppress } from '../internal/suppressions';
import { Port } from '../pod/port';
import type { BoundedContext } from '../platform/bounded-context';
import type { WorkloadConfiguration } from './configuration';
import type { IWorkloadFacetOwner } from './facet-owner';
import type { WorkloadIdentity } from './identity';
import { _CallResilience, _resolveResilience, CallConnectionPool, CallOutlierDetection, CallRetries } from './call-resilience';

/**
 * A workload that takes part in declared calls: every workload kind can call, and
 * is named in the calls it declares (the pattern of the AWS CDK's `IConnectable`).
 */
export interface IConnectable extends IConstruct {
  /** The name. */
  readonly name: string;
  /** The namespace. */
  readonly namespace: string;
  /** The bounded context it runs in. */
  readonly context: BoundedContext;
  /** The labels that select its pods. */
  readonly selectorLabels: { [key: string]: string };
  /** The labels every pod of it carries, on every track of a release: what policies that admit or reach its pods select. */
  readonly everyTrackSelectorLabels: { [key: string]: string };
  /** Declared calls and their NetworkPolicy. */
  readonly connections: WorkloadConnections;
}

/**
 * A workload that other workloads call (a `Microservice`, a `StatefulService`):
 * what `connectTo` needs of a callee. It has a Service named after it, and its
 * NetworkPolicy admits exactly the calls declared to it.
 */
export interface ICallable extends IConnectable {
  /** The stable in-cluster DNS name of its Service. */
  readonly host: string;
  /** The container ports (a copy). */
  readonly ports: Port[];
  /** The URL of one of its ports, as callers get it. */
  url(portName?: string): string;
  /**
   * Whether it serves calls (checked at run time: plain JavaScript does not type-check).
   * @internal
   */
  readonly _callable: boolean;
  /**
   * Throws when `caller` may not call it.
   * @internal
   */
  _admit(caller: IConnectable): void;
  /**
   * The port named `name` (the first without one); throws at `scope` when there is none.
   * @internal
   */
  _findPort(name: string | undefined, prop: string, scope?: Construct): Port;
}

/**
 * What a workload's connections need of the workload beyond what every facet
 * knows: to be named in its calls, and how errors name its kind.
 * @internal
 */
export interface IConnectionsOwner extends IWorkloadFacetOwner, IConnectable {
  /** How errors and reasons name its kind: 'service', 'worker', ... */
  readonly _kindNoun: string;
}
import { ErrorCode } from '../internal/configuration-error';

/**
 * Options for a declared call.
 */
export interface ConnectOptions {
  /**
   * The name of the callee's port.
   *
   * @default - the callee's first port
   */
  readonly port?: string;

  /**
   * How the caller receives the callee's address: a URL, `host:port`, the host and
   * the port in two variables, or no variable.
   *
   * @default AddressForm.url()
   */
  readonly address?: AddressForm;

  /**
   * The environment variable that hands the callee's address to the caller, for the
   * URL and `host:port` forms (`AddressForm.hostAndPort` names its two variables
   * itself): a name pinned here never changes with the callee.
   *
   * @default - `<CALLEE>_URL` (`<CALLEE>_ADDR` for host:port) for a call that names no
   * port (the callee's first), and `<CALLEE>_<PROTOCOL>_URL` (`HTTP`, `GRPC` or `TCP`)
   * for a call that names its port: never the port's name nor its position, so that
   * renaming or reordering the callee's ports renames no caller's variable. Names in
   * upper case with '-' as '_'. Two calls of one caller that would get the same name
   * (two named ports of one protocol) are refused: pin one with envVar
   */
  readonly envVar?: string;

  /**
   * The HTTP methods the caller may use on this call, enforced by the service mesh
   * (the callee's AuthorizationPolicy): for example ['GET'] for a read-only caller.
   * HTTP ports only; needs the platform's `mesh`.
   *
   * @default - every method
   */
  readonly methods?: string[];

  /**
   * The request paths the caller may use on this call, enforced by the service mesh:
   * an exact path ('/v1/orders'), or a prefix ending in '*' ('/v1/orders/*').
   * HTTP ports only (a gRPC port takes `grpcServices`); needs the platform's `mesh`.
   *
   * @default - every path
   */
  readonly paths?: string[];

  /**
   * The fully qualified gRPC services the caller may call on this call
   * ('acme.payments.v1.Payments'), enforced by the service mesh as the paths
   * '/<service>/*'. gRPC ports only; needs the platform's `mesh`.
   *
   * @default - every service of the port
   */
  readonly grpcServices?: string[];

  /**
   * How long the caller waits for an answer, retries included (the callee's mesh
   * route, HTTPRoute `timeouts.request`). HTTP calls only; at most the callee's
   * termination grace period and the caller's own request timeout. Needs the
   * platform's mesh (sidecar mode).
   *
   * @default Duration.seconds(10) on HTTP calls in a mesh
   */
  readonly timeout?: Duration;

  /**
   * Retries of failed tries (HTTPRoute `retry`): only idempotent methods unless
   * acknowledged, at most MAX_TRIES_PER_REQUEST tries, the worst case within the
   * timeout. HTTP calls only; needs the platform's mesh (sidecar mode).
   *
   * @default - on HTTP calls in a mesh: 2 retries of GET, HEAD, PUT, DELETE and OPTIONS on 502, 503 and 504, 25 ms backoff, each try a third of what the timeout leaves
   */
  readonly retries?: CallRetries;

  /**
   * Ejection of callee pods that keep failing (Istio DestinationRule
   * `outlierDetection`). Needs the platform's mesh (sidecar mode).
   *
   * @default - in a mesh: after 5 consecutive 5xx or 3 consecutive gateway errors, checked every 10 s, for 30 s, at most 50 % of the pods
   */
  readonly outlierDetection?: CallOutlierDetection;

  /**
   * Connection-pool limits and the retry budget towards the callee (Istio
   * DestinationRule `connectionPool`). Needs the platform's mesh (sidecar mode).
   *
   * @default - in a mesh: 1000 connections, 1000 pending and 1000 concurrent requests, 200 concurrent retries
   */
  readonly connectionPool?: CallConnectionPool;
}

/**
 * A declared call from one workload to another.
 */
export interface Connection {
  /** The calling workload. */
  readonly caller: IConnectable;
  /** The called workload. */
  readonly callee: ICallable;
  /** The callee's port. */
  readonly port: Port;
  /** How the caller receives the address. */
  readonly address: AddressForm;
  /** The one environment variable that holds the address (URL or host:port forms). */
  readonly envVar?: string;
  /** Every environment variable the call sets on the caller, with its value (none for AddressForm.none()). */
  readonly envVars: { [name: string]: string };
  /** The in-cluster URL of the callee's port. */
  readonly url: string;
  /** The HTTP methods the call may use (empty: every method). */
  readonly methods: string[];
  /** The request paths the call may use, gRPC services as '/<service>/*' (empty: every path). */
  readonly paths: string[];
  /**
   * The call's timeouts, retries and circuit breaking, resolved, when the mesh renders them.
   * @internal
   */
  readonly _resilience?: _CallResilience;
}

/**
 * A workload's traffic: the calls it declared, the calls declared to it, and the
 * backing services outside the cluster it reaches, rendered as one NetworkPolicy
 * named after the workload that holds exactly those rules (the context denies
 * everything else). Reached through `workload.connections`; the workload's
 * `connectTo`, `allowFrom` and `addBackingService` delegate here.
 */
export class WorkloadConnections {
  private readonly _calls: Connection[] = [];
  private readonly _callers: Connection[] = [];
  private readonly _backing: Array<{ envVar: string; backing: BackingService; port: number }> = [];

  /**
   * @param configuration where the calls and backing services hand over their addresses
   * @param identity whose API grants open egress to the API server
   * @internal
   */
  constructor(private readonly workload: IConnectionsOwner, private readonly configuration: WorkloadConfiguration,
    private readonly identity: WorkloadIdentity) {}

  /** The calls the workload declared (a copy). */
  public get calls(): Connection[] {
    return [...this._calls];
  }

  /** The calls declared to the workload (a copy). */
  public get callers(): Connection[] {
    return [...this._callers];
  }

  /** The backing services attached by URL (a copy). */
  public get backingServices(): { [envVar: string]: BackingService } {
    return Object.fromEntries(this._backing.map(b => [b.envVar, b.backing]));
  }

  /** Declares a call; see `Workload.connectTo`. */
  public connectTo(callee: ICallable, options: ConnectOptions = {}): Connection {
    const w = this.workload;
    if (!callee?._callable) {
      throw _invalid(w, 'connectTo(callee)', String(callee),
        'must be a workload that serves calls (a Microservice or a StatefulService); a Worker, Job or CronJob has no Service and admits no traffic',
        'call a Microservice, or let the worker take its work from a queue or store it connects to', ErrorCode.WRONG_TYPE);
    }
    if (callee === (w as unknown)) {
      throw _invalid(w, 'connectTo(callee)', callee.node.path, 'must be another service; calls within a service need no rule',
        'remove this call', ErrorCode.CONFLICT);
    }
    if (callee.context.platform !== w.context.platform) {
      throw _invalid(w, 'connectTo(callee)', callee.node.path,
        `must be a service of platform '${w.context.platform.platformName}', but it belongs to '${callee.context.platform.platformName}'`,
        'declare the callee in the same platform, or model the other platform as an external endpoint', ErrorCode.WRONG_SCOPE);
    }
    callee._admit(w);
    const ports = callee.ports;
    if (ports.length === 0) {
      throw _invalid(w, 'connectTo(callee)', callee.node.path, 'must expose a port, but the callee has none',
        `add a Port to ${callee.node.path}, or remove the call`, ErrorCode.UNKNOWN_REFERENCE);
    }
    const port = callee._findPort(options.port, 'connectTo(port)', w);
    const address = options.address ?? AddressForm.url();
    if (!(address instanceof AddressForm)) {
      throw _invalid(w, 'connectTo(address)', String(address), 'must be an AddressForm', 'use AddressForm.url(), hostPort(), hostAndPort() or none()', ErrorCode.WRONG_TYPE);
    }
    if (options.envVar !== undefined && !address._single) {
      throw _invalid(w, 'connectTo(envVar)', options.envVar, `must not be set with AddressForm.${address.name}(), which ${address.name === 'none' ? 'sets no variable' : 'names its two variables itself'}`,
        address.name === 'none' ? 'remove envVar' : 'remove envVar and pass hostVar and portVar to AddressForm.hostAndPort()', ErrorCode.CONFLICT);
    }
    const { methods, paths } = _requestRules(w, port, options);
    const resilience = _callResilience(w, port, options, methods);
    const url = callee.url(port.name);
    const envVars = address._variables(_addressStem(callee, port, options.port !== undefined), options.envVar, { url, host: callee.host, port: port.servicePort });
    const existing = this._calls.find(c => c.callee === callee && c.port === port);
    if (existing) {
      if ((options.address !== undefined || options.envVar !== undefined) && JSON.stringify(envVars) !== JSON.stringify(existing.envVars)) {
        if (options.envVar !== undefined && address.name === existing.address.name) {
          throw _invalid(w, 'connectTo(envVar)', options.envVar,
            `must match the call to ${callee.node.path} port '${port.name}' declared before, which uses '${existing.envVar}'`,
            'declare each call once, with the envVar you want', ErrorCode.CONFLICT);
        }
        throw _invalid(w, 'connectTo(address)', address.name,
          `must hand over the address as the call to ${callee.node.path} port '${port.name}' declared before does (${Object.keys(existing.envVars).join(', ') || 'no variable'})`,
          'declare each call once, with the address form and variables you want', ErrorCode.CONFLICT);
      }
      if (JSON.stringify([methods, paths, resilience]) !== JSON.stringify([existing.methods, existing.paths, existing._resilience])) {
        throw _invalid(w, 'connectTo(methods, paths, grpcServices)', JSON.stringify({ methods, paths }),
          `must match the call to ${callee.node.path} port '${port.name}' declared before (its methods, paths, timeout, retries and circuit breaking)`,
          'declare each call once, with every method and path it uses and its resilience options', ErrorCode.CONFLICT);
      }
      return existing;
    }
    for (const name of Object.keys(envVars)) {
      const other = this._calls.find(c => name in c.envVars);
      if (other) {
        throw _invalid(w, 'connectTo(envVar)', name,
          `must be a variable of this call's own, but the call to ${other.callee.node.path} port '${other.port.name}' declared before sets it`
          + (other.callee === callee && other.port.protocol === port.protocol
            ? ` (a call that names its port gets <CALLEE>_${port.protocol.name.toUpperCase()}_..., whichever of the callee's ${port.protocol.name} ports it is)` : ''),
          `pin a name for one of the two calls, for example connectTo(${callee.node.id}, { port: '${port.name}', `
          + (address.name === 'hostAndPort' ? 'address: AddressForm.hostAndPort({ hostVar, portVar })' : `envVar: '${_envName(callee.name)}_${_envName(port.name)}_${address.name === 'url' ? 'URL' : 'ADDR'}'`)
          + ' }): a pinned name never changes with the callee\'s ports', ErrorCode.CONFLICT);
      }
    }
    for (const [name, value] of Object.entries(envVars)) {
      this.configuration.addEnv(name, value);
    }
    const envVar = address._single ? Object.keys(envVars)[0] : undefined;
    const connection: Connection = { caller: w, callee, port, address, envVar, envVars, url, methods, paths, ...(resilience ? { _resilience: resilience } : {}) };
    if (resilience) {
      w.context.platform.mesh?._renderCall(w, connection);
    }
    this._calls.push(connection);
    callee.connections._callers.push(connection);
    return connection;
  }

  /** Attaches a backing service by URL; see `Workload.addBackingService`. */
  public addBackingService(envVar: string, backing: BackingService): void {
    const port = backing._port(this.workload, `addBackingService(${envVar})`);
    this.configuration.addEnv(envVar, backing.url);
    this._backing.push({ envVar, backing, port });
  }

  /**
   * The workload's NetworkPolicy, rendered last so that every call declared later
   * lands in it.
   *
   * @param noCallers why the policy admits no ingress when nothing calls the workload
   * @internal
   */
  public _render(noCallers: string): void {
    const w = this.workload;
    const peer = (s: IConnectable): k8s.NetworkPolicyPeer => ({
      namespaceSelector: { matchLabels: { [LABEL.NAMESPACE_NAME]: s.namespace } },
      podSelector: { matchLabels: s.everyTrackSelectorLabels },
    });
    // Polaris' missingNetworkPolicy wants one policy per pod with an ingress and an
    // egress rule; an empty list here is the deny this workload asks for
    _suppress(w._controller, 'polaris', 'missingNetworkPolicy', () => {
      const why = [
        ...(this._callers.length === 0 ? [noCallers] : []),
        ...(this._calls.length + this._backing.length + this.identity.grants.length === 0
          ? [`this ${w._kindNoun} calls nothing, so its NetworkPolicy allows no egress (DNS comes from the context's policy)`] : []),
      ];
      return why.length > 0 ? why.join('; ') : undefined;
    });
    // a mesh that tunnels calls between pods (Istio ambient: HBONE, 15008) needs that
    // port beside the callee's own, from and to the same peers
    const callPorts = (c: Connection) => _meshAwarePorts(w.context.platform.mesh, [c.port.containerPort]);
    const byPath = (a: Connection, b: Connection, side: 'caller' | 'callee') =>
      _compare(a[side].node.path, b[side].node.path) || a.port.containerPort - b.port.containerPort;
    new k8s.KubeNetworkPolicy(w, 'NetworkPolicy', {
      metadata: w._meta(),
      spec: {
        // one label, the instance (the object name, unique in the namespace): a policy
        // selects the pods of one workload, and Polaris' missingNetworkPolicy asks that
        // exactly one of the pod's labels be matched
        // (with a release, the name: the one label the pods of every track share)
        podSelector: { matchLabels: _sameLabels(w.everyTrackSelectorLabels, w.selectorLabels) ? { [LABEL.INSTANCE]: w.name } : w.everyTrackSelectorLabels },
        policyTypes: ['Ingress', 'Egress'],
        // an empty list is left out rather than rendered as []: the API server drops
        // empty lists, and a rendered [] would show as a change on every apply
        ingress: Lazy.any({
          produce: () => _nonEmpty([...this._callers].sort((a, b) => byPath(a, b, 'caller')).map(c => ({
            from: [peer(c.caller)],
            ports: callPorts(c),
          }))),
        }),
        egress: Lazy.any({
          produce: () => _nonEmpty([
            ...[...this._calls].sort((a, b) => byPath(a, b, 'callee')).map(c => ({
              to: [peer(c.callee)],
              ports: callPorts(c),
            })),
            ...[...this._backing].sort((a, b) => _compare(a.envVar, b.envVar)).map(b => ({
              to: b.backing.cidrs.map(cidr => ({ ipBlock: { cidr } })),
              ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(b.port) }],
            })),
            // a workload granted API access must reach the API server
            ...(this.identity.grants.length > 0 ? [{
              to: (w.context.platform.apiServerCidrs ?? []).map(cidr => ({ ipBlock: { cidr } })),
              ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(w.context.platform.apiServerPort) }],
            }] : []),
          ]),
        }),
      },
    });
    w.context.platform.mesh?._renderWorkload(w);
  }
}

/**
 * A call's resilience, resolved, when the platform's mesh renders it (sidecar mode);
 * the options are refused without a mesh or with one that cannot enforce them.
 * @internal
 */
export function _callResilience(w: IConnectionsOwner, port: Port, options: ConnectOptions, methods: string[]): _CallResilience | undefined {
  const given = (['timeout', 'retries', 'outlierDetection', 'connectionPool'] as const).filter(k => options[k] !== undefined);
  const mesh = w.context.platform.mesh;
  if (given.length > 0) {
    const prop = `connectTo(${given[0]})`;
    const value = options[given[0]] instanceof Duration ? `${(options[given[0]] as Duration).toMilliseconds({ integral: false })}ms` : JSON.stringify(options[given[0]]);
    if (!mesh) {
      throw _invalid(w, prop, value,
        `is rendered on the service mesh (routes and traffic policy of the callee), and platform '${w.context.platform.platformName}' declares none`,
        'set the Platform\'s mesh (ServiceMesh.istio()), or remove the option from the call', ErrorCode.CONFLICT);
    }
    mesh._checkL7(w, prop, value);
  }
  if (!mesh?._routesCalls) {
    return undefined;
  }
  return _resolveResilience(w, options, port.protocol.name === 'http', methods);
}

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * A call's request rules (methods, and paths with gRPC services as '/<service>/*'),
 * checked against its port and the platform's mesh; empty lists when it sets none.
 * @internal
 */
export function _requestRules(w: IConnectionsOwner, port: Port, options: ConnectOptions): { methods: string[]; paths: string[] } {
  const given = (['methods', 'paths', 'grpcServices'] as const).filter(k => options[k] !== undefined);
  if (given.length === 0) {
    return { methods: [], paths: [] };
  }
  const mesh = w.context.platform.mesh;
  const prop = `connectTo(${given[0]})`;
  if (!mesh) {
    throw _invalid(w, prop, JSON.stringify(options[given[0]]),
      `is enforced by a service mesh, and platform '${w.context.platform.platformName}' declares none (NetworkPolicy sees ports, not requests)`,
      'set the Platform\'s mesh (ServiceMesh.istio()), or remove the request rules from the call', ErrorCode.CONFLICT);
  }
  mesh._checkL7(w, prop, JSON.stringify(options[given[0]]));
  for (const k of given) {
    const list = options[k];
    if (!Array.isArray(list) || list.length === 0 || list.some(x => typeof x !== 'string')) {
      throw _invalid(w, `connectTo(${k})`, JSON.stringify(list), 'must be a non-empty list of strings', `list at least one, or leave ${k} out for every one`, ErrorCode.MISSING_REQUIRED);
    }
  }
  const grpc = port.protocol.name === 'grpc';
  const http = port.protocol.name === 'http';
  if ((options.paths || options.methods) && !http) {
    const k = options.paths ? 'paths' : 'methods';
    throw _invalid(w, `connectTo(${k})`, JSON.stringify(options[k]), `must be set on an HTTP port only, but port '${port.name}' speaks ${port.protocol.name}`,
      grpc ? 'name the gRPC services with grpcServices instead' : 'remove the request rules: a TCP port has no requests to match', ErrorCode.CONFLICT);
  }
  if (options.grpcServices && !grpc) {
    throw _invalid(w, 'connectTo(grpcServices)', JSON.stringify(options.grpcServices), `must be set on a gRPC port only, but port '${port.name}' speaks ${port.protocol.name}`,
      http ? 'restrict the call with paths (and methods) instead' : 'remove grpcServices: a TCP port has no requests to match', ErrorCode.CONFLICT);
  }
  for (const m of options.methods ?? []) {
    if (!HTTP_METHODS.includes(m)) {
      throw _invalid(w, 'connectTo(methods)', m, `must be one of ${HTTP_METHODS.join(', ')}`, 'use the upper-case method name', ErrorCode.UNKNOWN_OPTION);
    }
  }
  for (const p of options.paths ?? []) {
    if (!/^\/[^\s*?#]*\*?$/.test(p)) {
      throw _invalid(w, 'connectTo(paths)', p, 'must be a path starting with \'/\', without spaces, \'?\' or \'#\', with \'*\' at most as its last character (a prefix)',
        'use an exact path such as \'/v1/orders\' or a prefix such as \'/v1/orders/*\'', ErrorCode.INVALID_VALUE);
    }
  }
  for (const g of options.grpcServices ?? []) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(g)) {
      throw _invalid(w, 'connectTo(grpcServices)', g, 'must be a fully qualified gRPC service (package.Service)',
        'use the name from the .proto file, for example \'acme.payments.v1.Payments\'', ErrorCode.INVALID_VALUE);
    }
  }
  const unique = (xs: string[]) => [...new Set(xs)].sort();
  return { methods: unique(options.methods ?? []), paths: unique([...(options.paths ?? []), ...(options.grpcServices ?? []).map(g => `/${g}/*`)]) };
}

/**
 * A name as an environment variable part: upper case, '-' as '_'.
 * @internal
 */
export function _envName(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/**
 * The default stem of a call's variables: the callee's name, plus the port's
 * protocol when the caller named the port. Neither the port's name nor its position
 * among the callee's ports is part of it, so renaming or reordering them renames no
 * caller's variable (issue 25).
 * @internal
 */
export function _addressStem(callee: ICallable, port: Port, named: boolean): string {
  return named ? `${_envName(callee.name)}_${_envName(port.protocol.name)}` : _envName(callee.name);
}

/**
 * The list, or undefined when it is empty (so that it is left out of the YAML).
 * @internal
 */
export function _nonEmpty<T>(list: T[]): T[] | undefined {
  return list.length > 0 ? list : undefined;
}

/** Whether two label sets are the same. @internal */
export function _sameLabels(a: { [key: string]: string }, b: { [key: string]: string }): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every(k => b[k] === a[k]);
}

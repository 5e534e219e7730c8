import { isIPv4 } from 'net';
import { ApiObjectMetadata, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { _checkType, _invalid } from '../internal/errors';
import type { Microservice } from '../workloads/microservice';
import { Port, PortProtocol } from '../pod/port';
import { PathType } from './route-match';
import { ErrorCode } from '../internal/configuration-error';
import { IServiceMesh, _meshAwarePorts } from '../platform/service-mesh';

/** Checks shared by the gateways (ApiGateway and IngressGateway): hosts, paths, ports, route clashes. */

const HOST_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PATH = /^\/[A-Za-z0-9._\-/]*$/;

/** Throws unless `host` is a DNS name, with `*.` allowed as the first label only. */
export function _checkHost(scope: IConstruct, prop: string, host: string): void {
  const labels = host.startsWith('*.') ? host.slice(2).split('.') : host.split('.');
  const valid = host.length <= 253 && labels.every(l => l.length <= 63 && HOST_LABEL.test(l)) && !isIPv4(host);
  if (!valid) {
    throw _invalid(scope, prop, host,
      'must be a DNS name (RFC 1123): lower-case labels of letters, digits and \'-\' separated by \'.\', with \'*.\' allowed only as the first label, and not an IP address',
      `use a host name such as 'api.example.com'${host !== host.toLowerCase() ? ` (in lower case: '${host.toLowerCase()}')` : ''}`, ErrorCode.INVALID_NAME);
  }
}

/** Throws unless `hosts` is a non-empty list of distinct DNS names. */
export function _checkHosts(scope: IConstruct, hosts: string[]): void {
  if (hosts.length === 0) {
    throw _invalid(scope, 'hosts', hosts, 'must list at least one host name', 'add the host names clients call, for example [\'api.example.com\']', ErrorCode.MISSING_REQUIRED);
  }
  const seen = new Set<string>();
  for (const host of hosts) {
    _checkHost(scope, 'hosts', host);
    if (seen.has(host)) {
      throw _invalid(scope, 'hosts', host, 'must be listed once, but is listed twice', 'remove the duplicate', ErrorCode.DUPLICATE);
    }
    seen.add(host);
  }
}

/**
 * Whether a gateway host covers a route host as a TLS certificate for it would: the
 * same name, or a wildcard `*.d` for a name one label below `d`.
 */
export function _covers(gatewayHost: string, host: string): boolean {
  if (gatewayHost === host) {
    return true;
  }
  if (gatewayHost.startsWith('*.') && !host.startsWith('*.')) {
    const dot = host.indexOf('.');
    return dot > 0 && host.slice(dot + 1) === gatewayHost.slice(2);
  }
  return false;
}

/** Throws unless the route `path` (a URL path) is absolute, without regular expressions or wildcards. @internal */
export function _checkRoutePath(scope: IConstruct, prop: string, path: string): void {
  if (!PATH.test(path) || path.includes('//') || path.split('/').some(s => s === '.' || s === '..')) {
    throw _invalid(scope, prop, path,
      'must be an absolute path: start with \'/\', use only letters, digits, \'-\', \'_\', \'.\' and \'/\', with no \'//\', \'.\' or \'..\' segments (no spaces, regular expressions or wildcards)',
      'use a path such as \'/orders\'; a PathType.PREFIX route already matches everything below it');
  }
}

/** A host as a name part: `*.shop.example.com` becomes `wildcard-shop-example-com`. */
export function _hostSlug(host: string): string {
  return host.replace(/^\*\./, 'wildcard.').replace(/\./g, '-');
}

/**
 * The port of `service` a route sends traffic to: the named one, or the first of
 * `protocol`; throws when there is none or it speaks another protocol.
 */
export function _routedPort(scope: IConstruct, prop: string, service: Microservice, portName: string | undefined, protocol: PortProtocol, routeKind: string): Port {
  const ports = service.ports;
  const matching = ports.filter(p => p.protocol === protocol);
  const listed = ports.map(p => `'${p.name}' (${p.protocol.name})`).join(', ') || 'none';
  const factory = `Port.${protocol.name}(...)`;
  const kind = `${protocol === PortProtocol.HTTP ? 'an' : 'a'} ${protocol.name === 'grpc' ? 'gRPC' : protocol.name.toUpperCase()}`;
  if (portName === undefined) {
    if (matching.length === 0) {
      throw _invalid(scope, prop, `(first ${kind.slice(kind.indexOf(' ') + 1)} port)`, `must name ${kind} port that ${service.node.path} exposes, but it has none (ports: ${listed})`,
        `add a ${factory} to ${service.node.path}; ${routeKind}`, ErrorCode.UNKNOWN_REFERENCE);
    }
    return matching[0];
  }
  const port = ports.find(p => p.name === portName);
  if (!port) {
    throw _invalid(scope, prop, portName, `must name a port that ${service.node.path} exposes (${listed})`,
      'use one of those port names, or add the port to the service', ErrorCode.UNKNOWN_REFERENCE);
  }
  if (port.protocol !== protocol) {
    throw _invalid(scope, prop, portName, `must be ${kind} port, but ${service.node.path} serves ${port.protocol.name} on it`,
      `route ${kind} port (${matching.map(p => `'${p.name}'`).join(', ') || `add a ${factory} to ${service.node.path}`}); ${routeKind}`, ErrorCode.UNKNOWN_REFERENCE);
  }
  return port;
}

/** Routes claimed in one app, by every gateway: `<host> <match>` to who serves it. */
const claims = new WeakMap<IConstruct, Map<string, { gateway: string; target: string }>>();

/**
 * Claims a host and request match for a gateway in the whole app (two gateways of
 * one app must not route the same host and path either); throws when it is taken.
 */
export function _claimRoute(gateway: IConstruct, prop: string, shown: string, key: string, target: string): void {
  const root = gateway.node.root;
  let map = claims.get(root);
  if (!map) {
    map = new Map();
    claims.set(root, map);
  }
  const taken = map.get(key);
  if (taken) {
    const where = taken.gateway === gateway.node.path ? '' : ` through gateway '${taken.gateway}'`;
    throw _invalid(gateway, prop, shown, `must be routed once, but it already goes to ${taken.target}${where}`,
      'remove one of the two routes, or give one another path', ErrorCode.DUPLICATE);
  }
  map.set(key, { gateway: gateway.node.path, target });
}

/** A path as a route key: prefixes that differ only by a trailing '/' are the same. */
export function _pathKey(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/**
 * The key of a host and path match for `_claimRoute`. An `Exact` and a `PathPrefix`
 * match on the same path are two routes (Gateway API and Ingress prefer the exact
 * one), and an exact path keeps its trailing '/', which it matches literally.
 */
export function _routeKey(host: string, path: string, pathType: PathType): string {
  return pathType === PathType.EXACT ? `${host} =${path}` : `${host} ${_pathKey(path)}`;
}

/** The words of a port name that say it serves operations (metrics, administration, debugging, health), not clients. */
const OPERATIONS_WORDS = ['metrics', 'metric', 'prometheus', 'prom', 'admin', 'management', 'mgmt', 'actuator', 'debug', 'pprof', 'health', 'healthz', 'status', 'monitoring'];

/**
 * Throws when a public route would go to a port named for operations: one whose
 * name has a word (split on '-') among metrics, admin, management, actuator,
 * debug, pprof, health, status, monitoring and their usual short forms, unless
 * the route gives the reason it is public.
 */
export function _checkOperationsPort(scope: IConstruct, prop: string, service: Microservice, port: Port, reason: string | undefined): void {
  if (reason !== undefined) {
    const fix = `say why port '${port.name}' of ${service.node.path} is public, or remove operationsPortReason`;
    _checkType(scope, 'operationsPortReason', reason, 'string', fix);
    if (reason.trim().length === 0) {
      throw _invalid(scope, 'operationsPortReason', reason, 'must be a non-empty reason', fix, ErrorCode.MISSING_REQUIRED);
    }
    return;
  }
  const word = port.name.split('-').find(w => OPERATIONS_WORDS.includes(w));
  if (word !== undefined) {
    const others = service.ports.filter(p => p !== port && p.protocol === port.protocol && !p.name.split('-').some(w => OPERATIONS_WORDS.includes(w)));
    throw _invalid(scope, prop, port.name,
      `must not be a port for operations ('${word}') of ${service.node.path}: metrics, admin, debug and health endpoints tell an attacker about the service or let them change it, and belong inside the cluster`,
      `${others.length > 0 ? `route port '${others[0].name}' instead, or ` : ''}set operationsPortReason on the route if this port is meant for clients outside the cluster`, ErrorCode.UNSAFE);
  }
}

export function _unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/**
 * The NetworkPolicy 'NetworkPolicy' under `scope` that lets a gateway's proxies
 * (`peer`) reach exactly the container ports routed to the pods `podLabels` select,
 * each once, in order; both are read at synth, when every route is in. A mesh that
 * tunnels calls between pods (`mesh`: Istio ambient's HBONE, 15008) has that
 * port admitted too, from the same proxies, after the routed ones.
 * @internal
 */
export function _routedPortsPolicy(scope: Construct, metadata: ApiObjectMetadata, podLabels: { [key: string]: string },
  peer: () => k8s.NetworkPolicyPeer, ports: () => Iterable<Port>, mesh: IServiceMesh | undefined): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, 'NetworkPolicy', {
    metadata,
    spec: {
      podSelector: { matchLabels: podLabels },
      policyTypes: ['Ingress'],
      ingress: Lazy.any({
        produce: () => [{
          from: [peer()],
          ports: _meshAwarePorts(mesh, _unique([...ports()].map(p => p.containerPort).sort((a, b) => a - b))),
        }],
      }),
    },
  });
}

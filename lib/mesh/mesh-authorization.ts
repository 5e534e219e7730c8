import { Duration, Lazy } from 'cdk8s';
import { IConstruct } from 'constructs';
import { _compare } from '../internal/errors';
import * as sec from '../imports/security.istio.io';
import { BoundedContext } from '../platform/bounded-context';
import { Workload } from '../workloads/workload';
import { ApiGateway } from '../gateway/gateway';
import { IngressGateway } from '../gateway/ingress-gateway';
import { WorkloadMetrics } from '../observability/workload-metrics';

/** What names a workload's identity in the mesh: `<trustDomain>/ns/<ns>/sa/<sa>`. @internal */
export interface _Principals {
  principal(namespace: string, serviceAccount: string): string;
}

/**
 * One rule of a workload's AuthorizationPolicy: who (principals, `*` as the last
 * character for a prefix) may call which container port, with which methods and paths.
 * @internal
 */
export interface _MeshRule {
  readonly principals: string[];
  readonly port: number;
  readonly methods: string[];
  readonly paths: string[];
  /** Why the rule exists, for readers: 'call from orders/orders', 'route from gateway/gateway', 'scrape'. */
  readonly why: string;
}

/**
 * A context's namespace-wide policies: mutual TLS required (PeerAuthentication
 * 'default', STRICT), and an AuthorizationPolicy 'default-deny' that allows nothing,
 * so that a workload no policy of its own allows is called by no one (an ALLOW
 * policy denies what it does not match only for the workloads it selects; this one
 * selects them all). @internal
 */
export function _renderContextPolicies(context: BoundedContext): void {
  const metadata = (name: string) => ({ name, namespace: context.namespaceName });
  new sec.PeerAuthentication(context, 'MeshMutualTls', {
    metadata: metadata('default'),
    spec: { mtls: { mode: sec.PeerAuthenticationSpecMtlsMode.STRICT } },
  });
  new sec.AuthorizationPolicy(context, 'MeshDefaultDeny', {
    metadata: metadata('default-deny'),
    spec: { action: sec.AuthorizationPolicySpecAction.ALLOW },
  });
}

/**
 * A workload's AuthorizationPolicy, named after it and selecting the pods its
 * NetworkPolicy selects: ALLOW exactly its rules (`_meshRules`), resolved at synth
 * when every call and route is declared. Without rules it allows nothing. @internal
 */
export function _renderWorkloadPolicy(w: Workload, mesh: _Principals): void {
  new sec.AuthorizationPolicy(w, 'AuthorizationPolicy', {
    metadata: w._meta(),
    spec: {
      selector: { matchLabels: { ...w.everyTrackSelectorLabels } },
      action: sec.AuthorizationPolicySpecAction.ALLOW,
      rules: Lazy.any({
        produce: () => {
          const rules = _meshRules(w, mesh).map(r => ({
            from: [{ source: { principals: r.principals } }],
            to: [{ operation: { ports: [String(r.port)], ...(r.methods.length > 0 ? { methods: r.methods } : {}), ...(r.paths.length > 0 ? { paths: r.paths } : {}) } }],
          }));
          return rules.length > 0 ? rules : undefined;
        },
      }),
    },
  });
}

/**
 * Who may call a workload, in a stable order: its declared callers (their
 * ServiceAccounts), the proxies of every gateway that routes to it (every identity of
 * the implementation's namespace), the platform's Prometheus on its metrics port.
 * @internal
 */
export function _meshRules(w: Workload, mesh: _Principals): _MeshRule[] {
  const calls = w.connections.callers
    .map(c => ({
      principals: [mesh.principal(c.caller.namespace, c.caller instanceof Workload ? c.caller.identity.serviceAccountName : c.caller.name)],
      port: c.port.containerPort, methods: c.methods, paths: c.paths, why: `call from ${c.caller.namespace}/${c.caller.name}`,
    }))
    .sort((a, b) => _compare(a.why, b.why) || a.port - b.port);
  const routes = (_routedPorts(w.node.root).get(w) ?? [])
    .map(r => ({ principals: [mesh.principal(r.namespace, '*')], port: r.port, methods: [], paths: [], why: `route from ${r.gateway}` }));
  const metrics = WorkloadMetrics.of(w);
  const scrape = metrics ? [{
    principals: [mesh.principal(metrics.monitoring.prometheusNamespace, '*')], port: metrics.port.containerPort, methods: [], paths: [], why: 'scrape',
  }] : [];
  return [...calls, ...routes, ...scrape];
}

interface RoutedPort { gateway: string; namespace: string; port: number; timeout?: Duration }

/** The request timeouts of the gateways that route to a workload. @internal */
export function _gatewayTimeouts(w: Workload): Array<{ gateway: string; timeout: Duration }> {
  return (_routedPorts(w.node.root).get(w) ?? []).filter(r => r.timeout).map(r => ({ gateway: r.gateway, timeout: r.timeout! }));
}

const ROUTED = new WeakMap<IConstruct, Map<IConstruct, RoutedPort[]>>();

/** The gateway routes of the app by routed workload: the proxies' namespace and the container port, once per gateway and port. */
function _routedPorts(root: IConstruct): Map<IConstruct, RoutedPort[]> {
  const known = ROUTED.get(root);
  if (known) return known;
  const out = new Map<IConstruct, RoutedPort[]>();
  const add = (service: IConstruct, r: RoutedPort) => {
    const list = out.get(service) ?? [];
    if (!list.some(x => x.gateway === r.gateway && x.port === r.port)) list.push(r);
    out.set(service, list);
  };
  // Chart's Symbol.hasInstance makes `instanceof` true for any chart: ask the prototype chain
  for (const c of root.node.findAll()) {
    if (ApiGateway.prototype.isPrototypeOf(c)) {
      const g = c as ApiGateway;
      for (const r of [...g.routes, ...g.streamRoutes]) {
        add(r.service, { gateway: g.node.path, namespace: g.implementation.namespace, port: r.port.containerPort, timeout: g.requestTimeout });
      }
    } else if (IngressGateway.prototype.isPrototypeOf(c)) {
      const g = c as IngressGateway;
      for (const r of g.routes) add(r.service, { gateway: g.node.path, namespace: g.controller.namespace, port: r.port.containerPort, timeout: g.readTimeout });
    }
  }
  ROUTED.set(root, out);
  return out;
}

import { Duration, Lazy } from 'cdk8s';
import { IConstruct } from 'constructs';
import { _addValidation } from '../internal/chart';
import { _compare, _invalid } from '../internal/errors';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';
import * as gw from '../imports/gateway.networking.k8s.io';
import * as net from '../imports/networking.istio.io';
import { _gatewayDuration } from '../gateway/gateway-routes';
import { _requestMirror, _serviceRef } from '../gateway/service-ref';
import { _variantHttpMatches } from '../gateway/variant-matches';
import { Microservice } from '../workloads/microservice';
import { _CallResilience } from '../workloads/call-resilience';
import { Workload } from '../workloads/workload';
import { Connection } from '../workloads/workload-connections';
import { _gatewayTimeouts } from './mesh-authorization';

/** The methods retried without acknowledgement: those HTTP defines as idempotent. */
const IDEMPOTENT = ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'];

const ms = (d: Duration) => d.toMilliseconds({ integral: false });
/** A duration as Istio's protobuf Duration ('0.025s', '30s'). */
const istioDuration = (d: Duration) => `${ms(d) / 1000}s`;

/** One callee's mesh traffic state: the resolved resilience per called port, the first call that set it. */
interface CalleeState { ports: Map<string, { call: Connection; resilience: _CallResilience }> }

const CALLEES = new WeakMap<IConstruct, CalleeState>();
const CHECKED_CALLERS = new WeakSet<IConstruct>();

/**
 * Renders a call's resilience on its callee: one Gateway API mesh route (GAMMA: an
 * HTTPRoute whose parent is the callee's Service, in the callee's namespace, so it
 * applies to every caller) per called HTTP port, with the timeout and the retries
 * (idempotent methods only unless acknowledged), and one Istio DestinationRule per
 * callee with, per called port, the outlier detection and the connection pool. Every
 * call to one port shares its route and traffic policy: a call that resolves to other
 * settings than the first call to the port is refused. @internal
 */
export function _renderCallResilience(caller: Workload, call: Connection): void {
  const callee = call.callee;
  const resilience = call._resilience;
  if (!resilience || !(callee instanceof Workload)) return;
  checkGracePeriod(caller, callee, resilience);
  let state = CALLEES.get(callee);
  if (!state) {
    state = { ports: new Map() };
    CALLEES.set(callee, state);
    renderDestinationRule(callee, state);
  }
  const known = state.ports.get(call.port.name);
  if (known) {
    if (JSON.stringify(known.resilience) !== JSON.stringify(resilience)) {
      throw _invalid(caller, 'connectTo(timeout, retries, outlierDetection, connectionPool)', describe(resilience),
        `must match the resilience of ${known.call.caller.node.path}'s call to ${callee.node.path} port '${call.port.name}' (${describe(known.resilience)}): every caller of a port shares the port's mesh route and traffic policy`,
        'give the calls to the port the same options (or leave them all to the defaults)', ErrorCode.CONFLICT);
    }
  } else {
    state.ports.set(call.port.name, { call, resilience });
    if (resilience.timeout) renderRoute(callee, call, resilience);
  }
  if (!CHECKED_CALLERS.has(caller)) {
    CHECKED_CALLERS.add(caller);
    _addValidation(caller, () => checkCallerBudget(caller));
  }
}

function describe(r: _CallResilience): string {
  return [
    r.timeout ? `timeout ${ms(r.timeout)}ms` : 'no timeout',
    r.retries ? `${r.retries.attempts} retries of ${ms(r.retries.perTryTimeout)}ms` : 'no retries',
    `ejection after ${r.outlierDetection.consecutive5xxErrors} 5xx`,
    `${r.connectionPool.maxRequests} requests`,
  ].join(', ');
}

/** A call's timeout must end before the callee's pods are killed on termination. */
function checkGracePeriod(caller: Workload, callee: Workload, r: _CallResilience): void {
  if (r.timeout && ms(r.timeout) > ms(callee.terminationGracePeriod)) {
    throw _invalid(caller, 'connectTo(timeout)', `${ms(r.timeout)}ms`,
      `must not exceed the callee's termination grace period (${callee.node.path}: ${ms(callee.terminationGracePeriod)}ms): a request still running when a pod is stopped is cut off`,
      'shorten the timeout, or raise the callee\'s terminationGracePeriod', ErrorCode.CONFLICT);
  }
}

/**
 * The caller's own request timeout: the shortest timeout of the calls to it and of
 * the gateways that route to it. A call of the caller that may outlast it answers
 * nobody: refused.
 */
function checkCallerBudget(caller: Workload): ConfigurationError[] {
  const budgets = [
    ...caller.connections.callers.filter(c => c._resilience?.timeout).map(c => ({ ms: ms(c._resilience!.timeout!), from: `the call from ${c.caller.node.path}` })),
    ..._gatewayTimeouts(caller).map(g => ({ ms: ms(g.timeout), from: `the route of ${g.gateway}` })),
  ].sort((a, b) => a.ms - b.ms || _compare(a.from, b.from));
  const budget = budgets[0];
  if (!budget) return [];
  return caller.connections.calls.filter(c => c._resilience?.timeout && ms(c._resilience.timeout) > budget.ms).map(c => _invalid(caller, 'connectTo(timeout)', `${ms(c._resilience!.timeout!)}ms`,
    `must not exceed the caller's own request timeout (${budget.ms}ms, ${budget.from}): the call to ${c.callee.node.path} would outlast the request it serves`,
    `shorten the call's timeout to at most ${budget.ms}ms, or lengthen the caller's`, ErrorCode.CONFLICT));
}

function gatewayDuration(d: Duration): string {
  // checked whole milliseconds of at least 1 by _resolveResilience, so always expressible
  return _gatewayDuration(d) ?? `${ms(d)}ms`;
}

/**
 * The callee's release east-west (issue 24): in-cluster calls reach the tracks as the
 * gateway's routes do. A canary's weight splits them between `<service>-stable` and
 * the track's Service; an A/B release's matches go to the track first; a shadow
 * mirrors them to the track. Without a release, the rules are left as they are. (A
 * progressing canary's controller finds this route by its backend to the canary
 * Service, and moves its weights with the gateway's.)
 */
function releaseRules(callee: Workload, port: number, rules: gw.HttpRouteSpecRules[]): gw.HttpRouteSpecRules[] {
  const plan = callee instanceof Microservice ? callee._releasePlan : undefined;
  const stable = callee instanceof Microservice ? callee._stableServiceName : undefined;
  const track = callee instanceof Microservice ? callee._trackServiceName : undefined;
  if (!plan || !stable || !track) return rules;
  if (plan.mirrorPercent !== undefined) {
    const mirror: gw.HttpRouteSpecRulesFilters = { type: gw.HttpRouteSpecRulesFiltersType.REQUEST_MIRROR, requestMirror: _requestMirror(track, port, plan.mirrorPercent) };
    return rules.map(rule => ({ ...rule, filters: [mirror], backendRefs: [_serviceRef(stable, port)] }));
  }
  const split = rules.map(rule => ({ ...rule, backendRefs: [_serviceRef(stable, port, 100 - plan.routeWeight), _serviceRef(track, port, plan.routeWeight)] }));
  if (plan.matches.length === 0) return split;
  const variants = rules.map(rule => ({ ...rule, matches: (rule.matches ?? [{}]).flatMap(base => _variantHttpMatches(base, plan.matches)), backendRefs: [_serviceRef(track, port)] }));
  return [...variants, ...split];
}

function renderRoute(callee: Workload, call: Connection, r: _CallResilience): void {
  const port = call.port;
  const backendRefs = [_serviceRef(callee.name, port.servicePort)];
  const request = gatewayDuration(r.timeout!);
  const retried = r.retries ? {
    timeouts: { request, backendRequest: gatewayDuration(r.retries.perTryTimeout) },
    retry: { attempts: r.retries.attempts, backoff: gatewayDuration(r.retries.backoff), codes: r.retries.statusCodes },
  } : undefined;
  const rules: gw.HttpRouteSpecRules[] = !retried ? [{ backendRefs, timeouts: { request } }]
    : r.retries!.nonIdempotent ? [{ backendRefs, ...retried }]
      : [
        { matches: IDEMPOTENT.map(m => ({ method: m as gw.HttpRouteSpecRulesMatchesMethod })), backendRefs, ...retried },
        { backendRefs, timeouts: { request } },
      ];
  new gw.HttpRoute(callee, `MeshRoute-${port.name}`, {
    metadata: { ...callee._meta(), name: `${callee.name}-mesh-${port.name}` },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: callee.name, port: port.servicePort }],
      rules: releaseRules(callee, port.servicePort, rules),
    },
  });
}

function renderDestinationRule(callee: Workload, state: CalleeState): void {
  new net.DestinationRule(callee, 'MeshDestinationRule', {
    metadata: callee._meta(),
    spec: {
      host: `${callee.name}.${callee.namespace}.svc.${callee.context.platform.clusterDomain}`,
      trafficPolicy: {
        portLevelSettings: Lazy.any({
          produce: () => [...state.ports.values()].sort((a, b) => a.call.port.servicePort - b.call.port.servicePort).map(({ call, resilience: r }) => ({
            port: { number: call.port.servicePort },
            connectionPool: {
              tcp: { maxConnections: r.connectionPool.maxConnections },
              ...(call.port.protocol.name !== 'tcp' ? {
                http: { http1MaxPendingRequests: r.connectionPool.maxPendingRequests, http2MaxRequests: r.connectionPool.maxRequests, maxRetries: r.connectionPool.maxRetries },
              } : {}),
            },
            outlierDetection: {
              consecutive5XxErrors: r.outlierDetection.consecutive5xxErrors,
              consecutiveGatewayErrors: r.outlierDetection.consecutiveGatewayErrors,
              interval: istioDuration(r.outlierDetection.interval),
              baseEjectionTime: istioDuration(r.outlierDetection.baseEjectionTime),
              maxEjectionPercent: r.outlierDetection.maxEjectionPercent,
            },
          })),
        }),
      },
    },
  });
}

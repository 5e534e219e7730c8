/**
 * The access matrix (issue 5): after dist/ is applied to a real control plane, asks
 * the API server's own authorizer (`kubectl auth can-i`, impersonating each
 * identity) whether each team, deployer and service identity may do what it should
 * and nothing more. A change that widens or narrows any of these answers fails CI.
 *
 * Identities are those the reference platform grants (charts/): the
 * oidc:<context>-developers / -operators groups, oidc:sales-readers, each context's
 * deployer ServiceAccount, and the services' own ServiceAccounts.
 */
import { ControlPlane, Finding, GateResult, progress, run } from './harness';

/** One question to the authorizer and the answer it must give. */
export interface AccessCheck {
  /** Who asks: a user and groups, or a ServiceAccount `system:serviceaccount:<ns>:<name>`. */
  readonly as: string;
  readonly groups?: string[];
  readonly verb: string;
  /** `resource.group`, or `resource.group/name` for one object. */
  readonly resource: string;
  /** A subresource such as `exec`, `portforward`, `scale` (`kubectl auth can-i --subresource`). */
  readonly subresource?: string;
  /** Omitted for cluster-scoped questions. */
  readonly namespace?: string;
  readonly expected: boolean;
  /** Why: what the check proves. */
  readonly why: string;
}

const dev = (ctx: string) => ({ as: `alice@${ctx}`, groups: [`oidc:${ctx}-developers`] });
const ops = (ctx: string) => ({ as: `oscar@${ctx}`, groups: [`oidc:${ctx}-operators`] });
const reader = { as: 'rita@sales', groups: ['oidc:sales-readers'] };
const sa = (ns: string, name: string) => ({ as: `system:serviceaccount:${ns}:${name}` });

export const ACCESS_MATRIX: AccessCheck[] = [
  // developers: restart, scale, port-forward in their own context only; no Secrets, no exec
  { ...dev('catalog'), verb: 'patch', resource: 'deployments.apps', namespace: 'catalog', expected: true, why: 'a developer restarts its own workloads' },
  { ...dev('catalog'), verb: 'update', resource: 'deployments.apps', subresource: 'scale', namespace: 'catalog', expected: true, why: 'a developer scales its own workloads' },
  { ...dev('catalog'), verb: 'create', resource: 'pods', subresource: 'portforward', namespace: 'catalog', expected: true, why: 'a developer port-forwards in its own context' },
  { ...dev('catalog'), verb: 'patch', resource: 'deployments.apps', namespace: 'orders', expected: false, why: 'a catalog developer cannot touch the orders namespace' },
  { ...dev('catalog'), verb: 'list', resource: 'pods', namespace: 'orders', expected: false, why: 'a catalog developer cannot even read another context' },
  { ...dev('catalog'), verb: 'get', resource: 'secrets', namespace: 'catalog', expected: false, why: 'a developer cannot read Secrets' },
  { ...dev('catalog'), verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'catalog', expected: false, why: 'a developer cannot exec without allowExec' },
  { ...dev('catalog'), verb: 'create', resource: 'rolebindings.rbac.authorization.k8s.io', namespace: 'catalog', expected: false, why: 'a developer cannot change RBAC' },
  { ...dev('catalog'), verb: 'list', resource: 'nodes', expected: false, why: 'a developer has nothing cluster-wide' },
  { ...dev('catalog'), verb: 'patch', resource: 'gateways.gateway.networking.k8s.io', namespace: 'gateway', expected: false, why: 'a developer cannot change the platform\'s Gateway' },
  { ...dev('catalog'), verb: 'create', resource: 'httproutes.gateway.networking.k8s.io', namespace: 'catalog', expected: false, why: 'a developer cannot attach a route to the shared Gateway' },
  { ...dev('catalog'), verb: 'create', resource: 'grpcroutes.gateway.networking.k8s.io', namespace: 'catalog', expected: false, why: 'a developer cannot attach a gRPC route to the shared Gateway' },
  { ...dev('catalog'), verb: 'get', resource: 'httproutes.gateway.networking.k8s.io', namespace: 'catalog', expected: true, why: 'a developer reads the routes to its services' },
  { ...ops('catalog'), verb: 'create', resource: 'httproutes.gateway.networking.k8s.io', namespace: 'catalog', expected: false, why: 'an operator cannot attach a route to the shared Gateway either' },
  { ...ops('catalog'), verb: 'get', resource: 'gateways.gateway.networking.k8s.io', namespace: 'gateway', expected: false, why: 'a team has nothing in the gateway\'s namespace' },
  // viewers: read everything but Secrets, change nothing
  { ...reader, verb: 'list', resource: 'pods', namespace: 'orders', expected: true, why: 'a viewer reads workloads' },
  { ...reader, verb: 'get', resource: 'pods', subresource: 'log', namespace: 'accounts', expected: true, why: 'a viewer reads pod logs' },
  { ...reader, verb: 'get', resource: 'secrets', namespace: 'orders', expected: false, why: 'a viewer cannot read Secrets' },
  { ...reader, verb: 'delete', resource: 'pods', namespace: 'catalog', expected: false, why: 'a viewer changes nothing' },
  { ...reader, verb: 'patch', resource: 'deployments.apps', namespace: 'catalog', expected: false, why: 'a viewer cannot restart workloads' },
  // operators: exec and Secrets in their own context only; still no RBAC, quota or namespace changes
  { ...ops('catalog'), verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'catalog', expected: true, why: 'an operator may exec in its own context' },
  { ...ops('catalog'), verb: 'get', resource: 'secrets', namespace: 'catalog', expected: true, why: 'an operator reads its own Secrets' },
  { ...ops('catalog'), verb: 'delete', resource: 'configmaps', namespace: 'catalog', expected: true, why: 'an operator manages its config' },
  { ...ops('catalog'), verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'orders', expected: false, why: 'an operator can exec only in its own context' },
  { ...ops('catalog'), verb: 'create', resource: 'roles.rbac.authorization.k8s.io', namespace: 'catalog', expected: false, why: 'an operator cannot change RBAC' },
  { ...ops('catalog'), verb: 'update', resource: 'resourcequotas', namespace: 'catalog', expected: false, why: 'an operator cannot raise its own quota' },
  { ...ops('catalog'), verb: 'delete', resource: 'networkpolicies.networking.k8s.io', namespace: 'catalog', expected: false, why: 'an operator cannot open the default-deny policy' },
  { ...ops('catalog'), verb: 'delete', resource: 'namespaces', expected: false, why: 'an operator has nothing cluster-wide' },
  // deployers: apply the context's own objects, nothing else
  { ...sa('catalog', 'deployer'), verb: 'create', resource: 'deployments.apps', namespace: 'catalog', expected: true, why: 'the deployer applies its Deployments' },
  { ...sa('catalog', 'deployer'), verb: 'patch', resource: 'networkpolicies.networking.k8s.io', namespace: 'catalog', expected: false, why: 'a deployer cannot open the default-deny policy' },
  { ...sa('catalog', 'deployer'), verb: 'create', resource: 'ingresses.networking.k8s.io', namespace: 'catalog', expected: false, why: 'a deployer cannot claim routes on the shared gateway' },
  { ...sa('catalog', 'deployer'), verb: 'create', resource: 'httproutes.gateway.networking.k8s.io', namespace: 'catalog', expected: false, why: 'a deployer cannot attach a route of its own to the shared Gateway (the gateway chart renders the routes)' },
  { ...sa('catalog', 'deployer'), verb: 'patch', resource: 'httproutes.gateway.networking.k8s.io/gateway-products-https-api-sales-example-com', namespace: 'catalog', expected: false, why: 'a deployer cannot change its rendered route (another path or host on the shared listener)' },
  { ...sa('catalog', 'deployer'), verb: 'list', resource: 'httproutes.gateway.networking.k8s.io', namespace: 'catalog', expected: true, why: 'a deployer reads the routes to its services' },
  { ...sa('catalog', 'deployer'), verb: 'patch', resource: 'gateways.gateway.networking.k8s.io', namespace: 'gateway', expected: false, why: 'a deployer cannot change the platform\'s Gateway (listeners, allowedRoutes)' },
  { ...sa('catalog', 'deployer'), verb: 'create', resource: 'backendtrafficpolicies.gateway.envoyproxy.io', namespace: 'catalog', expected: false, why: 'a deployer cannot attach Envoy policies (rate limit, timeouts) to routes' },
  { ...sa('catalog', 'deployer'), verb: 'patch', resource: 'configmaps', namespace: 'catalog', expected: true, why: 'the deployer applies its configuration' },
  { ...sa('catalog', 'deployer'), verb: 'create', resource: 'externalsecrets.external-secrets.io', namespace: 'catalog', expected: true, why: 'the deployer applies its ExternalSecrets' },
  { ...sa('catalog', 'deployer'), verb: 'create', resource: 'deployments.apps', namespace: 'orders', expected: false, why: 'a deployer is confined to its namespace' },
  { ...sa('catalog', 'deployer'), verb: 'create', resource: 'roles.rbac.authorization.k8s.io', namespace: 'catalog', expected: false, why: 'a deployer cannot create Roles' },
  { ...sa('catalog', 'deployer'), verb: 'create', resource: 'rolebindings.rbac.authorization.k8s.io', namespace: 'catalog', expected: false, why: 'a deployer cannot bind roles' },
  { ...sa('catalog', 'deployer'), verb: 'get', resource: 'secrets', namespace: 'catalog', expected: false, why: 'a deployer cannot read Secrets' },
  { ...sa('catalog', 'deployer'), verb: 'update', resource: 'resourcequotas', namespace: 'catalog', expected: false, why: 'a deployer cannot raise its quota' },
  { ...sa('catalog', 'deployer'), verb: 'create', resource: 'namespaces', expected: false, why: 'a deployer creates nothing cluster-scoped' },
  { ...sa('catalog', 'deployer'), verb: 'create', resource: 'clusterrolebindings.rbac.authorization.k8s.io', expected: false, why: 'a deployer cannot escalate cluster-wide' },
  // services: exactly what they were granted
  { ...sa('orders', 'notifications'), verb: 'update', resource: 'leases.coordination.k8s.io/notifications', namespace: 'orders', expected: true, why: 'leader election on its own Lease' },
  { ...sa('orders', 'notifications'), verb: 'update', resource: 'leases.coordination.k8s.io/payments', namespace: 'orders', expected: false, why: 'no other Lease' },
  { ...sa('orders', 'notifications'), verb: 'list', resource: 'secrets', namespace: 'orders', expected: false, why: 'a service cannot list Secrets' },
  { ...sa('orders', 'payments'), verb: 'get', resource: 'secrets', namespace: 'orders', expected: false, why: 'a service without grants has no API access' },
  { ...sa('orders', 'payments'), verb: 'list', resource: 'pods', namespace: 'orders', expected: false, why: 'a service without grants has no API access' },
  { ...sa('catalog', 'products'), verb: 'get', resource: 'configmaps', namespace: 'catalog', expected: false, why: 'a service without grants has no API access' },
];

function describe(c: AccessCheck): string {
  const who = c.groups ? `${c.as} (${c.groups.join(', ')})` : c.as;
  const what = c.subresource ? `${c.resource} ${c.subresource}` : c.resource;
  return `${who} ${c.expected ? 'can' : 'cannot'} ${c.verb} ${what}${c.namespace ? ` in ${c.namespace}` : ' cluster-wide'}`;
}

/**
 * Runs every check against the control plane, as its admin impersonating each
 * identity; a different answer is a finding of the `access` gate.
 */
export async function accessMatrix(plane: ControlPlane, checks: AccessCheck[] = ACCESS_MATRIX): Promise<GateResult> {
  progress(`${plane.version}: kubectl auth can-i, ${checks.length} checks of team, deployer and service access`);
  const started = Date.now();
  const findings: Finding[] = [];
  for (const c of checks) {
    const args = ['--kubeconfig', plane.kubeconfig, 'auth', 'can-i', c.verb, c.resource, ...(c.subresource ? [`--subresource=${c.subresource}`] : []), `--as=${c.as}`,
      ...(c.groups ?? []).map(g => `--as-group=${g}`), ...(c.namespace ? ['-n', c.namespace] : [])];
    const r = await run(plane.kubectl, args);
    const answer = r.out.trim().split('\n').pop()?.trim();
    if (answer !== 'yes' && answer !== 'no') {
      findings.push({ gate: 'access', context: plane.version, check: 'can-i', message: `${describe(c)}: kubectl answered '${r.out.trim()}' (exit ${r.code})` });
    } else if ((answer === 'yes') !== c.expected) {
      findings.push({
        gate: 'access', context: plane.version, check: 'can-i',
        message: `expected: ${describe(c)} (${c.why}); the API server answered ${answer}. Fix the grant in lib/access/access.ts or charts/, or this matrix if the change is intended`,
      });
    }
  }
  return {
    gate: 'access', context: plane.version, tool: `kubectl auth can-i ${plane.version}`, objects: checks.length, findings,
    suppressed: [], seconds: (Date.now() - started) / 1000,
  };
}

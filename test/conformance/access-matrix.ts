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
import { Testing } from 'cdk8s';
import { buildSalesPlatform, PROD } from '../../charts';
import { BoundedContext, Platform, Workload } from '../../lib';
import { authorizedCalls, callKey, CallKey, differences, networkCalls } from '../mesh/mesh-invariants';
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

/**
 * The escalation questions (issue 20, class 9), asked of every generated team role,
 * the deployer and each service identity. Creating (or patching the template of) a
 * pod-creating object runs a pod as any ServiceAccount of the namespace with any of
 * its Secrets mounted; writing an ExternalSecret copies whatever a shared
 * ClusterSecretStore can read; impersonate, bind and escalate grant what was never
 * given. The expected answers follow from the rendered Roles (lib/access/access.ts:
 * developers lost `patch` on Deployments, operators and deployers the ExternalSecret
 * writes; the Roles that still create pods carry `cdk8s-microservices.io/escalation`),
 * which `test/access/escalation.test.ts` checks in dist/.
 */
const ESCALATION_QUESTIONS: Array<{ key: string; verb: string; resource: string; what: string }> = [
  { key: 'pods', verb: 'create', resource: 'pods', what: 'create pods directly' },
  { key: 'jobs', verb: 'create', resource: 'jobs.batch', what: 'create Jobs (a pod as any ServiceAccount of the namespace)' },
  { key: 'deployments', verb: 'create', resource: 'deployments.apps', what: 'create Deployments (a pod as any ServiceAccount of the namespace)' },
  { key: 'templates', verb: 'patch', resource: 'deployments.apps', what: 'change a Deployment\'s pod template (image, ServiceAccount, mounted Secrets)' },
  { key: 'externalsecrets', verb: 'create', resource: 'externalsecrets.external-secrets.io', what: 'create ExternalSecrets (any key of a ClusterSecretStore)' },
  { key: 'impersonate', verb: 'impersonate', resource: 'serviceaccounts', what: 'impersonate ServiceAccounts' },
  { key: 'bind', verb: 'bind', resource: 'clusterroles.rbac.authorization.k8s.io', what: 'bind roles it does not hold' },
  { key: 'escalate', verb: 'escalate', resource: 'roles.rbac.authorization.k8s.io', what: 'write Roles beyond its own permissions' },
];

type Identity = { as: string; groups?: string[] };
const NOTHING = { pods: false, jobs: false, deployments: false, templates: false, externalsecrets: false, impersonate: false, bind: false, escalate: false };

/** Who is asked, in which namespace, and the answers after issue 20: only operators and deployers create pods (acknowledged), nobody writes ExternalSecrets. */
const ESCALATION_ANSWERS: Array<{ who: Identity; role: string; namespace: string; can: { [key: string]: boolean } }> = [
  { who: reader, role: 'a viewer', namespace: 'orders', can: NOTHING },
  { who: dev('catalog'), role: 'a developer', namespace: 'catalog', can: NOTHING },
  { who: ops('catalog'), role: 'an operator', namespace: 'catalog', can: { ...NOTHING, jobs: true, deployments: true, templates: true } },
  { who: sa('catalog', 'deployer'), role: 'the deployer', namespace: 'catalog', can: { ...NOTHING, jobs: true, deployments: true, templates: true } },
  { who: sa('orders', 'deployer'), role: 'the orders deployer', namespace: 'orders', can: { ...NOTHING, jobs: true, deployments: true, templates: true } },
  { who: sa('accounts', 'deployer'), role: 'the accounts deployer', namespace: 'accounts', can: { ...NOTHING, jobs: true, deployments: true, templates: true } },
  // every workload's own ServiceAccount in dist/ (notifications holds a Lease grant, the others none)
  ...([['accounts', 'auth'], ['accounts', 'accounts'], ['accounts', 'session-cleanup'], ['catalog', 'products'], ['catalog', 'reviews'],
    ['catalog', 'products-cache'], ['orders', 'orders'], ['orders', 'payments'], ['orders', 'notifications'], ['orders', 'outbox-relay'],
    ['orders', 'orders-migrate']] as const).map(([ns, name]) => ({ who: sa(ns, name), role: `the service identity ${ns}/${name}`, namespace: ns, can: NOTHING })),
];

const ESCALATION_CHECKS: AccessCheck[] = ESCALATION_ANSWERS.flatMap(a => ESCALATION_QUESTIONS.map(q => ({
  ...a.who, verb: q.verb, resource: q.resource, namespace: a.namespace, expected: a.can[q.key],
  why: a.can[q.key]
    ? `${a.role} may ${q.what}: its job, acknowledged on its Role (cdk8s-microservices.io/escalation)`
    : `${a.role} cannot ${q.what} (issue 20, class 9)`,
})));

export const ACCESS_MATRIX: AccessCheck[] = [
  // developers: restart, scale, port-forward in their own context only; no Secrets, no exec
  { ...dev('catalog'), verb: 'delete', resource: 'pods', namespace: 'catalog', expected: true, why: 'a developer restarts its own workloads by deleting their pods' },
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
  { ...sa('catalog', 'deployer'), verb: 'patch', resource: 'networkpolicies.networking.k8s.io', namespace: 'catalog', expected: false, why: 'a deployer cannot open the default-deny policy' },
  { ...sa('catalog', 'deployer'), verb: 'create', resource: 'ingresses.networking.k8s.io', namespace: 'catalog', expected: false, why: 'a deployer cannot claim routes on the shared gateway' },
  { ...sa('catalog', 'deployer'), verb: 'create', resource: 'httproutes.gateway.networking.k8s.io', namespace: 'catalog', expected: false, why: 'a deployer cannot attach a route of its own to the shared Gateway (the gateway chart renders the routes)' },
  { ...sa('catalog', 'deployer'), verb: 'patch', resource: 'httproutes.gateway.networking.k8s.io/gateway-products-https-api-sales-example-com', namespace: 'catalog', expected: false, why: 'a deployer cannot change its rendered route (another path or host on the shared listener)' },
  { ...sa('catalog', 'deployer'), verb: 'list', resource: 'httproutes.gateway.networking.k8s.io', namespace: 'catalog', expected: true, why: 'a deployer reads the routes to its services' },
  { ...sa('catalog', 'deployer'), verb: 'patch', resource: 'gateways.gateway.networking.k8s.io', namespace: 'gateway', expected: false, why: 'a deployer cannot change the platform\'s Gateway (listeners, allowedRoutes)' },
  { ...sa('catalog', 'deployer'), verb: 'create', resource: 'backendtrafficpolicies.gateway.envoyproxy.io', namespace: 'catalog', expected: false, why: 'a deployer cannot attach Envoy policies (rate limit, timeouts) to routes' },
  { ...sa('catalog', 'deployer'), verb: 'patch', resource: 'configmaps', namespace: 'catalog', expected: true, why: 'the deployer applies its configuration' },
  { ...sa('catalog', 'deployer'), verb: 'create', resource: 'sealedsecrets.bitnami.com', namespace: 'catalog', expected: true, why: 'the deployer applies its SealedSecrets (sealed for this namespace: they reveal nothing)' },
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
  ...ESCALATION_CHECKS,
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
  const calls = await callMatrix(plane, findings);
  return {
    gate: 'access', context: plane.version, tool: `kubectl auth can-i ${plane.version}`, objects: checks.length + calls, findings,
    suppressed: [], seconds: (Date.now() - started) / 1000,
  };
}

/**
 * Who may call whom (issue 24): the calls the reference platform declares
 * (`connectTo`, read from the model built as for dist/prod), against the calls the
 * AuthorizationPolicies and the workloads' NetworkPolicies stored by the API server
 * allow (read back with kubectl after the apply). A call one layer allows and the
 * other does not, or that neither declares, is a finding. No proxy runs: this proves
 * the policies say the same thing, not that Istio enforces them. Returns the number
 * of calls compared.
 */
export async function callMatrix(plane: ControlPlane, findings: Finding[]): Promise<number> {
  const app = Testing.app();
  const { platform } = buildSalesPlatform(app, PROD);
  const declared = declaredCalls(platform);
  const workloads = new Set(BoundedContext.all(platform).flatMap(c => Workload.all(c).map(w => `${w.namespace}/${w.name}`)));
  progress(`${plane.version}: who may call whom, ${declared.size} declared calls against the AuthorizationPolicies and NetworkPolicies the API server holds`);
  const r = await run(plane.kubectl, ['--kubeconfig', plane.kubeconfig, 'get', 'authorizationpolicies.security.istio.io,networkpolicies.networking.k8s.io', '-A', '-o', 'json']);
  const at = r.out.indexOf('{');
  if (r.code !== 0 || at < 0) {
    findings.push({ gate: 'access', context: plane.version, check: 'calls', message: `kubectl get authorizationpolicies,networkpolicies failed (exit ${r.code}): ${r.out.slice(-500)}` });
    return 0;
  }
  const objects = (JSON.parse(r.out.slice(at)).items ?? []).map((o: { apiVersion?: string }) => ({ ...o, apiVersion: o.apiVersion }));
  const authz = authorizedCalls(objects);
  const problems = [
    ...authz.problems,
    ...differences('AuthorizationPolicy', declared, authz.calls),
    ...differences('NetworkPolicy', declared, networkCalls(objects, workloads)),
  ];
  for (const message of problems) {
    findings.push({ gate: 'access', context: plane.version, check: 'calls', message: `${message}. Fix the call in charts/ or the policy in lib/mesh/ or lib/workloads/workload-connections.ts` });
  }
  return declared.size;
}

/** The declared calls of a platform, as the invariants name them. */
export function declaredCalls(platform: Platform): Set<CallKey> {
  return new Set(BoundedContext.all(platform).flatMap(c => Workload.all(c)).flatMap(w => w.connections.calls)
    .map(c => callKey(`${c.caller.namespace}/${c.caller.name}`, `${c.callee.namespace}/${c.callee.name}`, c.port.containerPort)));
}

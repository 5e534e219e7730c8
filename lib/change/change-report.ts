import { _IMMUTABLE_FIELDS, _firstDifference } from './immutable-fields';
import type { _Manifest } from './previous-output';

/**
 * What one line of a change report is about, in the platform's own terms. Each
 * category is a class of facts read from the rendered manifests; a fact present in
 * one output only is a line.
 */
export class ChangeCategory {
  /**
   * A call between workloads, or from outside, that a NetworkPolicy allows (peer, port,
   * protocol), or that a mesh's AuthorizationPolicy allows or denies (identities, ports,
   * methods, paths).
   */
  public static readonly CALL = new ChangeCategory('call');
  /**
   * What a subject may do: a RoleBinding's subject with each rule of its Role (or the
   * ClusterRole's name); the rules one subject gains or loses through one binding are one line.
   */
  public static readonly GRANT = new ChangeCategory('grant');
  /**
   * What is reachable from outside: a hostname and path (or gRPC method) an HTTPRoute,
   * GRPCRoute or TLSRoute sends to a backend, an Ingress rule, a Gateway listener (its
   * port, protocol, hostname and the namespaces whose routes may attach to it), a
   * Service of type LoadBalancer or NodePort.
   */
  public static readonly ROUTE = new ChangeCategory('route');
  /** An autoscaler's bounds, a workload's replicas, a container's requests and limits, a quota. */
  public static readonly CAPACITY = new ChangeCategory('capacity');
  /** A container's image. */
  public static readonly IMAGE = new ChangeCategory('image');
  /** An object kubectl cannot update in place (an immutable field changed, `_IMMUTABLE_FIELDS`): it must be deleted and re-created. */
  public static readonly REPLACE = new ChangeCategory('replace');
  /** An object in the previous output only: an apply with prune deletes it. */
  public static readonly PRUNE = new ChangeCategory('prune');

  /** Every category, in the order a report lists them. */
  public static readonly ALL: readonly ChangeCategory[] = [ChangeCategory.CALL, ChangeCategory.GRANT, ChangeCategory.ROUTE,
    ChangeCategory.CAPACITY, ChangeCategory.IMAGE, ChangeCategory.REPLACE, ChangeCategory.PRUNE];

  private constructor(
    /** The category's name, as a report line starts with it. */
    public readonly value: string) {}
}

/** One line of a change report. */
export interface ChangeLine {
  /** The bounded context (namespace) the line belongs to; '(cluster)' for cluster-scoped objects. */
  readonly context: string;
  /** What it is about. */
  readonly category: ChangeCategory;
  /** '+' added (opened, granted, exposed), '-' removed, '~' changed. */
  readonly sign: string;
  /** The fact, in the platform's terms (`orders/orders -> catalog/products :8080/TCP`). */
  readonly text: string;
}

/** What a change does, per bounded context. */
export interface ChangeReport {
  /** The lines, by context, then category (in `ChangeCategory.ALL` order), then text. */
  readonly lines: ChangeLine[];
  /** The number of objects compared (those of either output). */
  readonly compared: number;
  /** The number of objects added. */
  readonly added: number;
  /** The number of objects that differ (added, removed or changed), whether a line names them or not. */
  readonly changed: number;
}

const CLUSTER = '(cluster)';
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Rollout'];
const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute'];

/**
 * Compares two outputs (plain rendered manifests, as `loadManifests` or a synth
 * returns them) and says what the change does: calls opened or closed, grants added
 * or removed, routes exposed or withdrawn, capacity and images changed, objects that
 * will be replaced or pruned. Objects are paired by API group, kind, namespace and name.
 *
 * @param before the previous output (the committed one)
 * @param after the new output
 */
export function changeReport(before: readonly unknown[], after: readonly unknown[]): ChangeReport {
  const [b, a] = [_index(before), _index(after)];
  const lines: ChangeLine[] = [];
  // facts as sets: a fact in one side only is a line
  for (const [category, facts] of [[ChangeCategory.CALL, _allCalls], [ChangeCategory.GRANT, _grants], [ChangeCategory.ROUTE, _exposed]] as const) {
    const [was, now] = [facts([...b.values()]), facts([...a.values()])];
    for (const k of now) if (!was.has(k)) lines.push({ context: k.slice(0, k.indexOf('\0')), category, sign: '+', text: k.slice(k.indexOf('\0') + 1) });
    for (const k of was) if (!now.has(k)) lines.push({ context: k.slice(0, k.indexOf('\0')), category, sign: '-', text: k.slice(k.indexOf('\0') + 1) });
  }
  // a subject's rules through one binding, gained or lost together, are one line
  const grants = new Map<string, ChangeLine & { rules: string[] }>();
  for (const l of lines.filter(x => x.category === ChangeCategory.GRANT)) {
    const [subject, rule, suffix] = l.text.split('\u0001');
    const k = `${l.context}\0${l.sign}\0${subject}\0${suffix}`;
    const merged = grants.get(k) ?? { ...l, rules: [] };
    merged.rules.push(rule);
    grants.set(k, { ...merged, text: `${subject} via ${suffix} may ${merged.rules.join('; ')}` });
  }
  lines.splice(0, lines.length, ...lines.filter(x => x.category !== ChangeCategory.GRANT),
    ...[...grants.values()].map(({ context, category, sign, text }) => ({ context, category, sign, text })));
  // values per object: a value that differs is a line
  for (const [category, values] of [[ChangeCategory.CAPACITY, _capacity], [ChangeCategory.IMAGE, _images]] as const) {
    const [was, now] = [values([...b.values()]), values([...a.values()])];
    for (const k of [...new Set([...was.keys(), ...now.keys()])]) {
      const [x, y] = [was.get(k), now.get(k)];
      if (x?.value === y?.value) continue;
      lines.push({ context: (x ?? y)!.context, category, sign: x === undefined ? '+' : y === undefined ? '-' : '~',
        text: `${k}: ${x?.value ?? '(none)'} -> ${y?.value ?? '(none)'}` });
    }
  }
  let changed = 0;
  for (const [k, now] of a) {
    const was = b.get(k);
    if (was === undefined || JSON.stringify(was) === JSON.stringify(now)) continue;
    changed++;
    const row = _IMMUTABLE_FIELDS.find(r => r.kind === now.kind && r.group === _group(now) && _replaces(r, was, now));
    if (row !== undefined) {
      const field = _firstDifference(_get(was, row.field), _get(now, row.field), row.field.join('.'))?.field ?? row.field.join('.');
      lines.push({ context: _context(now), category: ChangeCategory.REPLACE, sign: '~', text: `${_name(now)} (${field} is immutable: delete and re-create)` });
    }
  }
  for (const [k, was] of b) {
    if (!a.has(k)) lines.push({ context: _context(was), category: ChangeCategory.PRUNE, sign: '-', text: _name(was) });
  }
  const added = [...a.keys()].filter(k => !b.has(k)).length;
  const order = (l: ChangeLine) => ChangeCategory.ALL.indexOf(l.category);
  lines.sort((x, y) => _cmp(x.context, y.context) || order(x) - order(y) || _cmp(x.text, y.text) || _cmp(x.sign, y.sign));
  return { lines, compared: new Set([...a.keys(), ...b.keys()]).size, added, changed: changed + added + (b.size - (a.size - added)) };
}

/**
 * The report as text: one line of totals, then each bounded context with its lines
 * (`  + call orders/orders -> catalog/products :8080/TCP`). Deterministic: the same two
 * outputs give the same text.
 *
 * @param title what was compared (`prod: git HEAD:dist/prod`)
 */
export function renderChangeReport(report: ChangeReport, title: string): string {
  const counts = ChangeCategory.ALL.map(c => [c.value, report.lines.filter(l => l.category === c).length] as const).filter(([, n]) => n > 0);
  const contexts = [...new Set(report.lines.map(l => l.context))];
  const out = [`change report ${title}: ${report.compared} objects compared, ${report.changed} differ (${report.added} added); `
    + `${report.lines.length} line(s) in ${contexts.length} context(s)${counts.length > 0 ? `: ${counts.map(([c, n]) => `${c} ${n}`).join(', ')}` : ''}`];
  for (const context of contexts) {
    out.push(`${context}:`);
    for (const l of report.lines.filter(x => x.context === context)) out.push(`  ${l.sign} ${l.category.value} ${_short(l.text)}`);
  }
  return out.join('\n') + '\n';
}

function _cmp(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

function _short(text: string): string {
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

function _group(o: _Manifest): string {
  const v = String(o.apiVersion ?? '');
  return v.includes('/') ? v.slice(0, v.indexOf('/')) : '';
}

function _index(manifests: readonly unknown[]): Map<string, _Manifest> {
  const objects = manifests.filter((m): m is _Manifest => typeof m === 'object' && m !== null && typeof (m as _Manifest).kind === 'string');
  return new Map(objects.map(o => [`${_group(o)}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`, o]));
}

function _context(o: _Manifest): string {
  return o.metadata?.namespace ?? CLUSTER;
}

function _name(o: _Manifest): string {
  return `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
}

function _get(o: _Manifest, field: readonly string[]): unknown {
  return field.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as _Manifest)[k] : undefined), o);
}

function _replaces(row: (typeof _IMMUTABLE_FIELDS)[number], was: _Manifest, now: _Manifest): boolean {
  const [x, y] = [_get(was, row.field) ?? row.defaultValue, _get(now, row.field) ?? row.defaultValue];
  return row.refuses ? row.refuses(x, y, was) : _firstDifference(x, y, '') !== undefined;
}

/**
 * A label selector in a few words: the workload it names (`app.kubernetes.io/instance`,
 * else `app.kubernetes.io/name`), else its distinct values, or '*' when it selects everything.
 */
function _selector(s: _Manifest | undefined): string {
  const labels: { [k: string]: string } = s?.matchLabels ?? {};
  const named = labels['app.kubernetes.io/instance'] ?? labels['app.kubernetes.io/name'];
  const values = named !== undefined ? [named] : [...new Set(Object.values(labels).map(String))];
  const exprs = (s?.matchExpressions ?? []).map((e: _Manifest) => `${e.key} ${e.operator} ${(e.values ?? []).join(',')}`.trim());
  return [...values, ...exprs].join(',') || '*';
}

/** A NetworkPolicy peer: `namespace/pods`, a CIDR, or 'anywhere'. */
function _peer(p: _Manifest | undefined, own: string): string {
  if (p === undefined) return 'anywhere';
  if (p.ipBlock !== undefined) return `${p.ipBlock.cidr}${(p.ipBlock.except ?? []).length > 0 ? ` except ${p.ipBlock.except.join(',')}` : ''}`;
  const ns = p.namespaceSelector === undefined ? own : _selector(p.namespaceSelector);
  return `${ns}/${_selector(p.podSelector)}`;
}

function _ports(ports: _Manifest[] | undefined): string[] {
  return (ports ?? [{}]).map(p => p.port === undefined ? 'any port' : `:${p.port}${p.endPort !== undefined ? `-${p.endPort}` : ''}/${p.protocol ?? 'TCP'}`);
}

/** Every call a NetworkPolicy allows, `<namespace>\0from -> to :port/protocol` (the policy's namespace). */
function _calls(objects: _Manifest[]): Set<string> {
  const out = new Set<string>();
  for (const o of objects.filter(x => x.kind === 'NetworkPolicy')) {
    const ns = _context(o);
    const self = `${ns}/${_selector(o.spec?.podSelector)}`;
    for (const rule of (o.spec?.ingress ?? []) as _Manifest[]) {
      for (const peer of rule.from ?? [undefined]) for (const port of _ports(rule.ports)) out.add(`${ns}\0${_peer(peer, ns)} -> ${self} ${port}`);
    }
    for (const rule of (o.spec?.egress ?? []) as _Manifest[]) {
      for (const peer of rule.to ?? [undefined]) for (const port of _ports(rule.ports)) out.add(`${ns}\0${self} -> ${_peer(peer, ns)} ${port}`);
    }
  }
  return out;
}

/** The calls NetworkPolicies allow and those mesh AuthorizationPolicies allow or deny. */
function _allCalls(objects: _Manifest[]): Set<string> {
  return new Set([..._calls(objects), ..._meshCalls(objects)]);
}

/**
 * Every rule of an Istio AuthorizationPolicy, `<ns>\0mesh ALLOW cluster.local/ns/orders/sa/orders -> catalog/products :8080 GET,HEAD /reviews*`;
 * an ALLOW policy without rules allows nothing (`mesh ALLOW nothing -> ns/*`), a rule without `from` or `to` any identity or any port.
 */
function _meshCalls(objects: _Manifest[]): Set<string> {
  const out = new Set<string>();
  const list = (label: string, xs: unknown) => (Array.isArray(xs) && xs.length > 0 ? `${label}${xs.join(',')}` : '');
  for (const o of objects.filter(x => x.kind === 'AuthorizationPolicy' && _group(x) === 'security.istio.io')) {
    const ns = _context(o);
    const action = String(o.spec?.action ?? 'ALLOW');
    const target = `${ns}/${_selector(o.spec?.selector)}`;
    const rules = (o.spec?.rules ?? []) as _Manifest[];
    if (rules.length === 0) out.add(`${ns}\0mesh ${action} ${action === 'ALLOW' ? 'nothing' : 'every call'} -> ${target}`);
    for (const rule of rules) {
      const sources = ((rule.from ?? [{ source: {} }]) as _Manifest[]).map(f => f.source ?? {}).map((src: _Manifest) =>
        [list('', src.principals), list('ns ', src.namespaces), list('ip ', src.ipBlocks), list('not ', src.notPrincipals), list('not ns ', src.notNamespaces)]
          .filter(Boolean).join(' ') || 'any identity');
      const ops = ((rule.to ?? [{ operation: {} }]) as _Manifest[]).map(t => t.operation ?? {}).map((op: _Manifest) =>
        [list(':', op.ports) || 'any port', list('', op.methods), list('', op.paths), list('not ', op.notMethods), list('not ', op.notPaths)].filter(Boolean).join(' '));
      const when = ((rule.when ?? []) as _Manifest[]).map(c => ` when ${c.key} in ${(c.values ?? []).join(',')}`).join('');
      for (const src of sources) for (const op of ops) out.add(`${ns}\0mesh ${action} ${src} -> ${target} ${op}${when}`);
    }
  }
  return out;
}

/** Every rule a subject holds through a binding: `<ns>\0Group oidc:x\u0001get,list pods,services\u0001Role ns/name`. */
function _grants(objects: _Manifest[]): Set<string> {
  const out = new Set<string>();
  const roles = new Map(objects.filter(o => o.kind === 'Role' || o.kind === 'ClusterRole').map(o => [`${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`, o]));
  for (const o of objects.filter(x => x.kind === 'RoleBinding' || x.kind === 'ClusterRoleBinding')) {
    const ns = o.metadata?.namespace ?? '';
    const ref = o.roleRef ?? {};
    const role = roles.get(`${ref.kind}/${ref.kind === 'Role' ? ns : ''}/${ref.name}`);
    const where = `${ref.kind} ${ref.kind === 'Role' ? `${ns}/` : ''}${ref.name}`;
    const rules: string[] = role === undefined ? [`what ${where} allows`] : ((role.rules ?? []) as _Manifest[]).map(r =>
      `${(r.verbs ?? []).join(',')} ${[...(r.resources ?? []), ...(r.nonResourceURLs ?? [])].map(res => (r.apiGroups ?? ['']).filter((g: string) => g !== '')
        .map((g: string) => `${g}/${res}`).concat((r.apiGroups ?? ['']).includes('') ? [res] : []).join(',')).join(',')}`
      + `${(r.resourceNames ?? []).length > 0 ? ` named ${r.resourceNames.join(',')}` : ''}`);
    for (const s of (o.subjects ?? []) as _Manifest[]) {
      const subject = `${s.kind} ${s.kind === 'ServiceAccount' ? `${s.namespace ?? ns}/` : ''}${s.name}`;
      for (const rule of rules) out.add(`${ns || CLUSTER}\0${subject}\u0001${rule}\u0001${where}${ref.kind !== 'Role' && ns ? ` in ${ns}` : ''}`);
    }
  }
  return out;
}

/** Every hostname and match a route sends to its backends: `https api.example.com/orders -> orders/orders:8080`. */
function _routes(objects: _Manifest[]): Set<string> {
  const out = new Set<string>();
  for (const o of objects.filter(x => ROUTE_KINDS.includes(x.kind))) {
    const ns = _context(o);
    const hosts: string[] = o.spec?.hostnames?.length ? o.spec.hostnames : ['*'];
    const parents = (o.spec?.parentRefs ?? []).map((p: _Manifest) => `${p.name}${p.sectionName ? `/${p.sectionName}` : ''}`).join(',');
    for (const rule of (o.spec?.rules ?? []) as _Manifest[]) {
      const backends = ((rule.backendRefs ?? []) as _Manifest[]).map(r => `${r.namespace ?? ns}/${r.name}${r.port ? `:${r.port}` : ''}`
        + `${r.weight !== undefined ? ` (weight ${r.weight})` : ''}`);
      const filters = ((rule.filters ?? []) as _Manifest[]).map(f => String(f.type));
      const to = backends.length > 0 ? backends.join(', ') : filters.join(', ') || 'no backend';
      const matches = ((rule.matches ?? [{}]) as _Manifest[]).map(m => m.path ? `${m.path.value}${m.path.type === 'Exact' ? '' : '*'}`
        : m.method ? `/${m.method.service ?? '*'}/${m.method.method ?? '*'}` : '/*');
      for (const host of hosts) for (const m of matches) out.add(`${ns}\0${o.kind} ${host}${m} via ${parents || '(no parent)'} -> ${to}`);
    }
  }
  return out;
}

/** Everything reachable from outside: routes, Ingress rules, Gateway listeners, Services outside the cluster network. */
function _exposed(objects: _Manifest[]): Set<string> {
  const out = _routes(objects);
  for (const o of objects) {
    const ns = _context(o);
    if (o.kind === 'Gateway') {
      for (const l of (o.spec?.listeners ?? []) as _Manifest[]) {
        const from = l.allowedRoutes?.namespaces?.from ?? 'Same';
        const who = from === 'Selector' ? _selector(l.allowedRoutes.namespaces.selector) : from === 'Same' ? ns : from.toLowerCase();
        out.add(`${ns}\0Gateway ${ns}/${o.metadata?.name} listener ${l.name}: ${l.protocol} :${l.port} ${l.hostname ?? '*'}, routes from ${who}`);
      }
    }
    if (o.kind === 'Ingress') {
      const backend = (b: _Manifest | undefined) => (b?.service ? `${ns}/${b.service.name}:${b.service.port?.number ?? b.service.port?.name}` : 'no backend');
      if (o.spec?.defaultBackend) out.add(`${ns}\0Ingress ${ns}/${o.metadata?.name} default -> ${backend(o.spec.defaultBackend)}`);
      for (const rule of (o.spec?.rules ?? []) as _Manifest[]) {
        for (const p of (rule.http?.paths ?? []) as _Manifest[]) {
          out.add(`${ns}\0Ingress ${rule.host ?? '*'}${p.path ?? '/'}${p.pathType === 'Exact' ? '' : '*'} via ${o.spec?.ingressClassName ?? '(default class)'} -> ${backend(p.backend)}`);
        }
      }
    }
    if (o.kind === 'Service' && (o.spec?.type === 'LoadBalancer' || o.spec?.type === 'NodePort')) {
      const ports = ((o.spec?.ports ?? []) as _Manifest[]).map(p => `:${p.port}/${p.protocol ?? 'TCP'}${p.nodePort ? ` (node port ${p.nodePort})` : ''}`).join(',');
      out.add(`${ns}\0Service ${ns}/${o.metadata?.name} ${o.spec.type} ${ports}${(o.spec?.loadBalancerSourceRanges ?? []).length > 0 ? ` from ${o.spec.loadBalancerSourceRanges.join(',')}` : ''}`);
    }
  }
  return out;
}

/** Capacity values per object: autoscaler bounds, replicas, each container's requests and limits, quotas. */
function _capacity(objects: _Manifest[]): Map<string, { context: string; value: string }> {
  const out = new Map<string, { context: string; value: string }>();
  const res = (r: _Manifest | undefined) => ['requests', 'limits'].map(k => `${k} ${Object.entries(r?.[k] ?? {}).map(([x, v]) => `${x}=${v}`).join(',') || '-'}`).join('; ');
  for (const o of objects) {
    const ctx = _context(o);
    if (o.kind === 'HorizontalPodAutoscaler') out.set(`${_name(o)} replicas`, { context: ctx, value: `${o.spec?.minReplicas ?? 1}..${o.spec?.maxReplicas}` });
    if (o.kind === 'ResourceQuota') out.set(`${_name(o)} hard`, { context: ctx, value: Object.entries(o.spec?.hard ?? {}).map(([k, v]) => `${k}=${v}`).join(',') });
    if (!WORKLOAD_KINDS.includes(o.kind)) continue;
    if (o.spec?.replicas !== undefined) out.set(`${_name(o)} replicas`, { context: ctx, value: String(o.spec.replicas) });
    for (const c of _containers(o)) out.set(`${_name(o)} container ${c.name}`, { context: ctx, value: res(c.resources) });
  }
  return out;
}

/** Each container's image per workload. */
function _images(objects: _Manifest[]): Map<string, { context: string; value: string }> {
  return new Map(objects.filter(o => WORKLOAD_KINDS.includes(o.kind))
    .flatMap(o => _containers(o).map(c => [`${_name(o)} container ${c.name}`, { context: _context(o), value: String(c.image) }] as const)));
}

function _containers(o: _Manifest): _Manifest[] {
  const pod = o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template?.spec : o.spec?.template?.spec;
  return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])];
}

import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { ConfigurationError, ErrorCode, _fmt } from '../internal/configuration-error';

/**
 * One environment's rendered output, as plain data: its name, what it declares
 * (aspect -> a text equal exactly when two environments declare the same; see
 * `Environment.declared()`), and its manifests.
 */
export interface EnvironmentOutput {
  /** The environment's name. */
  readonly name: string;
  /** The declared value of each aspect. */
  readonly declared: { readonly [aspect: string]: string };
  /** The rendered manifests (plain JSON objects). */
  readonly manifests: readonly unknown[];
}

/** One difference between two environments, at one path of one object. */
export interface ParityDifference {
  /** The JSON path in the object (`spec.template.spec.containers[0].resources.limits.cpu`); '' for the whole object. */
  readonly path: string;
  /** The value in the first environment (undefined when absent). */
  readonly a: unknown;
  /** The value in the second environment (undefined when absent). */
  readonly b: unknown;
  /** The aspects that may explain it, by the table of kind and path patterns. */
  readonly aspects: string[];
  /** Whether one of those aspects has different declared values in the two environments. */
  readonly declared: boolean;
  /**
   * The release track (`canary`, `green`, `variant`, `shadow`) this difference
   * belongs to, when it is part of a service's release: an object of the release
   * (labelled `cdk8s-microservices.io/track`), an object of a service that runs one,
   * or a route to a track's Service. Absent otherwise.
   */
  readonly track?: string;
}

/** The differences of one object. */
export interface ParityObject {
  /** `apiVersion/kind/namespace/name` of the object in the first environment (else the second). */
  readonly key: string;
  /** The differences, by path. */
  readonly differences: ParityDifference[];
}

/** What differs between two environments, object by object. */
export interface ParityReport {
  /** The first environment's name. */
  readonly a: string;
  /** The second environment's name. */
  readonly b: string;
  /** The aspects whose declared values differ. */
  readonly declaredAspects: string[];
  /** The objects that differ, in key order. */
  readonly objects: ParityObject[];
  /** The number of objects compared (those of either environment). */
  readonly compared: number;
  /** The differences no declared aspect explains. */
  readonly undeclared: Array<ParityDifference & { readonly key: string }>;
}

/**
 * Which aspect explains a difference: an object kind (or `*`) and a path pattern
 * (`*` one segment, `**` any number, `[*]` any index), first match wins. An object
 * present in one environment only is matched with the path '', except an object of a
 * release (labelled `cdk8s-microservices.io/track`): its aspect is `release`, which no
 * environment declares, since a release runs in every environment. A name that
 * differs only in its content hash (a hashed ConfigMap, a Job) follows the object
 * it names and is matched separately. A value that differs only in the OpenTelemetry
 * resource attribute `deployment.environment.name=<env>` (a traced workload's
 * `OTEL_RESOURCE_ATTRIBUTES`) has the aspect `environment`: the environments' names,
 * which always differ.
 */
export const PARITY_ASPECTS: ReadonlyArray<{ readonly kind: string; readonly path: string; readonly aspects: readonly string[] }> = [
  { kind: '*', path: '**.containers[*].resources', aspects: ['resources'] },
  { kind: '*', path: '**.initContainers[*].resources', aspects: ['resources'] },
  { kind: 'HorizontalPodAutoscaler', path: '', aspects: ['replicas'] },
  { kind: 'HorizontalPodAutoscaler', path: 'spec.minReplicas', aspects: ['replicas'] },
  { kind: 'HorizontalPodAutoscaler', path: 'spec.maxReplicas', aspects: ['replicas'] },
  { kind: 'Deployment', path: 'spec.replicas', aspects: ['replicas'] },
  { kind: 'StatefulSet', path: 'spec.replicas', aspects: ['replicas'] },
  { kind: 'Deployment', path: 'metadata.annotations.conformance.cdk8s-microservices.io/suppress', aspects: ['replicas'] },
  // an autoscaler's annotations are its linter suppressions, which follow its bounds (a release track at one replica says why)
  { kind: 'HorizontalPodAutoscaler', path: 'metadata.annotations', aspects: ['replicas'] },
  { kind: 'ResourceQuota', path: 'spec.hard', aspects: ['quota', 'replicas', 'resources'] },
  { kind: 'LimitRange', path: 'spec.limits', aspects: ['quota', 'resources'] },
  { kind: 'PriorityClass', path: 'metadata.annotations', aspects: ['kubernetesVersion'] },
  { kind: '*', path: '**.lifecycle', aspects: ['kubernetesVersion'] },
  { kind: '*', path: 'spec.template.spec.initContainers', aspects: ['kubernetesVersion'] },
  { kind: 'Gateway', path: 'metadata.annotations', aspects: ['tlsIssuer', 'allowPlainHttp'] },
  { kind: 'Gateway', path: 'spec.listeners', aspects: ['hosts', 'tlsIssuer', 'allowPlainHttp'] },
  { kind: 'ClientTrafficPolicy', path: 'spec.tls', aspects: ['tlsIssuer', 'allowPlainHttp'] },
  { kind: 'Gateway', path: 'spec.infrastructure', aspects: ['exposure'] },
  { kind: 'HTTPRoute', path: '', aspects: ['tlsIssuer', 'allowPlainHttp', 'hosts'] },
  { kind: 'HTTPRoute', path: 'spec.hostnames', aspects: ['hosts'] },
  { kind: 'GRPCRoute', path: 'spec.hostnames', aspects: ['hosts'] },
  { kind: 'HTTPRoute', path: 'spec.parentRefs', aspects: ['hosts', 'tlsIssuer', 'allowPlainHttp'] },
  { kind: 'GRPCRoute', path: 'spec.parentRefs', aspects: ['hosts', 'tlsIssuer', 'allowPlainHttp'] },
  { kind: 'HTTPRoute', path: 'spec.rules[*].filters[*].cors', aspects: ['hosts'] },
  { kind: 'SecurityPolicy', path: 'spec.cors', aspects: ['hosts'] },
  { kind: 'SecurityPolicy', path: '', aspects: ['exposure'] },
  { kind: 'SecurityPolicy', path: 'spec.authorization', aspects: ['exposure'] },
  { kind: 'EnvoyProxy', path: '', aspects: ['exposure'] },
  { kind: 'EnvoyProxy', path: 'spec.provider', aspects: ['exposure'] },
  { kind: 'ExternalSecret', path: 'spec.secretStoreRef', aspects: ['secretStores'] },
  { kind: 'ExternalSecret', path: '', aspects: ['allowLiteralSecrets'] },
  { kind: 'Secret', path: '', aspects: ['allowLiteralSecrets'] },
  { kind: 'SealedSecret', path: '', aspects: ['allowLiteralSecrets'] },
];

/**
 * The label on every object of a release (lib/workloads/release-track.ts; lib/change
 * reads rendered manifests and imports only lib/internal). Its value is the track:
 * `stable` on `<service>-stable`, else the release's own track.
 */
const TRACK_LABEL = 'cdk8s-microservices.io/track';

/** The route kinds that may send requests to a release's track. */
const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute'];

/**
 * The aspect of a difference that the environments' names alone explain: the OpenTelemetry
 * resource attribute `deployment.environment.name=<env>` that a traced workload carries
 * (lib/observability/workload-tracing.ts). Two environments always differ in it.
 */
const ENVIRONMENT_NAME = 'environment';

/** A content hash at the end of a name: `orders-migrate-0a1b2c3d4e`. */
const HASH = /-[0-9a-f]{10}$/;

/**
 * Compares two environments object by object (by apiVersion, kind, namespace and
 * name; an object whose name differs only in its content hash is paired with its
 * counterpart) and path by path, and classifies each difference by the aspect that
 * explains it (`PARITY_ASPECTS`). A difference is declared when one of its aspects
 * has different declared values in the two environments.
 */
export function parityReport(a: EnvironmentOutput, b: EnvironmentOutput): ParityReport {
  const declaredAspects = [...new Set([...Object.keys(a.declared), ...Object.keys(b.declared)])]
    .filter(aspect => a.declared[aspect] !== b.declared[aspect]);
  const isDeclared = (aspects: readonly string[]) => aspects.some(x => declaredAspects.includes(x) || (x === ENVIRONMENT_NAME && a.name !== b.name));
  const [left, right] = [_index(a.manifests), _index(b.manifests)];
  const releases = _releases([...left.values(), ...right.values()]);
  // pair objects whose names differ only in their hash
  const pairs: Array<[string, _Obj | undefined, _Obj | undefined]> = [];
  const unpairedRight = new Map([...right].filter(([k]) => !left.has(k)));
  for (const [key, obj] of left) {
    if (right.has(key)) {
      pairs.push([key, obj, right.get(key)]);
      continue;
    }
    const twin = HASH.test(obj.name) ? [...unpairedRight].find(([, o]) => o.group === obj.group && HASH.test(o.name)
      && o.name.replace(HASH, '') === obj.name.replace(HASH, '')) : undefined;
    if (twin) {
      unpairedRight.delete(twin[0]);
    }
    pairs.push([key, obj, twin?.[1]]);
  }
  for (const [key, obj] of unpairedRight) {
    pairs.push([key, undefined, obj]);
  }
  pairs.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));

  // first the differences of each pair; hash-only differences wait for the objects they name
  const raw = pairs.map(([key, x, y]) => {
    const kind = (x ?? y)!.kind;
    const diffs = x && y ? _diff(x.json, y.json, '') : [{ path: '', a: x?.json, b: y?.json }];
    return { key, kind, x, y, diffs: diffs.map(d => ({ ...d, hashOnly: _hashOnly(d.a, d.b) })) };
  });
  const explained = new Map<string, { aspects: string[]; declared: boolean }>();
  const objects: ParityObject[] = raw.map(({ key, kind, x, y, diffs }) => {
    const track = _trackOf(x ?? y!, releases) ?? (x && y ? _trackOf(y, releases) : undefined);
    // a release's object in one environment only: no Environment prop declares a release
    const ownTrack = (x ?? y)!.track !== undefined;
    return {
      key,
      differences: diffs.filter(d => !d.hashOnly).map(d => {
        const aspects = d.path === '' && ownTrack ? ['release']
          : _environmentNameOnly(d.a, d.b, a.name, b.name) ? [ENVIRONMENT_NAME] : _aspectsOf(kind, d.path);
        return { path: d.path, a: d.a, b: d.b, aspects, declared: isDeclared(aspects), ...(track !== undefined ? { track } : {}) };
      }),
    };
  });
  raw.forEach(({ x, y }, i) => {
    const own = objects[i].differences;
    if (own.length > 0) {
      const aspects = [...new Set(own.flatMap(d => d.aspects))];
      const value = { aspects, declared: own.every(d => d.declared) };
      for (const o of [x, y]) {
        if (o) explained.set(o.name, value);
      }
    }
  });
  raw.forEach(({ diffs }, i) => {
    for (const d of diffs.filter(diff => diff.hashOnly)) {
      const named = explained.get(String(d.a)) ?? explained.get(String(d.b));
      const aspects = named?.aspects ?? [];
      objects[i].differences.push({ path: d.path, a: d.a, b: d.b, aspects, declared: named?.declared ?? false });
    }
  });
  const differing = objects.filter(o => o.differences.length > 0);
  return {
    a: a.name,
    b: b.name,
    declaredAspects,
    objects: differing,
    compared: pairs.length,
    undeclared: differing.flatMap(o => o.differences.filter(d => !d.declared).map(d => ({ ...d, key: o.key }))),
  };
}

/**
 * The report as text: the aspects the environments declare differently, then each
 * object that differs with its paths, values and aspects; undeclared differences
 * are marked `UNDECLARED`.
 */
export function renderParityReport(report: ParityReport): string {
  const lines = [`parity ${report.a} vs ${report.b}: ${report.compared} objects compared, ${report.objects.length} differ, `
    + `${report.undeclared.length} undeclared difference${report.undeclared.length === 1 ? '' : 's'}`];
  lines.push(`declared differently: ${report.declaredAspects.join(', ') || 'nothing'}`);
  for (const o of report.objects) {
    lines.push(o.key);
    for (const d of o.differences) {
      const why = d.declared ? d.aspects.filter(x => report.declaredAspects.includes(x) || x === ENVIRONMENT_NAME).join(', ')
        : `UNDECLARED (${d.aspects.join(', ') || 'no aspect'}${d.track !== undefined ? `; release track ${d.track}` : ''})`;
      lines.push(`  ${d.path || '(object)'}: ${_short(d.a)} -> ${_short(d.b)}  [${why}]`);
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * Throws a ConfigurationError listing every undeclared difference between any two of
 * the environments (each pair is compared, so that a difference one pair declares
 * cannot hide behind it in another): which object and path, the two values, and how
 * to fix it. Nothing is thrown when every difference is declared.
 */
export function checkParity(outputs: readonly EnvironmentOutput[]): void {
  const releaseNotes: string[] = [];
  const undeclared = outputs.flatMap((a, i) => outputs.slice(i + 1).flatMap(b => {
    const report = parityReport(a, b);
    releaseNotes.push(..._releaseNotes(report, a, b));
    return report.undeclared.map(d => `${report.a} vs ${report.b}: ${d.key} ${d.path || '(object)'}: ${_short(d.a)} vs ${_short(d.b)}`);
  }));
  if (undeclared.length > 0) {
    const release = releaseNotes.length === 0 ? '' : 'and a release is part of the model: it runs in every environment, and each environment reaches a step of it '
      + `when its delivery applies that commit, but here the release differs:\n  ${releaseNotes.join('\n  ')}\n`;
    throw new ConfigurationError({
      path: 'environments',
      prop: 'parity',
      value: `${undeclared.length} undeclared difference${undeclared.length === 1 ? '' : 's'}`,
      expected: 'must each be declared in the environments, since everything else is built identically from the same code:\n  '
        + `${undeclared.join('\n  ')}\n${release}`,
      fix: (release === '' ? '' : 'give the service the same release in every environment (no env.name condition on its release prop, its image or its weights): '
        + 'to hold a step back in an environment, do not deliver that commit there yet; for any other difference, ')
        + 'declare the difference in the Environment (replicas, resources, quota, hosts, tlsIssuer, allowPlainHttp, allowLiteralSecrets, secretStores, kubernetesVersion, exposure), '
        + 'or make the code identical for every environment (no branching on env.name)',
      code: ErrorCode.CONFLICT,
    });
  }
}

/**
 * The manifests of one environment's output directory (every `.yaml` and `.yml`
 * file, recursively, in name order).
 */
export function loadManifests(dir: string): unknown[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ConfigurationError({ path: '', prop: 'dir', value: dir, expected: 'must be a directory of synthesized manifests',
      fix: 'run npm run synth first, or name an environment the platform declares', code: ErrorCode.UNKNOWN_REFERENCE });
  }
  const files: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(entry.name)) files.push(full);
    }
  };
  walk(dir);
  return files.flatMap(f => Yaml.load(f)).filter(doc => doc !== null && doc !== undefined);
}

interface _Obj {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** The service it belongs to (`app.kubernetes.io/name`), if labelled. */
  readonly service?: string;
  /** Its release track label, if it is an object of a release. */
  readonly track?: string;
  /** apiVersion/kind/namespace, for pairing hashed names. */
  readonly group: string;
  readonly json: unknown;
}

function _index(manifests: readonly unknown[]): Map<string, _Obj> {
  const out = new Map<string, _Obj>();
  for (const m of manifests) {
    const o = m as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string; labels?: { [key: string]: string } } };
    const namespace = o.metadata?.namespace ?? '';
    const group = `${o.apiVersion}/${o.kind}/${namespace}`;
    const name = o.metadata?.name ?? '';
    const labels = o.metadata?.labels ?? {};
    out.set(`${group}/${name}`, { kind: o.kind ?? '', name, namespace, group, json: m, service: labels['app.kubernetes.io/name'], track: labels[TRACK_LABEL] });
  }
  return out;
}

/** The releases of two environments' objects. */
interface _Releases {
  /** `<namespace>/<service>` -> the release's track, for every service with a release in either environment. */
  readonly tracks: Map<string, string>;
  /** `<namespace>/<Service name>` -> `<namespace>/<service>`, for every Service of a release. */
  readonly services: Map<string, string>;
}

function _releases(objs: readonly _Obj[]): _Releases {
  const tracks = new Map<string, string>();
  const services = new Map<string, string>();
  for (const o of objs.filter(x => x.track !== undefined && x.service !== undefined)) {
    const owner = `${o.namespace}/${o.service}`;
    if (o.track !== 'stable') tracks.set(owner, o.track!);
    if (o.kind === 'Service') services.set(`${o.namespace}/${o.name}`, owner);
  }
  return { tracks, services };
}

/** The release track an object belongs to: its own, its service's, or that of a track Service a route sends requests to. */
function _trackOf(o: _Obj, releases: _Releases): string | undefined {
  const own = o.service !== undefined ? releases.tracks.get(`${o.namespace}/${o.service}`) : undefined;
  if (own !== undefined || !ROUTE_KINDS.includes(o.kind)) {
    return own;
  }
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      const ref = v as { name?: unknown; namespace?: unknown };
      if (typeof ref.name === 'string') names.add(`${typeof ref.namespace === 'string' ? ref.namespace : o.namespace}/${ref.name}`);
      Object.values(v).forEach(walk);
    }
  };
  walk((o.json as { spec?: { rules?: unknown } }).spec?.rules);
  const owner = [...names].map(n => releases.services.get(n)).find(s => s !== undefined);
  return owner === undefined ? undefined : releases.tracks.get(owner);
}

/** One line per service whose release differs between two environments: which track each runs. */
function _releaseNotes(report: ParityReport, a: EnvironmentOutput, b: EnvironmentOutput): string[] {
  const differing = report.undeclared.filter(d => d.track !== undefined);
  if (differing.length === 0) {
    return [];
  }
  const tracksOf = (output: EnvironmentOutput) => new Map([..._index(output.manifests).values()]
    .filter(o => o.kind === 'Deployment' && o.track !== undefined && o.track !== 'stable' && o.service !== undefined)
    .map(o => [`${o.namespace}/${o.service}`, { track: o.track!, text: `the ${o.track} track (Deployment ${o.namespace}/${o.name})` }]));
  const [ta, tb] = [tracksOf(a), tracksOf(b)];
  // a service whose release runs the same track in both is named when a difference of that track, in its namespace, is undeclared
  const touched = (k: string, track: string) => differing.some(d => d.track === track && d.key.includes(`/${k.split('/')[0]}/`));
  return [...new Set([...ta.keys(), ...tb.keys()])].sort().flatMap(k => {
    const [inA, inB] = [ta.get(k), tb.get(k)];
    if (inA?.text !== inB?.text) {
      return [`${report.a} vs ${report.b}: ${k} runs ${inA?.text ?? 'no release'} in ${report.a}, and ${inB?.text ?? 'no release'} in ${report.b}`];
    }
    return touched(k, inA!.track)
      ? [`${report.a} vs ${report.b}: ${k} runs ${inA!.text} in both, rendered differently (its image, version, scale, weight, matches or mirror)`] : [];
  });
}

function _diff(a: unknown, b: unknown, at: string): Array<{ path: string; a: unknown; b: unknown }> {
  if (JSON.stringify(a) === JSON.stringify(b)) {
    return [];
  }
  const isObj = (v: unknown): v is object => typeof v === 'object' && v !== null;
  // an absent map of labels or annotations is the empty map: compare key by key, so that each is classified on its own
  if (/(^|\.)(labels|annotations)$/.test(at) && (a === undefined || b === undefined) && isObj(a ?? b) && !Array.isArray(a ?? b)) {
    return _diff(a ?? {}, b ?? {}, at);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: Array<{ path: string; a: unknown; b: unknown }> = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      out.push(..._diff(a[i], b[i], `${at}[${i}]`));
    }
    return out;
  }
  if (isObj(a) && isObj(b) && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap(k => _diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], at === '' ? k : `${at}.${k}`));
  }
  return [{ path: at, a, b }];
}

/** Whether two strings differ only in the OpenTelemetry attribute `deployment.environment.name`, holding each environment's name. */
function _environmentNameOnly(a: unknown, b: unknown, nameA: string, nameB: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || nameA === nameB) {
    return false;
  }
  const attribute = (name: string) => new RegExp(`(^|,)deployment\\.environment\\.name=${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=,|$)`, 'g');
  return attribute(nameA).test(a) && a.replace(attribute(nameA), `$1deployment.environment.name=${nameB}`) === b;
}

function _hashOnly(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string' && HASH.test(a) && HASH.test(b) && a.replace(HASH, '') === b.replace(HASH, '');
}

/** The aspects of the first table row whose kind and path pattern match (a pattern matches the path and everything below it). */
function _aspectsOf(kind: string, at: string): string[] {
  const row = PARITY_ASPECTS.find(r => (r.kind === '*' || r.kind === kind) && _matches(r.path, at));
  return row ? [...row.aspects] : [];
}

function _matches(pattern: string, at: string): boolean {
  if (pattern === '') {
    return at === '';
  }
  const esc = pattern.replace(/\*\*\./g, '\u0001').replace(/\[\*\]/g, '\u0002').replace(/\*/g, '\u0003')
    .replace(/[.+?^${}()|[\]\\/]/g, '\\$&')
    .replace(/\u0001/g, '(?:.*\\.)?').replace(/\u0002/g, '\\[\\d+\\]').replace(/\u0003/g, '[^.\\[]+');
  return new RegExp(`^${esc}(?:$|[.\\[])`).test(at);
}

function _short(value: unknown): string {
  if (value === undefined) {
    return '(absent)';
  }
  const text = typeof value === 'object' && value !== null && 'kind' in value && 'metadata' in value
    ? `${(value as { kind: string }).kind} ${(value as { metadata: { name?: string } }).metadata.name}` : _fmt(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

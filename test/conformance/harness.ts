/**
 * Conformance harness (issue 3): the building blocks used by run.ts (dist/) and
 * gates.ts (the broken fixtures). Node built-ins only, plus cdk8s' Yaml.
 *
 *  - tools:    tools/build-tools.sh builds/locates every binary (cache outside the repo)
 *  - cluster:  etcd + kube-apiserver on 127.0.0.1, free ports, a temp dir, openssl certs
 *  - gates:    apply / dry-run / idempotent (need a control plane), kube-linter,
 *              kube-score, polaris (do not)
 *  - findings: one shape for every gate, filtered through per-object suppressions
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { linterGates } from './linters';
import {
  freePorts, makeTemp, openssl, progress, removeTemp, run, startDaemon, stopDaemon,
} from './processes';
import { readSuppressions } from './suppressions';

export { linterGates, makeTemp, progress, removeTemp, run };

export const REPO = path.resolve(__dirname, '..', '..');

// ------------------------------------------------------------------ types

/** A gate is one check the harness runs; its name is what the table shows. */
export type GateName =
  | 'apply' | 'dry-run' | 'idempotent' | 'access' | 'models' | 'kube-linter' | 'kube-score' | 'polaris' | 'suppressions';

export interface ObjectRef { kind: string; namespace?: string; name: string }

export interface Finding {
  gate: GateName;
  /** e.g. "v1.37.2" for cluster gates; empty for linters */
  context: string;
  object?: ObjectRef;
  /** tool's check id, e.g. "container-image-tag"; for the API server "error" or "warning" */
  check: string;
  message: string;
  file?: string;
}

export interface Suppression { tool: string; check: string; reason: string }

export interface HonouredSuppression extends Suppression { object: ObjectRef; context: string; message: string }

export interface GateResult {
  gate: GateName;
  context: string;
  /** tool and version actually used, or why it did not run */
  tool: string;
  objects: number;
  findings: Finding[];
  suppressed: HonouredSuppression[];
  note?: string;
  seconds: number;
}

export interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** index: position in apply order over all files; doc: 1-based document number in its file */
export interface LoadedObject { obj: K8sObject; ref: ObjectRef; file: string; index: number; doc: number }

export interface ToolInfo { name: string; version: string; status: 'ok' | 'failed'; path: string }

export interface Tools {
  /**
   * by name: kube-apiserver-v1.37.2, kubectl-v1.37.2, etcd, kube-score, kube-linter, polaris;
   * for the simulation kube-controller-manager-v1.37.2, kube-scheduler-v1.37.2, kwok
   */
  byName: Map<string, ToolInfo>;
  kubernetesVersions: string[];
  versions: Record<string, string>;
  /** CRD files (from tools/fetch-crds.sh) installed on every local control plane before the gates */
  crds: string[];
}

// ------------------------------------------------------------------ tools

export function readVersionsEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  const text = fs.readFileSync(path.join(REPO, 'tools', 'versions.env'), 'utf8');
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2].replace(/^"(.*)"$/, '$1').trim();
  }
  return out;
}

/**
 * Runs tools/build-tools.sh (which reuses cached binaries) and returns where each tool is;
 * `only` limits it to some of its tool names (`--only`, e.g. etcd,kubernetes,simulation).
 */
export function ensureTools(kubernetesVersions?: string[], only?: string[]): Tools {
  const manifest = path.join(os.tmpdir(), `cdk8s-ms-tools-${process.pid}.tsv`);
  const args = [path.join(REPO, 'tools', 'build-tools.sh'), '--manifest', manifest];
  if (kubernetesVersions && kubernetesVersions.length) args.push('--kubernetes-versions', kubernetesVersions.join(' '));
  if (only && only.length) args.push('--only', only.join(','));
  progress('checking tools (tools/build-tools.sh; a fresh machine builds them here, ~30 min cold) ...');
  // kube-linter and Polaris are built from release archives where the module proxy refuses
  // them: beside a checkout of this workplace they are in ../shared/third_party
  const env = { ...process.env };
  const shared = path.resolve(REPO, '..', 'shared', 'third_party');
  if (!env.CDK8S_MS_TOOL_SOURCES && fs.existsSync(shared)) env.CDK8S_MS_TOOL_SOURCES = shared;
  const r = spawnSync('bash', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
  const byName = new Map<string, ToolInfo>();
  if (fs.existsSync(manifest)) {
    for (const line of fs.readFileSync(manifest, 'utf8').split('\n').filter(Boolean)) {
      const [name, version, status, p] = line.split('\t');
      byName.set(/^kube(-apiserver|-controller-manager|-scheduler|ctl)$/.test(name) ? `${name}-${version}` : name,
        { name, version, status: status as ToolInfo['status'], path: p });
    }
    fs.rmSync(manifest, { force: true });
  }
  if (r.status !== 0) {
    throw new Error(`tools/build-tools.sh exited ${r.status}: a required tool could not be built; read its messages above`);
  }
  const versions = readVersionsEnv();
  // The operator CRDs the library renders objects for (ExternalSecret, SealedSecret, ...):
  // a cluster has them before dist/ is applied, so the local control plane gets them first.
  let crds: string[] = [];
  const fetchCrds = path.join(REPO, 'tools', 'fetch-crds.sh');
  if (fs.existsSync(fetchCrds)) {
    const c = spawnSync('bash', [fetchCrds], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (c.status !== 0) throw new Error(`tools/fetch-crds.sh exited ${c.status}; read its messages above`);
    crds = c.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  }
  return { byName, versions, crds, kubernetesVersions: (versions.KUBERNETES_VERSIONS ?? '').split(/\s+/).filter(Boolean) };
}

/** Where a tool that tools/build-tools.sh built is; it exits non-zero when one cannot be built. */
export function toolPath(tools: Tools, name: string): string {
  const t = tools.byName.get(name);
  if (!t || t.status !== 'ok') throw new Error(`${name} was not built (${t?.path ?? 'not in the manifest of tools/build-tools.sh'}); run tools/build-tools.sh and read its messages`);
  return t.path;
}

// ------------------------------------------------------------------ loading manifests

/** All .yaml/.yml/.json files under dir, in the order `kubectl apply -R -f dir` visits them. */
export function manifestFiles(dir: string): string[] {
  const st = fs.statSync(dir);
  if (st.isFile()) return [dir];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...manifestFiles(p));
    else if (/\.(ya?ml|json)$/.test(e.name)) out.push(p);
  }
  return out;
}

export function loadObjects(files: string[]): LoadedObject[] {
  const out: LoadedObject[] = [];
  for (const file of files) {
    const docs = Yaml.load(file) as unknown[];
    for (const [i, d] of docs.entries()) {
      if (!d || typeof d !== 'object') continue;
      const obj = d as K8sObject;
      out.push({
        obj, file, index: out.length, doc: i + 1,
        ref: { kind: String(obj.kind ?? '?'), namespace: obj.metadata?.namespace, name: String(obj.metadata?.name ?? '?') },
      });
    }
  }
  return out;
}

export function refString(r?: ObjectRef): string {
  if (!r) return '(no object)';
  return r.namespace ? `${r.kind}/${r.namespace}/${r.name}` : `${r.kind}/${r.name}`;
}

export function sameRef(a: ObjectRef, b: ObjectRef): boolean {
  return a.kind.toLowerCase() === b.kind.toLowerCase() && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');
}

export function rel(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
}

// ------------------------------------------------------------------ control plane

export interface ControlPlane {
  version: string;
  kubeconfig: string;
  kubectl: string;
  external: boolean;
  /** facts about this control plane the report shows (e.g. how CRDs were installed) */
  notes: string[];
  /**
   * A local control plane's directory: ca.crt, admin.crt/admin.key (system:masters),
   * sa.key/sa.pub (service-account signing); removed by stop(). The simulation starts
   * its other components with these.
   */
  dir?: string;
  /** https://127.0.0.1:PORT of a local control plane */
  server?: string;
  stop(): Promise<void>;
}

/** The cluster in $KUBECONFIG, used as it is; the harness starts and stops nothing. */
export function externalControlPlane(kubeconfig: string, kubectl: string): ControlPlane {
  return { version: `KUBECONFIG=${kubeconfig}`, kubeconfig, kubectl, external: true, notes: [], stop: async () => undefined };
}

export async function startControlPlane(tools: Tools, version: string): Promise<ControlPlane> {
  const apiserver = toolPath(tools, `kube-apiserver-v${version}`);
  const kubectl = toolPath(tools, `kubectl-v${version}`);
  const etcd = toolPath(tools, 'etcd');
  if (!apiserver || !kubectl || !etcd) throw new Error(`kube-apiserver/kubectl v${version} or etcd missing; run tools/build-tools.sh`);
  const dir = makeTemp(`cdk8s-ms-conformance-${version}-`);
  const started = Date.now();
  progress(`v${version}: starting etcd and kube-apiserver in ${dir}`);

  // certificates: a CA, a serving cert for 127.0.0.1/localhost, an admin client cert, SA keys
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=conformance-ca']);
  const sign = (name: string, subj: string, ext: string): void => {
    openssl(dir, ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj]);
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
  };
  sign('apiserver', '/CN=kube-apiserver',
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n'
    + 'extendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n');
  sign('admin', '/O=system:masters/CN=conformance-admin', 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n');
  openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'sa.key']);
  openssl(dir, ['ec', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);

  const [etcdClient, etcdPeer, securePort] = await freePorts(3);
  const etcdProc = startDaemon(etcd, [
    '--name', 'conformance', '--data-dir', path.join(dir, 'etcd'),
    '--listen-client-urls', `http://127.0.0.1:${etcdClient}`, '--advertise-client-urls', `http://127.0.0.1:${etcdClient}`,
    '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeer}`,
    '--initial-cluster', `conformance=http://127.0.0.1:${etcdPeer}`, '--initial-cluster-state', 'new',
    '--unsafe-no-fsync', '--log-level', 'warn',
  ], path.join(dir, 'etcd.log'));
  const apiProc = startDaemon(apiserver, [
    `--etcd-servers=http://127.0.0.1:${etcdClient}`,
    '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${securePort}`,
    `--tls-cert-file=${dir}/apiserver.crt`, `--tls-private-key-file=${dir}/apiserver.key`,
    `--client-ca-file=${dir}/ca.crt`, `--cert-dir=${dir}/generated`,
    '--authorization-mode=Node,RBAC', '--allow-privileged=true',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${dir}/sa.pub`, `--service-account-signing-key-file=${dir}/sa.key`,
    '--service-cluster-ip-range=10.96.0.0/16', '--profiling=false', '--v=1',
    // the 'kubernetes' Service endpoints may not point at loopback; no pod needs them here
    '--endpoint-reconciler-type=none',
  ], path.join(dir, 'apiserver.log'));

  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: conformance',
    'clusters:', '- name: conformance', '  cluster:', `    server: https://127.0.0.1:${securePort}`, `    certificate-authority: ${dir}/ca.crt`,
    'users:', '- name: admin', '  user:', `    client-certificate: ${dir}/admin.crt`, `    client-key: ${dir}/admin.key`,
    'contexts:', '- name: conformance', '  context:', '    cluster: conformance', '    user: admin', '',
  ].join('\n'));

  const plane: ControlPlane = {
    version: `v${version}`, kubeconfig, kubectl, external: false, notes: [], dir, server: `https://127.0.0.1:${securePort}`,
    stop: async () => {
      await stopDaemon(apiProc);
      await stopDaemon(etcdProc);
      removeTemp(dir);
      progress(`v${version}: control plane stopped, ${dir} removed`);
    },
  };

  // wait for /readyz (every check, including the RBAC bootstrap roles)
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (apiProc.exitCode !== null || etcdProc.exitCode !== null) {
      const tail = (f: string): string => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').slice(-25).join('\n');
      const msg = `v${version}: ${apiProc.exitCode !== null ? 'kube-apiserver' : 'etcd'} exited early\n--- etcd.log\n${tail('etcd.log')}\n--- apiserver.log\n${tail('apiserver.log')}`;
      await plane.stop();
      throw new Error(msg);
    }
    const r = await run(kubectl, ['--kubeconfig', kubeconfig, 'get', '--raw', '/readyz'], { timeoutMs: 10_000 });
    if (r.code === 0 && r.out.trim() === 'ok') break;
    if (Date.now() > deadline) {
      await plane.stop();
      throw new Error(`v${version}: kube-apiserver not ready after 120s: ${r.out.slice(-2000)}`);
    }
    await new Promise((res) => setTimeout(res, 500));
  }
  progress(`v${version}: control plane ready in ${((Date.now() - started) / 1000).toFixed(1)}s (https://127.0.0.1:${securePort})`);
  if (tools.crds.length) {
    // prerequisites, not part of what is checked: their output is shown, never a finding
    const kc = ['--kubeconfig', kubeconfig];
    const files = tools.crds.flatMap((f) => ['-f', f]);
    let a = await run(kubectl, [...kc, 'apply', '--server-side', ...files]);
    if (a.code !== 0) {
      // An older API server may not know a field of a newer CRD (external-secrets' CRDs use
      // spec.versions[].selectableFields, Kubernetes 1.30+). Install what this server
      // understands, dropping the rest, and say so: these are prerequisites, not dist/.
      const unknown = [...new Set([...a.out.matchAll(/\.(spec[^:]*): field not declared in schema/g)].map((m) => m[1]))];
      // (not a client-side apply: these CRDs are too big for its last-applied annotation)
      a = await run(kubectl, [...kc, 'create', '--validate=false', ...files]);
      if (a.code !== 0 && a.out.split('\n').filter((l) => /^Error/.test(l)).every((l) => /AlreadyExists|already exists/.test(l))) a.code = 0;
      plane.notes.push(`CRDs of tools/fetch-crds.sh installed with --validate=false on ${plane.version}: this API server drops ${unknown.join(', ') || 'fields it does not know'}`);
    }
    // a CRD created a moment ago may have no status yet ("accessor error"): ask again
    let w = a;
    for (let i = 0; a.code === 0 && i < 20; i++) {
      w = await run(kubectl, [...kc, 'wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
      if (w.code === 0) break;
      await new Promise((res) => setTimeout(res, 500));
    }
    if (a.code !== 0 || w.code !== 0) {
      await plane.stop();
      throw new Error(`v${version}: installing the CRDs of tools/fetch-crds.sh failed:\n${a.out}\n${w.out}`);
    }
    progress(`v${version}: installed ${tools.crds.length} CRDs (tools/fetch-crds.sh): ${tools.crds.map((f) => path.basename(f, '.yaml')).join(', ')}`);
  }
  return plane;
}

// ------------------------------------------------------------------ cluster gates

/**
 * Writes each document of `objects` to its own file, numbered in apply order, so
 * that `kubectl apply -R -f <that dir>` is the same single pass as `-R -f dist/`
 * and every kubectl message names the object it is about.
 */
export function splitForKubectl(objects: LoadedObject[]): { dir: string; fileToObject: Map<string, LoadedObject> } {
  const dir = makeTemp('cdk8s-ms-conformance-split-');
  const fileToObject = new Map<string, LoadedObject>();
  for (const o of objects) {
    const safe = `${o.ref.kind}.${o.ref.namespace ?? '_'}.${o.ref.name}`.replace(/[^A-Za-z0-9._-]/g, '_');
    const file = path.join(dir, `${String(o.index).padStart(4, '0')}-${safe}.json`);
    fs.writeFileSync(file, JSON.stringify(o.obj, null, 1));
    fileToObject.set(file, o);
  }
  return { dir, fileToObject };
}

/** kubectl prints `<resource>[.<group>]/<name> <verb>` per object, e.g. "deployment.apps/web serverside-applied". */
const APPLIED_LINE = /^([a-z0-9.-]+)\/(\S+) (serverside-applied|created|configured|unchanged)( \(server dry run\))?$/;

function kubectlFindings(gate: GateName, context: string, out: string, objects: LoadedObject[], fileToObject: Map<string, LoadedObject>): Finding[] {
  const findings: Finding[] = [];
  let cursor = 0; // index of the next object kubectl will print a line for
  let pendingWarnings: string[] = [];
  const objectForFile = (line: string): LoadedObject | undefined => {
    for (const [file, o] of fileToObject) if (line.includes(path.basename(file))) return o;
    return undefined;
  };
  for (const raw of out.split('\n')) {
    const line = raw.trimEnd();
    if (!line) continue;
    const m = APPLIED_LINE.exec(line);
    if (m) {
      // the object this line is about: the next one in order whose name matches
      const resource = m[1].split('.')[0];
      let i = cursor;
      while (i < objects.length && !(objects[i].ref.name === m[2] && resource === objects[i].ref.kind.toLowerCase())) i++;
      const o = i < objects.length ? objects[i] : undefined;
      if (o) cursor = i + 1;
      for (const w of pendingWarnings) {
        findings.push({ gate, context, object: o?.ref, check: 'warning', message: w, file: o && rel(o.file) });
      }
      pendingWarnings = [];
      continue;
    }
    if (/^Warning:/.test(line)) { pendingWarnings.push(line.replace(/^Warning:\s*/, '')); continue; }
    const o = objectForFile(line);
    if (o || /^(Error|error)\b/.test(line) || /^The .* is invalid/.test(line)) {
      const message = line.replace(/"?\/[^"\s]*cdk8s-ms-conformance-split-[^"\s]*"?/g, 'it');
      findings.push({ gate, context, object: o?.ref, check: 'error', message, file: o && rel(o.file) });
      continue;
    }
    // continuation lines of a multi-line error belong to the previous finding
    const last = findings[findings.length - 1];
    if (last && last.check === 'error') last.message += ` ${line.trim()}`;
  }
  for (const w of pendingWarnings) findings.push({ gate, context, check: 'warning', message: w });
  return findings;
}

/**
 * The same object emitted twice: the last write wins, so the output depends on apply
 * order and a second apply of the first document changes it. kubectl diff cannot see
 * this (it keys its LIVE/MERGED files by object name), so the harness reports it.
 */
function duplicates(objects: LoadedObject[], context: string): Finding[] {
  const seen = new Map<string, LoadedObject[]>();
  for (const o of objects) {
    const key = `${o.obj.apiVersion?.split('/').length === 2 ? o.obj.apiVersion.split('/')[0] : ''}/${refString(o.ref)}`;
    seen.set(key, [...(seen.get(key) ?? []), o]);
  }
  return [...seen.values()].filter((l) => l.length > 1).map((l) => ({
    gate: 'idempotent' as GateName, context, object: l[0].ref, check: 'duplicate-object', file: rel(l[0].file),
    message: `emitted ${l.length} times (${l.map((o) => `${rel(o.file)} document ${o.doc}`).join(', ')}); the last write wins`,
  }));
}

export async function clusterGates(plane: ControlPlane, objects: LoadedObject[], label: string): Promise<GateResult[]> {
  const results: GateResult[] = [];
  const ctx = plane.version;
  const kc = ['--kubeconfig', plane.kubeconfig];
  const fm = '--field-manager=cdk8s-microservices-conformance';
  const { dir, fileToObject } = splitForKubectl(objects);
  const tool = `kubectl ${plane.version}`;
  try {
    // 1. the real apply, in one pass, on the empty control plane: errors and warnings are findings
    progress(`${ctx}: kubectl apply --server-side --validate=strict -R (${objects.length} objects of ${label}, one pass)`);
    let r = await run(plane.kubectl, [...kc, 'apply', '--server-side', fm, '--validate=strict', '-R', '-f', dir]);
    let f = kubectlFindings('apply', ctx, r.out, objects, fileToObject);
    if (r.code !== 0 && !f.some((x) => x.check === 'error')) f.push({ gate: 'apply', context: ctx, check: 'error', message: `kubectl exited ${r.code}: ${r.out.slice(-500)}` });
    results.push({ gate: 'apply', context: ctx, tool, objects: objects.length, findings: f, suppressed: [], seconds: r.seconds,
      ...(plane.notes.length ? { note: plane.notes.join('; ') } : {}) });

    // 2. dry-run with strict field validation, now that the namespaces exist (see README: why after the apply)
    progress(`${ctx}: kubectl apply --server-side --dry-run=server --validate=strict`);
    r = await run(plane.kubectl, [...kc, 'apply', '--server-side', fm, '--dry-run=server', '--validate=strict', '-R', '-f', dir]);
    f = kubectlFindings('dry-run', ctx, r.out, objects, fileToObject);
    if (r.code !== 0 && !f.some((x) => x.check === 'error')) f.push({ gate: 'dry-run', context: ctx, check: 'error', message: `kubectl exited ${r.code}: ${r.out.slice(-500)}` });
    results.push({ gate: 'dry-run', context: ctx, tool, objects: objects.length, findings: f, suppressed: [], seconds: r.seconds });

    // 3. idempotent: a server-side diff against what was just applied shows nothing
    progress(`${ctx}: kubectl diff --server-side (idempotency)`);
    r = await run(plane.kubectl, [...kc, 'diff', '--server-side', fm, '-R', '-f', dir],
      { env: { ...process.env, KUBECTL_EXTERNAL_DIFF: 'diff -u -N' } });
    f = duplicates(objects, ctx);
    if (r.code === 1) {
      // headers look like: diff -u -N /tmp/LIVE-123/apps.v1.Deployment.ns.name /tmp/MERGED-456/apps.v1.Deployment.ns.name
      const chunks = r.out.split(/^diff -u -N /m).slice(1);
      for (const c of chunks) {
        const header = c.split('\n')[0];
        const base = path.basename(header.split(' ')[0] ?? '');
        const parts = base.split('.');
        const name = parts.pop() ?? '?';
        const ns = parts.pop() ?? '';
        const kind = parts.pop() ?? '?';
        const changed = c.split('\n').filter((l) => /^[-+][^-+]/.test(l) && !/^[-+]\s*generation:/.test(l)).slice(0, 10).map((l) => l.trim()).join(' | ');
        f.push({ gate: 'idempotent', context: ctx, object: { kind, namespace: ns || undefined, name }, check: 'diff', message: `a second apply would change it: ${changed}` });
      }
      if (!f.length) f.push({ gate: 'idempotent', context: ctx, check: 'diff', message: r.out.slice(0, 1000) });
    } else if (r.code !== 0) {
      f.push(...kubectlFindings('idempotent', ctx, r.out, objects, fileToObject));
      if (!f.length) f.push({ gate: 'idempotent', context: ctx, check: 'error', message: `kubectl diff exited ${r.code}: ${r.out.slice(-500)}` });
    }
    results.push({ gate: 'idempotent', context: ctx, tool, objects: objects.length, findings: f, suppressed: [], seconds: r.seconds });
  } finally {
    removeTemp(dir);
  }
  return results;
}

/** Adds the 'suppressions' gate: our reasons and the tools' own annotations agree. */
export function finalize(results: GateResult[], objects: LoadedObject[]): GateResult[] {
  const { findings } = readSuppressions(objects);
  return [...results, { gate: 'suppressions', context: '', tool: 'harness', objects: objects.length, findings, suppressed: [], seconds: 0 }];
}

// ------------------------------------------------------------------ report

const HINTS: Record<GateName, string> = {
  'apply': 'the API server rejected or warned about this object: fix the construct that emits it (a Pod Security warning means the pod template breaks the namespace\'s level)',
  'dry-run': 'the API server rejects this object with strict field validation: fix the field named in the message in the construct that emits it',
  'idempotent': 'applying dist/ twice changes this object: two constructs emit it, or a field is not stable between syntheses',
  'models': 'a generated platform the library accepted was rejected by the API server: make the library refuse that input at synth with a clear error (test/model/), or render what the server accepts',
  'access': 'the API server\'s authorizer answered differently from the access matrix (access-matrix.ts): fix the grant, or the matrix if the change is intended',
  'kube-linter': 'see the kube-linter check of that name (`kube-linter checks list`); fix the construct, or suppress on the object with _suppress() and a reason (test/conformance/README.md)',
  'kube-score': 'see the kube-score check of that id; fix the construct, or suppress on the object with _suppress() and a reason (test/conformance/README.md)',
  'polaris': 'see the Polaris check of that id (pkg/config/checks/<id>.yaml in its source); fix the construct, or suppress on the object with _suppress() and a reason (test/conformance/README.md)',
  'suppressions': 'a tool\'s own ignore annotation and our reason annotation go together: lib/internal/suppressions.ts writes both (test/conformance/README.md)',
};

export function printReport(title: string, results: GateResult[], env?: string): number {
  const out: string[] = [];
  // with an environment (dist/<env>/), every row names it first
  const row = (c: string[]): string => `${env === undefined ? '' : (c === HEAD ? 'env' : env).padEnd(9) + ' '}${c[0].padEnd(13)} ${c[1].padEnd(10)} ${c[2].padEnd(26)} ${c[3].padStart(7)} ${c[4].padStart(8)} ${c[5].padStart(10)} ${c[6].padStart(7)}  ${c[7]}`;
  const HEAD = ['gate', 'k8s', 'tool', 'objects', 'findings', 'suppressed', 'seconds', 'result'];
  out.push('', `== conformance: ${title}`, row(HEAD));
  let total = 0;
  for (const r of results) {
    total += r.findings.length;
    out.push(row([r.gate, r.context || '-', r.tool, String(r.objects), String(r.findings.length), String(r.suppressed.length),
      r.seconds.toFixed(1), r.findings.length ? 'FAIL' : 'pass']));
  }
  const notes = results.filter((r) => r.note);
  if (notes.length) { out.push('', 'notes:'); for (const r of notes) out.push(`  - ${r.gate}: ${r.note}`); }
  const sup = results.flatMap((r) => r.suppressed.map((s) => ({ r, s })));
  if (sup.length) {
    out.push('', `suppressions honoured (${sup.length}):`);
    for (const { r, s } of sup) out.push(`  - [${r.gate}${r.context ? ` ${r.context}` : ''}] ${refString(s.object)} ${s.check}: ${s.reason}`);
  }
  if (total) {
    out.push('', `findings (${total}):`);
    for (const r of results) {
      if (!r.findings.length) continue;
      out.push(`  ${r.gate}${r.context ? ` ${r.context}` : ''} -- hint: ${HINTS[r.gate]}`);
      for (const f of r.findings) out.push(`    - ${refString(f.object)} [${f.check}] ${f.message}${f.file ? `  (${f.file})` : ''}`);
    }
  }
  out.push('', total ? `conformance: FAILED with ${total} finding(s)` : 'conformance: no findings');
  process.stdout.write(out.join('\n') + '\n');
  return total;
}

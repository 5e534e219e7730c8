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
import { spawn, spawnSync, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { standInKubeLinter, STAND_IN_CHECKS } from './rules';

export const REPO = path.resolve(__dirname, '..', '..');
export const SUPPRESS_ANNOTATION = 'conformance.cdk8s-microservices.io/suppress';

// ------------------------------------------------------------------ types

/** A gate is one check the harness runs; its name is what the table shows. */
export type GateName =
  | 'apply' | 'dry-run' | 'idempotent' | 'access' | 'kube-linter' | 'kube-score' | 'polaris' | 'suppressions';

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
  /** false when the tool could not be had: the table says NOT RUN */
  ran: boolean;
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

export interface ToolInfo { name: string; version: string; status: 'ok' | 'unavailable' | 'failed'; path: string }

export interface Tools {
  /** by name: kube-apiserver-v1.37.2, kubectl-v1.37.2, etcd, kube-score, kube-linter, polaris */
  byName: Map<string, ToolInfo>;
  kubernetesVersions: string[];
  versions: Record<string, string>;
  /** CRD files (from tools/fetch-crds.sh) installed on every local control plane before the gates */
  crds: string[];
}

// ------------------------------------------------------------------ logging

const t0 = Date.now();
export function progress(msg: string): void {
  const s = ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[conformance ${s}s] ${msg}\n`);
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

/** Runs tools/build-tools.sh (which reuses cached binaries) and returns where each tool is. */
export function ensureTools(kubernetesVersions?: string[]): Tools {
  const manifest = path.join(os.tmpdir(), `cdk8s-ms-tools-${process.pid}.tsv`);
  const args = [path.join(REPO, 'tools', 'build-tools.sh'), '--manifest', manifest];
  if (kubernetesVersions && kubernetesVersions.length) args.push('--kubernetes-versions', kubernetesVersions.join(' '));
  progress('checking tools (tools/build-tools.sh; a fresh machine builds them here, ~30 min cold) ...');
  const r = spawnSync('bash', args, { stdio: ['ignore', 'inherit', 'inherit'] });
  const byName = new Map<string, ToolInfo>();
  if (fs.existsSync(manifest)) {
    for (const line of fs.readFileSync(manifest, 'utf8').split('\n').filter(Boolean)) {
      const [name, version, status, p] = line.split('\t');
      byName.set(name === 'kube-apiserver' || name === 'kubectl' ? `${name}-${version}` : name,
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

function toolPath(tools: Tools, name: string): string | undefined {
  const t = tools.byName.get(name);
  return t && t.status === 'ok' ? t.path : undefined;
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

function sameRef(a: ObjectRef, b: ObjectRef): boolean {
  return a.kind.toLowerCase() === b.kind.toLowerCase() && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');
}

// ------------------------------------------------------------------ suppressions

/**
 * Reads the suppression annotation of every object. Malformed annotations, ones
 * without a reason, and the tools' own ignore annotations (which hide a finding
 * without a written reason) are findings of the gate 'suppressions'.
 */
export function readSuppressions(objects: LoadedObject[]): { byObject: Map<LoadedObject, Suppression[]>; findings: Finding[] } {
  const byObject = new Map<LoadedObject, Suppression[]>();
  const findings: Finding[] = [];
  const bad = (o: LoadedObject, check: string, message: string): void => {
    findings.push({ gate: 'suppressions', context: '', object: o.ref, check, message, file: rel(o.file) });
  };
  for (const o of objects) {
    const ann = o.obj.metadata?.annotations ?? {};
    for (const key of Object.keys(ann)) {
      if (key === 'kube-score/ignore' || key.startsWith('ignore-check.kube-linter.io/') || key === 'kube-linter.io/ignore-all'
        || (key.startsWith('polaris.fairwinds.com/') && key.endsWith('-exempt'))) {
        bad(o, 'native-suppression', `annotation '${key}' hides a finding without a written reason; use '${SUPPRESS_ANNOTATION}' (test/conformance/README.md)`);
      }
    }
    const raw = ann[SUPPRESS_ANNOTATION];
    if (raw === undefined) continue;
    let parsed: unknown;
    try { parsed = JSON.parse(raw); } catch (e) {
      bad(o, 'malformed-suppression', `'${SUPPRESS_ANNOTATION}' is not JSON: ${(e as Error).message}`);
      continue;
    }
    if (!Array.isArray(parsed)) { bad(o, 'malformed-suppression', `'${SUPPRESS_ANNOTATION}' must be a JSON array of {tool, check, reason}`); continue; }
    const list: Suppression[] = [];
    for (const item of parsed as unknown[]) {
      const s = (item ?? {}) as Record<string, unknown>;
      const tool = typeof s.tool === 'string' ? s.tool : '';
      const check = typeof s.check === 'string' ? s.check : '';
      const reason = typeof s.reason === 'string' ? s.reason.trim() : '';
      if (!['kube-linter', 'kube-score', 'polaris', 'apply', 'dry-run', 'idempotent'].includes(tool) || !check) {
        bad(o, 'malformed-suppression', `entry ${JSON.stringify(item)} needs "tool" (kube-linter, kube-score or polaris) and "check"`);
      } else if (reason.length < 10) {
        bad(o, 'suppression-without-reason', `suppression of ${tool}/${check} needs a written "reason" (at least a sentence)`);
      } else {
        list.push({ tool, check, reason });
      }
    }
    byObject.set(o, list);
  }
  return { byObject, findings };
}

/** Splits findings into kept and suppressed (with the reason), per object. */
export function applySuppressions(findings: Finding[], objects: LoadedObject[], sup: Map<LoadedObject, Suppression[]>):
  { kept: Finding[]; suppressed: HonouredSuppression[] } {
  const kept: Finding[] = [];
  const suppressed: HonouredSuppression[] = [];
  for (const f of findings) {
    const obj = f.object && objects.find((o) => sameRef(o.ref, f.object!));
    const s = obj && (sup.get(obj) ?? []).find((x) => x.tool === f.gate && x.check === f.check);
    if (s && obj) suppressed.push({ ...s, object: obj.ref, context: f.context, message: f.message });
    else kept.push(f);
  }
  return { kept, suppressed };
}

export function rel(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
}

// ------------------------------------------------------------------ processes

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try { process.kill(-child.pid, signal); } catch { /* already gone */ }
}

/** Last-resort cleanup, synchronous: used on process exit. */
function cleanupSync(): void {
  for (const c of children) killGroup(c, 'SIGKILL');
  for (const d of tempDirs) { try { fs.rmSync(d, { recursive: true, force: true }); } catch { /* ignore */ } }
}
let handlersInstalled = false;
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanupSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as NodeJS.Signals[]) {
    process.on(sig, () => {
      progress(`${sig}: stopping everything the harness started`);
      cleanupSync();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Starts a long-running process in its own process group, logging to a file. */
function startDaemon(cmd: string, args: string[], logFile: string): ChildProcess {
  installExitHandlers();
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

async function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((res) => child.once('exit', () => res()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = net.createServer();
    await new Promise<void>((res, rej) => { s.once('error', rej); s.listen(0, '127.0.0.1', () => res()); });
    servers.push(s);
    ports.push((s.address() as net.AddressInfo).port);
  }
  await Promise.all(servers.map((s) => new Promise<void>((res) => s.close(() => res()))));
  return ports;
}

interface RunResult { code: number; out: string; seconds: number }

/** Runs a command to completion; stdout and stderr go to ONE pipe so their order is kept. */
export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', '"$0" "$@" 2>&1', cmd, ...args],
      { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, out, seconds: (Date.now() - start) / 1000 });
    });
  });
}

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

// ------------------------------------------------------------------ control plane

export interface ControlPlane {
  version: string;
  kubeconfig: string;
  kubectl: string;
  external: boolean;
  /** facts about this control plane the report shows (e.g. how CRDs were installed) */
  notes: string[];
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
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk8s-ms-conformance-${version}-`));
  tempDirs.add(dir);
  installExitHandlers();
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
    version: `v${version}`, kubeconfig, kubectl, external: false, notes: [],
    stop: async () => {
      await stopDaemon(apiProc);
      await stopDaemon(etcdProc);
      fs.rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
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
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ms-conformance-split-'));
  tempDirs.add(dir);
  const fileToObject = new Map<string, LoadedObject>();
  for (const o of objects) {
    const safe = `${o.ref.kind}.${o.ref.namespace ?? '_'}.${o.ref.name}`.replace(/[^A-Za-z0-9._-]/g, '_');
    const file = path.join(dir, `${String(o.index).padStart(4, '0')}-${safe}.json`);
    fs.writeFileSync(file, JSON.stringify(o.obj, null, 1));
    fileToObject.set(file, o);
  }
  return { dir, fileToObject };
}

export function removeTemp(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
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
    results.push({ gate: 'apply', context: ctx, tool, objects: objects.length, findings: f, suppressed: [], ran: true, seconds: r.seconds,
      ...(plane.notes.length ? { note: plane.notes.join('; ') } : {}) });

    // 2. dry-run with strict field validation, now that the namespaces exist (see README: why after the apply)
    progress(`${ctx}: kubectl apply --server-side --dry-run=server --validate=strict`);
    r = await run(plane.kubectl, [...kc, 'apply', '--server-side', fm, '--dry-run=server', '--validate=strict', '-R', '-f', dir]);
    f = kubectlFindings('dry-run', ctx, r.out, objects, fileToObject);
    if (r.code !== 0 && !f.some((x) => x.check === 'error')) f.push({ gate: 'dry-run', context: ctx, check: 'error', message: `kubectl exited ${r.code}: ${r.out.slice(-500)}` });
    results.push({ gate: 'dry-run', context: ctx, tool, objects: objects.length, findings: f, suppressed: [], ran: true, seconds: r.seconds });

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
    results.push({ gate: 'idempotent', context: ctx, tool, objects: objects.length, findings: f, suppressed: [], ran: true, seconds: r.seconds });
  } finally {
    removeTemp(dir);
  }
  return results;
}

// ------------------------------------------------------------------ linters

const KUBE_LINTER_EXTRA = ['no-liveness-probe', 'no-readiness-probe', 'default-service-account', 'non-isolated-pod',
  'wildcard-in-rules', 'cluster-admin-role-binding', 'access-to-create-pods', 'exposed-services', 'priority-class-name'];

function findObject(objects: LoadedObject[], ref: ObjectRef): LoadedObject | undefined {
  return objects.find((o) => sameRef(o.ref, ref));
}

export async function kubeScore(tools: Tools, files: string[], objects: LoadedObject[]): Promise<GateResult> {
  const bin = toolPath(tools, 'kube-score');
  const version = tools.versions.KUBE_SCORE_VERSION;
  if (!bin) return notRun('kube-score', `kube-score ${version} unavailable: ${tools.byName.get('kube-score')?.path ?? 'not built'}`);
  progress(`kube-score score (${files.length} files)`);
  // --disable-ignore-checks-annotations: a 'kube-score/ignore' annotation must not hide a finding (no reason is given)
  // --kubernetes-version: judge deprecated apiVersions against the newest tested release
  const k8s = `v${(tools.kubernetesVersions[0] ?? '1.37').split('.').slice(0, 2).join('.')}`;
  const r = await run(bin, ['score', '--output-format', 'json', '--disable-ignore-checks-annotations', '--kubernetes-version', k8s, ...files]);
  const findings: Finding[] = [];
  let parsed: unknown;
  // kube-score prints `null` when nothing in the files is a kind it scores (e.g. only RBAC)
  try { parsed = r.out.trim() === 'null' ? [] : JSON.parse(r.out.slice(r.out.indexOf('['))); } catch {
    return { gate: 'kube-score', context: '', tool: `kube-score ${version}`, objects: 0, ran: true, suppressed: [], seconds: r.seconds,
      findings: [{ gate: 'kube-score', context: '', check: 'error', message: `kube-score failed (exit ${r.code}): ${r.out.slice(-1500)}` }] };
  }
  const scored = parsed as Array<{
    object_name?: string; file_name?: string;
    type_meta?: { kind?: string }; object_meta?: { name?: string; namespace?: string };
    checks?: Array<{ check: { id: string; name: string }; grade: number; skipped: boolean; comments?: Array<{ path?: string; summary?: string; description?: string }> }>;
  }>;
  for (const s of scored) {
    const ref: ObjectRef = { kind: s.type_meta?.kind ?? '?', namespace: s.object_meta?.namespace || undefined, name: s.object_meta?.name ?? s.object_name ?? '?' };
    const o = findObject(objects, ref);
    for (const c of s.checks ?? []) {
      if (c.skipped) continue;
      // kube-score grades: 1 critical, 5 warning, 7 almost ok, 10 ok
      if (c.grade > 5) continue;
      const level = c.grade <= 1 ? 'CRITICAL' : 'WARNING';
      const comments = (c.comments ?? []).map((x) => `${x.path ? `${x.path}: ` : ''}${x.summary ?? ''}${x.description ? ` (${x.description})` : ''}`);
      findings.push({ gate: 'kube-score', context: '', object: ref, check: c.check.id, file: o ? rel(o.file) : s.file_name,
        message: `${level} ${c.check.name}${comments.length ? `: ${comments.join('; ')}` : ''}` });
    }
  }
  return { gate: 'kube-score', context: '', tool: `kube-score ${version}`, objects: scored.length, findings, suppressed: [], ran: true, seconds: r.seconds };
}

export async function kubeLinter(tools: Tools, files: string[], objects: LoadedObject[]): Promise<GateResult> {
  const bin = toolPath(tools, 'kube-linter');
  const version = tools.versions.KUBE_LINTER_VERSION;
  if (!bin) {
    // kube-linter itself could not be built here: run the harness's own implementation of
    // the nine extra checks the issue asks for, and say so in the table.
    const why = tools.byName.get('kube-linter')?.path ?? 'not built';
    const start = Date.now();
    const findings = standInKubeLinter(objects).map((f) => ({ ...f, file: rel(f.file ?? '') }));
    return {
      gate: 'kube-linter', context: '', tool: 'harness stand-in', objects: objects.length, findings, suppressed: [], ran: true,
      seconds: (Date.now() - start) / 1000,
      note: `kube-linter ${version} could not be built here (${why}); ran the harness's stand-in for its checks ${STAND_IN_CHECKS.join(', ')}; kube-linter's default checks did NOT run`,
    };
  }
  progress(`kube-linter lint (${files.length} files)`);
  const cfgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ms-kube-linter-'));
  tempDirs.add(cfgDir);
  const cfg = path.join(cfgDir, 'kube-linter.yaml');
  fs.writeFileSync(cfg, `checks:\n  include:\n${KUBE_LINTER_EXTRA.map((c) => `    - ${c}\n`).join('')}`);
  const r = await run(bin, ['lint', '--config', cfg, '--format', 'json', ...files]);
  removeTemp(cfgDir);
  const findings: Finding[] = [];
  try {
    const parsed = JSON.parse(r.out.slice(r.out.indexOf('{'))) as {
      Reports?: Array<{ Check: string; Diagnostic?: { Message?: string }; Remediation?: string;
        Object?: { Metadata?: { FilePath?: string }; K8sObject?: { Namespace?: string; Name?: string; GroupVersionKind?: { Kind?: string } } } }>;
    };
    for (const rep of parsed.Reports ?? []) {
      const k = rep.Object?.K8sObject;
      findings.push({ gate: 'kube-linter', context: '', check: rep.Check, file: rep.Object?.Metadata?.FilePath,
        object: { kind: k?.GroupVersionKind?.Kind ?? '?', namespace: k?.Namespace || undefined, name: k?.Name ?? '?' },
        message: `${rep.Diagnostic?.Message ?? ''}${rep.Remediation ? ` (remediation: ${rep.Remediation})` : ''}` });
    }
  } catch {
    findings.push({ gate: 'kube-linter', context: '', check: 'error', message: `kube-linter failed (exit ${r.code}): ${r.out.slice(-1500)}` });
  }
  return { gate: 'kube-linter', context: '', tool: `kube-linter ${version}`, objects: objects.length, findings, suppressed: [], ran: true, seconds: r.seconds };
}

export async function polaris(tools: Tools, dir: string, objects: LoadedObject[]): Promise<GateResult> {
  const bin = toolPath(tools, 'polaris');
  const version = tools.versions.POLARIS_VERSION;
  if (!bin) return notRun('polaris', `Polaris ${version} could not be built here (${tools.byName.get('polaris')?.path ?? 'not built'})`);
  progress(`polaris audit --audit-path ${rel(dir)}`);
  const r = await run(bin, ['audit', '--audit-path', dir, '--format', 'json']);
  const findings: Finding[] = [];
  type Res = Record<string, { ID?: string; Message?: string; Success?: boolean; Severity?: string }>;
  const collect = (ref: ObjectRef, results: Res | undefined, where: string): void => {
    for (const [id, x] of Object.entries(results ?? {})) {
      if (x.Success || (x.Severity !== 'danger' && x.Severity !== 'warning')) continue;
      findings.push({ gate: 'polaris', context: '', object: ref, check: x.ID ?? id, message: `${x.Severity} ${where}${x.Message ?? ''}` });
    }
  };
  let count = 0;
  try {
    const parsed = JSON.parse(r.out.slice(r.out.indexOf('{'))) as {
      Results?: Array<{ Name: string; Namespace?: string; Kind: string; Results?: Res;
        PodResult?: { Results?: Res; ContainerResults?: Array<{ Name: string; Results?: Res }> } }>;
    };
    for (const x of parsed.Results ?? []) {
      count++;
      const ref: ObjectRef = { kind: x.Kind, namespace: x.Namespace || undefined, name: x.Name };
      collect(ref, x.Results, '');
      collect(ref, x.PodResult?.Results, 'pod: ');
      for (const c of x.PodResult?.ContainerResults ?? []) collect(ref, c.Results, `container ${c.Name}: `);
    }
  } catch {
    findings.push({ gate: 'polaris', context: '', check: 'error', message: `polaris failed (exit ${r.code}): ${r.out.slice(-1500)}` });
  }
  return { gate: 'polaris', context: '', tool: `polaris ${version}`, objects: count || objects.length, findings, suppressed: [], ran: true, seconds: r.seconds };
}

function notRun(gate: GateName, note: string): GateResult {
  return { gate, context: '', tool: 'not available', objects: 0, findings: [], suppressed: [], ran: false, note, seconds: 0 };
}

/** The gates that need no control plane: run once, whatever the number of Kubernetes versions. */
export async function linterGates(tools: Tools, dir: string, files: string[], objects: LoadedObject[]): Promise<GateResult[]> {
  return [await kubeLinter(tools, files, objects), await kubeScore(tools, files, objects), await polaris(tools, dir, objects)];
}

/** Applies suppressions to every result and adds the 'suppressions' gate itself. */
export function finalize(results: GateResult[], objects: LoadedObject[]): GateResult[] {
  const { byObject, findings } = readSuppressions(objects);
  for (const r of results) {
    const { kept, suppressed } = applySuppressions(r.findings, objects, byObject);
    r.findings = kept;
    r.suppressed = suppressed;
  }
  return [...results, { gate: 'suppressions', context: '', tool: 'harness', objects: objects.length, findings, suppressed: [], ran: true, seconds: 0 }];
}

// ------------------------------------------------------------------ report

const HINTS: Record<GateName, string> = {
  'apply': 'the API server rejected or warned about this object: fix the construct that emits it (a Pod Security warning means the pod template breaks the namespace\'s level)',
  'dry-run': 'the API server rejects this object with strict field validation: fix the field named in the message in the construct that emits it',
  'idempotent': 'applying dist/ twice changes this object: two constructs emit it, or a field is not stable between syntheses',
  'access': 'the API server\'s authorizer answered differently from the access matrix (access-matrix.ts): fix the grant, or the matrix if the change is intended',
  'kube-linter': 'see the kube-linter check of that name; fix the construct, or suppress per object with a reason (test/conformance/README.md)',
  'kube-score': 'see the kube-score check of that id; fix the construct, or suppress per object with a reason (test/conformance/README.md)',
  'polaris': 'see the Polaris check of that id; fix the construct, or suppress per object with a reason (test/conformance/README.md)',
  'suppressions': 'every suppression needs the conformance annotation with a written reason (test/conformance/README.md)',
};

export function printReport(title: string, results: GateResult[]): number {
  const out: string[] = [];
  const row = (c: string[]): string => `${c[0].padEnd(13)} ${c[1].padEnd(10)} ${c[2].padEnd(26)} ${c[3].padStart(7)} ${c[4].padStart(8)} ${c[5].padStart(10)} ${c[6].padStart(7)}  ${c[7]}`;
  out.push('', `== conformance: ${title}`, row(['gate', 'k8s', 'tool', 'objects', 'findings', 'suppressed', 'seconds', 'result']));
  let total = 0;
  let notRunCount = 0;
  for (const r of results) {
    total += r.findings.length;
    if (!r.ran) notRunCount++;
    out.push(row([r.gate, r.context || '-', r.tool, String(r.objects), String(r.findings.length), String(r.suppressed.length),
      r.seconds.toFixed(1), !r.ran ? 'NOT RUN' : r.findings.length ? 'FAIL' : 'pass']));
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
  out.push('', total ? `conformance: FAILED with ${total} finding(s)` : `conformance: no findings${notRunCount ? ` (${notRunCount} gate(s) NOT RUN, see notes)` : ''}`);
  process.stdout.write(out.join('\n') + '\n');
  return total;
}

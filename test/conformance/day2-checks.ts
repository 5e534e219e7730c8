/**
 * What the day-2 gate (day2.ts) checks on the cluster after each pruning apply: that
 * the cluster holds exactly what the new output describes (every member of the ApplySet
 * is in the output, every object of the output exists), that no grant the output no
 * longer makes is left granting (kubectl auth can-i), that every store claim exists,
 * is Bound and was never deleted, and that every Deployment and StatefulSet is available.
 */
import { K8sObject, LoadedObject, run } from './harness';
import { APPLYSET_METADATA } from '../../lib/change/applyset';
import { SimCluster } from '../simulation/cluster';

/** `Kind.group/namespace/name`, the group omitted for the core group: what the gate compares. */
export function objectKey(o: { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string } }): string {
  const group = (o.apiVersion ?? '').includes('/') ? `.${(o.apiVersion ?? '').split('/')[0]}` : '';
  return `${o.kind}${group}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** kubectl against the simulated cluster. */
export async function kubectl(c: SimCluster, args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; out: string; seconds: number }> {
  return run(c.kubectl, ['--kubeconfig', c.plane.kubeconfig, ...args], { env: env ? { ...process.env, ...env } : undefined });
}

/** The live members of the set: every object with its part-of label, over the parent's group-kinds, in every namespace. */
export async function liveMembers(c: SimCluster, parentRef: string, id: string): Promise<{ keys: Set<string>; terminating: Set<string>; groupKinds: string[]; namespaces: string[] }> {
  const parent = await kubectl(c, ['get', parentRef, '-o', 'json']);
  if (parent.code !== 0) throw new Error(`the ApplySet parent ${parentRef} cannot be read: ${parent.out.trim()}`);
  const annotations = (JSON.parse(parent.out) as K8sObject).metadata?.annotations ?? {};
  const groupKinds = (annotations[APPLYSET_METADATA.CONTAINS_GROUP_KINDS] ?? '').split(',').filter(Boolean);
  const namespaces = (annotations[APPLYSET_METADATA.ADDITIONAL_NAMESPACES] ?? '').split(',').filter(Boolean);
  const keys = new Set<string>();
  const terminating = new Set<string>();
  if (groupKinds.length) {
    const r = await kubectl(c, ['get', groupKinds.join(','), '--all-namespaces', '-l', `${APPLYSET_METADATA.PART_OF}=${id}`, '-o', 'json']);
    if (r.code !== 0) throw new Error(`listing the members failed: ${r.out.trim().slice(0, 500)}`);
    for (const o of (JSON.parse(r.out) as { items: (K8sObject & { metadata: { deletionTimestamp?: string } })[] }).items) {
      keys.add(objectKey(o));
      if (o.metadata.deletionTimestamp) terminating.add(objectKey(o));
    }
  }
  return { keys, terminating, groupKinds, namespaces };
}

/**
 * The live members, once every member the output no longer describes that is being
 * deleted (a pruned Namespace is Terminating until its contents are gone) has gone, or
 * `timeoutSeconds` have passed.
 */
export async function settledMembers(c: SimCluster, parentRef: string, id: string, expected: LoadedObject[], timeoutSeconds: number): Promise<{ keys: Set<string>; terminating: Set<string>; groupKinds: string[]; namespaces: string[] }> {
  const want = new Set(expected.map((o) => objectKey(o.obj)));
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const m = await liveMembers(c, parentRef, id);
    if (![...m.terminating].some((k) => !want.has(k)) || Date.now() > deadline) return m;
    await sleep(1000);
  }
}

/** Orphans (members the output no longer describes) and missing objects (in the output, not on the cluster). */
export function compareMembers(expected: LoadedObject[], live: Set<string>): { orphaned: string[]; missing: string[] } {
  const want = new Set(expected.map((o) => objectKey(o.obj)));
  return { orphaned: [...live].filter((k) => !want.has(k)).sort(), missing: [...want].filter((k) => !live.has(k)).sort() };
}

interface Rule { apiGroups?: string[]; resources?: string[]; verbs?: string[]; resourceNames?: string[] }
interface Subject { kind: string; name: string; namespace?: string }
/** One question for kubectl auth can-i: may `subject` do `verb` on `resource` in `namespace`? */
export interface Grant { binding: string; namespace: string; subject: Subject; verb: string; resource: string; subresource?: string; name?: string }

/** The first concrete permission each RoleBinding of `objects` grants each of its subjects (its role's first rule). */
export function grantsOf(objects: LoadedObject[]): Grant[] {
  const roles = new Map<string, Rule[]>();
  for (const o of objects) {
    if (o.obj.kind === 'Role' || o.obj.kind === 'ClusterRole') {
      roles.set(`${o.obj.kind}/${o.obj.metadata?.namespace ?? ''}/${o.obj.metadata?.name}`, ((o.obj as { rules?: Rule[] }).rules ?? []));
    }
  }
  const out: Grant[] = [];
  for (const o of objects.filter((x) => x.obj.kind === 'RoleBinding')) {
    const b = o.obj as K8sObject & { roleRef: { kind: string; name: string }; subjects?: Subject[] };
    const ns = b.metadata!.namespace!;
    const rules = roles.get(`${b.roleRef.kind}/${b.roleRef.kind === 'Role' ? ns : ''}/${b.roleRef.name}`) ?? [];
    const rule = rules.find((r) => r.verbs?.[0] && r.verbs[0] !== '*' && r.resources?.[0] && r.resources[0] !== '*');
    if (!rule) continue;
    const [resource, subresource] = rule.resources![0].split('/');
    const group = rule.apiGroups?.[0] ?? '';
    for (const subject of b.subjects ?? []) {
      out.push({
        binding: `RoleBinding/${ns}/${b.metadata!.name}`, namespace: ns, subject, verb: rule.verbs![0],
        resource: group ? `${resource}.${group}` : resource, subresource, name: rule.resourceNames?.[0],
      });
    }
  }
  return out;
}

const sameGrant = (a: Grant, b: Grant): boolean => a.namespace === b.namespace && a.verb === b.verb && a.resource === b.resource
  && a.subresource === b.subresource && a.name === b.name && a.subject.kind === b.subject.kind && a.subject.name === b.subject.name
  && (a.subject.namespace ?? '') === (b.subject.namespace ?? '');

/** Asks the API server whether the grant holds ('yes' or 'no'). */
export async function canI(c: SimCluster, g: Grant): Promise<string> {
  const who = g.subject.kind === 'ServiceAccount' ? ['--as', `system:serviceaccount:${g.subject.namespace ?? g.namespace}:${g.subject.name}`]
    : g.subject.kind === 'Group' ? ['--as', 'day2-gate-probe', '--as-group', g.subject.name] : ['--as', g.subject.name];
  const r = await kubectl(c, ['auth', 'can-i', g.verb, g.name ? `${g.resource}/${g.name}` : g.resource, '-n', g.namespace,
    ...(g.subresource ? ['--subresource', g.subresource] : []), ...who]);
  return r.out.trim().split('\n').pop() ?? '';
}

/** How a grant is shown: `oidc:ops may get secrets in orders (RoleBinding/orders/x)`. */
export function showGrant(g: Grant): string {
  const res = `${g.resource}${g.subresource ? `/${g.subresource}` : ''}${g.name ? ` '${g.name}'` : ''}`;
  return `${g.subject.kind} ${g.subject.namespace ? `${g.subject.namespace}/` : ''}${g.subject.name} may ${g.verb} ${res} in ${g.namespace} (${g.binding})`;
}

/**
 * The grants of the previous output the new one no longer makes must be refused; each
 * grant of the new output must be allowed (so the check can fail both ways).
 */
export async function checkGrants(c: SimCluster, previous: LoadedObject[], next: LoadedObject[]): Promise<{ failures: string[]; removed: number; kept: number }> {
  const failures: string[] = [];
  const now = grantsOf(next);
  const removed = grantsOf(previous).filter((g) => !now.some((n) => sameGrant(n, g)));
  for (const g of removed) {
    const answer = await canI(c, g);
    if (answer !== 'no') failures.push(`left granting: ${showGrant(g)}: kubectl auth can-i says '${answer}'`);
  }
  for (const g of now) {
    const answer = await canI(c, g);
    if (answer !== 'yes') failures.push(`grant missing: ${showGrant(g)}: kubectl auth can-i says '${answer}'`);
  }
  return { failures, removed: removed.length, kept: now.length };
}

interface Pvc { metadata: { name: string; namespace: string; uid: string }; spec: { volumeName?: string; storageClassName?: string; accessModes?: string[]; volumeMode?: string; resources?: { requests?: { storage?: string } } }; status?: { phase?: string } }

/** The claims the StatefulSets of the output make: `<template>-<statefulset>-<ordinal>`, with the size each asks. */
export function expectedClaims(objects: LoadedObject[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of objects.filter((x) => x.obj.kind === 'StatefulSet')) {
    const s = o.obj as K8sObject & { spec: { replicas?: number; volumeClaimTemplates?: { metadata: { name: string }; spec: { resources: { requests: { storage: string } } } }[] } };
    for (const t of s.spec.volumeClaimTemplates ?? []) {
      for (let i = 0; i < (s.spec.replicas ?? 1); i++) out.set(`${o.obj.metadata!.namespace}/${t.metadata.name}-${o.obj.metadata!.name}-${i}`, t.spec.resources.requests.storage);
    }
  }
  return out;
}

/**
 * Every claim the output's stores make exists, is Bound and asks the size the output says
 * (after a resize, once the manual step has resized it), and no claim seen before was
 * deleted (`seen` is updated with the claims found, by uid).
 */
export async function checkClaims(c: SimCluster, objects: LoadedObject[], seen: Map<string, string>): Promise<{ failures: string[]; bound: number }> {
  const failures: string[] = [];
  const live = new Map((await c.api.list<Pvc>('/api/v1/persistentvolumeclaims')).items.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
  let bound = 0;
  for (const [k, size] of expectedClaims(objects)) {
    const p = live.get(k);
    if (!p) { failures.push(`claim ${k} does not exist`); continue; }
    if (p.status?.phase !== 'Bound') failures.push(`claim ${k} is ${p.status?.phase ?? 'without a phase'}, not Bound`);
    else bound++;
    if (p.spec.resources?.requests?.storage !== size) failures.push(`claim ${k} asks ${p.spec.resources?.requests?.storage}, the output says ${size}`);
  }
  for (const [k, uid] of seen) {
    const p = live.get(k);
    if (!p) failures.push(`claim ${k} was deleted (data lost)`);
    else if (p.metadata.uid !== uid) failures.push(`claim ${k} was deleted and made again, empty (uid ${uid} -> ${p.metadata.uid})`);
  }
  for (const [k, p] of live) if (!seen.has(k)) seen.set(k, p.metadata.uid);
  return { failures, bound };
}

/**
 * No storage provisioner runs on the simulated cluster: every pending claim gets a
 * PersistentVolume of its class and size, bound to it (as the simulation does). Runs
 * until the returned function is called.
 */
export function startProvisioner(c: SimCluster, notes: string[]): () => void {
  let stopped = false;
  const done = new Set<string>();
  const loop = async (): Promise<void> => {
    while (!stopped) {
      try {
        for (const p of (await c.api.list<Pvc>('/api/v1/persistentvolumeclaims')).items) {
          if (p.spec.volumeName || p.status?.phase === 'Bound' || done.has(p.metadata.uid)) continue;
          done.add(p.metadata.uid);
          await c.api.create('/api/v1/persistentvolumes', {
            apiVersion: 'v1', kind: 'PersistentVolume',
            metadata: { name: `day2-${p.metadata.namespace}-${p.metadata.name}`.slice(0, 253), labels: { 'simulation.cdk8s-microservices.io/provisioned': 'true' } },
            spec: {
              capacity: { storage: p.spec.resources?.requests?.storage ?? '1Gi' }, accessModes: p.spec.accessModes ?? ['ReadWriteOnce'],
              storageClassName: p.spec.storageClassName ?? '', volumeMode: p.spec.volumeMode ?? 'Filesystem', persistentVolumeReclaimPolicy: 'Retain',
              hostPath: { path: `/var/lib/simulated/${p.metadata.namespace}/${p.metadata.name}` },
              claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: p.metadata.namespace, name: p.metadata.name, uid: p.metadata.uid },
            },
          });
        }
      } catch (e) {
        notes.push(`provisioner: ${(e as Error).message}`);
      }
      await sleep(500);
    }
  };
  void loop();
  return () => { stopped = true; };
}

interface Workload { metadata: { namespace: string; name: string; generation?: number }; spec: { replicas?: number }; status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; availableReplicas?: number; readyReplicas?: number; currentRevision?: string; updateRevision?: string } }

/** What keeps a Deployment or StatefulSet from being available and rolled out, or undefined when it is. */
function notReady(kind: string, w: Workload): string | undefined {
  const s = w.status ?? {};
  const want = w.spec.replicas ?? 1;
  if ((s.observedGeneration ?? 0) < (w.metadata.generation ?? 0)) return 'not observed yet';
  if ((s.updatedReplicas ?? 0) < want) return `${s.updatedReplicas ?? 0}/${want} updated`;
  if (kind === 'Deployment' && ((s.availableReplicas ?? 0) < want || (s.replicas ?? 0) > want)) return `${s.availableReplicas ?? 0}/${want} available, ${s.replicas ?? 0} pods`;
  if (kind === 'StatefulSet' && ((s.readyReplicas ?? 0) < want || s.currentRevision !== s.updateRevision)) return `${s.readyReplicas ?? 0}/${want} ready, revision ${s.currentRevision} -> ${s.updateRevision}`;
  return undefined;
}

/** Waits until every Deployment and StatefulSet of the output is available and rolled out; the failures at the deadline. */
export async function waitAvailable(c: SimCluster, objects: LoadedObject[], timeoutSeconds: number): Promise<string[]> {
  const want = objects.filter((o) => o.obj.kind === 'Deployment' || o.obj.kind === 'StatefulSet').map((o) => objectKey(o.obj));
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const live = new Map<string, string | undefined>();
    for (const [p, kind] of [['/apis/apps/v1/deployments', 'Deployment'], ['/apis/apps/v1/statefulsets', 'StatefulSet']]) {
      for (const w of (await c.api.list<Workload>(p)).items) live.set(`${kind}.apps/${w.metadata.namespace}/${w.metadata.name}`, notReady(kind, w));
    }
    const failures = want.map((k) => (live.has(k) ? (live.get(k) ? `${k}: ${live.get(k)}` : undefined) : `${k}: does not exist`)).filter((x): x is string => !!x);
    if (!failures.length) return [];
    if (Date.now() > deadline) return failures.map((f) => `not available after ${timeoutSeconds}s: ${f}`);
    await sleep(1000);
  }
}

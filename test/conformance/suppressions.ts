/**
 * Suppressions: every finding a construct silences is written twice on the object,
 * in the tool's own annotation (so that the tool, run by a user with its default
 * configuration, honours it) and in ours with the reason (so that every report prints
 * why). This file checks that the two agree and maps findings to the reasons.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { Finding, HonouredSuppression, K8sObject, LoadedObject, makeTemp, rel, sameRef, Suppression } from './harness';

export const SUPPRESS_ANNOTATION = 'conformance.cdk8s-microservices.io/suppress';

const LINTERS = ['kube-linter', 'kube-score', 'polaris'];
const KUBE_LINTER_PREFIX = 'ignore-check.kube-linter.io/';
const POLARIS = /^polaris\.fairwinds\.com\/(.+)-exempt$/;

/** The suppressions a tool's own annotations express on one object: tool and check (check '*' for all). */
export function nativeSuppressions(annotations: Record<string, string>): Array<{ tool: string; check: string; key: string }> {
  const out: Array<{ tool: string; check: string; key: string }> = [];
  for (const [key, value] of Object.entries(annotations)) {
    if (key.startsWith(KUBE_LINTER_PREFIX)) out.push({ tool: 'kube-linter', check: key.slice(KUBE_LINTER_PREFIX.length), key });
    else if (key === 'kube-linter.io/ignore-all') out.push({ tool: 'kube-linter', check: '*', key });
    else if (key === 'kube-score/ignore') {
      for (const check of value.split(',').map((c) => c.trim()).filter(Boolean)) out.push({ tool: 'kube-score', check, key });
    } else if (key === 'polaris.fairwinds.com/exempt' && value.toLowerCase() === 'true') out.push({ tool: 'polaris', check: '*', key });
    else if (POLARIS.test(key) && value.toLowerCase() === 'true') out.push({ tool: 'polaris', check: POLARIS.exec(key)![1], key });
  }
  return out;
}

/**
 * Reads our suppression annotation of every object. Malformed entries, entries without a
 * reason, a native suppression without our reason beside it, and our suppression without
 * the native one (a user's own linter would still report it) are findings of the gate
 * 'suppressions'.
 */
export function readSuppressions(objects: LoadedObject[]): { byObject: Map<LoadedObject, Suppression[]>; findings: Finding[] } {
  const byObject = new Map<LoadedObject, Suppression[]>();
  const findings: Finding[] = [];
  const bad = (o: LoadedObject, check: string, message: string): void => {
    findings.push({ gate: 'suppressions', context: '', object: o.ref, check, message, file: rel(o.file) });
  };
  for (const o of objects) {
    const ann = o.obj.metadata?.annotations ?? {};
    const list: Suppression[] = [];
    const raw = ann[SUPPRESS_ANNOTATION];
    if (raw !== undefined) {
      let parsed: unknown;
      try { parsed = JSON.parse(raw); } catch (e) { parsed = undefined; bad(o, 'malformed-suppression', `'${SUPPRESS_ANNOTATION}' is not JSON: ${(e as Error).message}`); }
      if (parsed !== undefined && !Array.isArray(parsed)) bad(o, 'malformed-suppression', `'${SUPPRESS_ANNOTATION}' must be a JSON array of {tool, check, reason}`);
      for (const item of Array.isArray(parsed) ? parsed as unknown[] : []) {
        const s = (item ?? {}) as Record<string, unknown>;
        const tool = typeof s.tool === 'string' ? s.tool : '';
        const check = typeof s.check === 'string' ? s.check : '';
        const reason = typeof s.reason === 'string' ? s.reason.trim() : '';
        if (!LINTERS.includes(tool) || !check) {
          bad(o, 'malformed-suppression', `entry ${JSON.stringify(item)} needs "tool" (kube-linter, kube-score or polaris) and "check"`);
        } else if (reason.length < 10) {
          bad(o, 'suppression-without-reason', `suppression of ${tool}/${check} needs a written "reason" (at least a sentence)`);
        } else {
          list.push({ tool, check, reason });
        }
      }
    }
    const native = nativeSuppressions(ann);
    for (const n of native) {
      if (n.check === '*') {
        bad(o, 'native-suppression-without-reason', `annotation '${n.key}' silences every ${n.tool} check: suppress the checks one by one, each with a reason in '${SUPPRESS_ANNOTATION}'`);
      } else if (!list.some((s) => s.tool === n.tool && s.check === n.check)) {
        bad(o, 'native-suppression-without-reason', `annotation '${n.key}' silences ${n.tool}/${n.check} without a reason of ours beside it: add {"tool":"${n.tool}","check":"${n.check}","reason":...} to '${SUPPRESS_ANNOTATION}'`);
      }
    }
    for (const s of list) {
      if (!native.some((n) => n.tool === s.tool && n.check === s.check)) {
        bad(o, 'suppression-not-native', `${s.tool}/${s.check} is suppressed in '${SUPPRESS_ANNOTATION}' only: a user's own ${s.tool} still reports it; add the tool's own annotation (lib/internal/suppressions.ts writes both)`);
      }
    }
    if (list.length) byObject.set(o, list);
  }
  return { byObject, findings };
}

/** Splits findings into kept and suppressed (with our reason), per object. */
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

function stripNative(obj: K8sObject): K8sObject {
  const annotations = { ...(obj.metadata?.annotations ?? {}) };
  for (const n of nativeSuppressions(annotations)) delete annotations[n.key];
  return { ...obj, metadata: { ...obj.metadata, annotations } };
}

/**
 * A copy of the manifests, file by file, without the tools' own suppression annotations:
 * what each tool would report if nothing were suppressed.
 */
export function withoutNativeSuppressions(dir: string, files: string[], objects: LoadedObject[]): { dir: string; files: string[] } {
  const out = makeTemp('cdk8s-ms-unsuppressed-');
  const root = fs.statSync(dir).isFile() ? path.dirname(dir) : dir;
  const copies: string[] = [];
  for (const file of files) {
    const copy = path.join(out, path.relative(root, file).replace(/\.json$/, '.yaml'));
    fs.mkdirSync(path.dirname(copy), { recursive: true });
    Yaml.save(copy, objects.filter((o) => o.file === file).map((o) => stripNative(o.obj)));
    copies.push(copy);
  }
  return { dir: out, files: copies };
}

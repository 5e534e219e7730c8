import type { _Manifest, _OutputFileContent } from './previous-output';

/**
 * How many earlier revisions of a workload's hashed ConfigMap
 * (`<workload>-config-<hash>`) the output keeps beside the current one: as many as
 * old ReplicaSets a Deployment keeps for `kubectl rollout undo`
 * (`spec.revisionHistoryLimit`, which the library sets to this number on Deployments
 * and StatefulSets). Each configuration change makes a new ReplicaSet (or controller
 * revision), so every revision a rollback can return to names one of the ConfigMaps kept; older ones are dropped from the output
 * (and pruned), so configuration churn never fills the context's ConfigMap quota,
 * which counts `1 + CONFIG_REVISIONS_KEPT` ConfigMaps per configured workload.
 */
export const CONFIG_REVISIONS_KEPT = 3;

/** The label that names the workload a hashed ConfigMap configures. */
export const CONFIG_OF_LABEL = 'cdk8s-microservices.io/config-of';

/**
 * The annotation that orders the earlier revisions of a hashed ConfigMap: 1 for the
 * first one retired, counting up; the current revision has none.
 */
export const REVISION_ANNOTATION = 'cdk8s-microservices.io/revision';

/** One file of the new output: its path and objects, in order. @internal */
export interface _NewFile {
  /** The path relative to the output directory, '/'-separated. */
  readonly file: string;
  /** The objects, in order. */
  readonly docs: _Manifest[];
  /** Whether the layout holds one object per file (a carried revision then gets a file of its own). */
  readonly onePerResource: boolean;
}

/** What `_carryRevisions` did. @internal */
export interface _CarriedRevisions {
  /** The new files, carried revisions inserted. */
  readonly files: _NewFile[];
  /** How many earlier revisions were carried over. */
  readonly carried: number;
  /** How many earlier revisions of the previous output were dropped (beyond the number kept). */
  readonly dropped: number;
}

/** Whether `o` is a workload's hashed ConfigMap: the config-of label and immutable. */
function isRevision(o: _Manifest): boolean {
  return o.kind === 'ConfigMap' && o.immutable === true && typeof o.metadata?.labels?.[CONFIG_OF_LABEL] === 'string';
}

function family(o: _Manifest): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.labels[CONFIG_OF_LABEL]}`;
}

function revisionOf(o: _Manifest): number | undefined {
  const v = o.metadata?.annotations?.[REVISION_ANNOTATION];
  return typeof v === 'string' && /^[1-9][0-9]*$/.test(v) ? Number(v) : undefined;
}

/**
 * Carries the last `kept` earlier revisions of each workload's hashed ConfigMap over
 * from the previous output into the new one, right after the current revision (in
 * the same file, or a file of its own beside it when the layout holds one object per
 * file), newest first. An earlier revision keeps its revision number; the previous
 * current revision, retired now, gets the next number. A workload with no current
 * ConfigMap carries nothing. A file of its own is named as cdk8s names one
 * (`ConfigMap.<name><extension>`). Unchanged code over its own output carries the same
 * revisions with the same numbers: the output is byte-identical.
 * @internal
 */
export function _carryRevisions(files: readonly _NewFile[], previous: readonly _OutputFileContent[], extension: string,
  kept: number = CONFIG_REVISIONS_KEPT): _CarriedRevisions {
  const current = new Map<string, _Manifest>();
  for (const o of files.flatMap(f => f.docs)) {
    if (isRevision(o)) current.set(family(o), o);
  }
  const earlier = new Map<string, _Manifest[]>();
  for (const o of previous.flatMap(f => f.docs)) {
    if (isRevision(o)) earlier.set(family(o), [...(earlier.get(family(o)) ?? []), o]);
  }
  const carry = new Map<string, _Manifest[]>();
  let carried = 0;
  let dropped = 0;
  for (const [key, now] of current) {
    const revs = earlier.get(key) ?? [];
    const before = revs.filter(o => o.metadata.name !== now.metadata.name);
    const numbered = before.filter(o => revisionOf(o) !== undefined);
    // numbers are never reused, not even the one of an earlier revision that is current again
    let next = Math.max(0, ...revs.map(o => revisionOf(o) ?? 0)) + 1;
    // the previous current revisions (normally one), retired now, in name order for determinism
    const retired = before.filter(o => revisionOf(o) === undefined)
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0))
      .map(o => _withRevision(o, next++));
    const all = [...numbered, ...retired].sort((a, b) => revisionOf(b)! - revisionOf(a)!);
    carry.set(key, all.slice(0, kept));
    carried += Math.min(kept, all.length);
    dropped += Math.max(0, all.length - kept);
  }
  const out: _NewFile[] = [];
  for (const f of files) {
    if (f.onePerResource) {
      out.push(f);
      for (const o of f.docs.filter(isRevision)) {
        const dir = f.file.includes('/') ? f.file.slice(0, f.file.lastIndexOf('/') + 1) : '';
        for (const c of carry.get(family(o)) ?? []) {
          out.push({ file: `${dir}${`ConfigMap.${c.metadata.name}`.replace(/[^0-9a-zA-Z-_.]/g, '')}${extension}`, docs: [c], onePerResource: true });
        }
      }
      continue;
    }
    out.push({ ...f, docs: f.docs.flatMap(o => isRevision(o) ? [o, ...(carry.get(family(o)) ?? [])] : [o]) });
  }
  return { files: out, carried, dropped };
}

/** A copy of a ConfigMap with the revision annotation `n`. */
function _withRevision(o: _Manifest, n: number): _Manifest {
  return { ...o, metadata: { ...o.metadata, annotations: { ...(o.metadata.annotations ?? {}), [REVISION_ANNOTATION]: String(n) } } };
}

import { ConfigurationError, ConfigurationErrors, ErrorCode, _fmt } from '../internal/configuration-error';
import { Acknowledgement, AcknowledgedChange } from './acknowledge';
import { CONFIG_REVISIONS_KEPT, _carryRevisions, _NewFile } from './config-revisions';
import { _IMMUTABLE_FIELDS, _firstDifference } from './immutable-fields';
import { PreviousOutput, _Manifest, _OutputFileContent } from './previous-output';

/** What the safe-change check needs of a synth. @internal */
export interface _SafeChangeInput {
  /** The new output, file by file, before anything is written. */
  readonly files: readonly _NewFile[];
  /** The construct path that renders a new object, when known. */
  readonly pathOf: (o: _Manifest) => string | undefined;
  /** Where the previous output is read from. */
  readonly previous: PreviousOutput;
  /** The acknowledgements written in the app. */
  readonly acknowledgements: readonly Acknowledgement[];
  /** The extension of the output files (for a carried revision in a file of its own). */
  readonly extension: string;
  /** Where the progress line goes. */
  readonly log: (line: string) => void;
}

/** One change the check refuses unless it is acknowledged. */
interface Refusal {
  readonly object: string;
  readonly change: AcknowledgedChange;
  readonly error: ConfigurationError;
}

/**
 * The safe-change check of a synth, after validation and before any file is written:
 * compares every new object with the previous one of the same API group, kind,
 * namespace and name and refuses (one `ConfigurationErrors` for all) a change the API
 * server rejects as immutable (`_IMMUTABLE_FIELDS`) or that loses data (a store
 * renamed or moved, a claim or a namespace holding a store's claims dropped), unless
 * an acknowledgement in code names it; an acknowledgement that matches nothing is
 * reported in a progress line (its change is in the previous output already). Then carries the earlier ConfigMap revisions over
 * (`_carryRevisions`). Writes one progress line.
 *
 * @returns the files to write (the new output with the carried revisions)
 * @internal
 */
export function _checkSafeChange(input: _SafeChangeInput): _NewFile[] {
  const loaded = input.previous._load();
  if (loaded.files === undefined) {
    input.log(`safe change: no previous output (${loaded.source}: ${loaded.missing}); a first synth, nothing to compare`
      + (input.acknowledgements.length > 0 ? `; ${input.acknowledgements.length} acknowledgement(s) not checked` : ''));
    return [...input.files];
  }
  // the construct a user wrote: its main object has the id 'Resource'
  const where = (o: _Manifest) => input.pathOf(o)?.replace(/\/Resource$/, '');
  const refusals = _refusals(input.files.flatMap(f => f.docs), loaded.files, where, loaded.source);
  const errors: ConfigurationError[] = [];
  const used = new Set<Acknowledgement>();
  for (const r of refusals) {
    const ack = input.acknowledgements.find(a => a.object === r.object && a.change === r.change);
    if (ack === undefined) {
      errors.push(r.error);
    } else {
      used.add(ack);
    }
  }
  // An acknowledgement that matches nothing is reported, not refused: once its change is
  // committed, the committed output (the default previous) already holds it, and a
  // re-synth of that same commit (CI's freshness check) must pass. A mistyped one lets
  // nothing through: the refusal it meant to acknowledge still stands.
  const unused = input.acknowledgements.filter(x => !used.has(x));
  for (const a of unused) {
    input.log(`safe change: ${a.path}: Acknowledge.change('${a.object}', AcknowledgedChange.${_constantName(a.change)}) matches no change `
      + `from ${loaded.source}; the change is in the previous output already: remove the acknowledgement once every environment has applied it`);
  }
  if (errors.length > 0) {
    throw new ConfigurationErrors(errors.map(error => ({ validatedAt: error.path === '' ? 'safe change' : error.path, error })));
  }
  const revisions = _carryRevisions(input.files, loaded.files, input.extension);
  const objects = input.files.reduce((n, f) => n + f.docs.length, 0);
  input.log(`safe change: ${objects} objects compared with ${loaded.source}: ${used.size} acknowledged change(s); `
    + `ConfigMap revisions: ${revisions.carried} kept, ${revisions.dropped} dropped (at most ${CONFIG_REVISIONS_KEPT} per workload)`);
  const rendered = new Set(input.files.flatMap(f => f.docs).filter(isNamespace).map(o => o.metadata?.name));
  const dropped = loaded.files.flatMap(f => f.docs).filter(isNamespace).map(o => o.metadata.name).filter(n => !rendered.has(n));
  if (dropped.length > 0) {
    input.log(`safe change: namespace(s) ${dropped.join(', ')} no longer rendered: the next apply with prune deletes each with everything in it; `
      + 'if kubectl stops with \'error: pruning ...: not found\' (an object deleted with its namespace first), run the same apply command again to finish the prune');
  }
  return revisions.files;
}

function isNamespace(o: _Manifest): boolean {
  return o.kind === 'Namespace' && group(o) === '';
}

/** The group of an apiVersion ('' for core). */
function group(o: _Manifest): string {
  const v = String(o.apiVersion ?? '');
  return v.includes('/') ? v.slice(0, v.indexOf('/')) : '';
}

function key(o: _Manifest): string {
  return `${group(o)}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
}

/** `Kind namespace/name`, or `Kind name` for a cluster-scoped object: how refusals and acknowledgements name it. @internal */
export function _objectName(o: _Manifest): string {
  const ns = o.metadata?.namespace;
  return `${o.kind} ${ns ? `${ns}/` : ''}${o.metadata?.name}`;
}

function kubectl(o: _Manifest): string {
  return o.metadata?.namespace ? `kubectl -n ${o.metadata.namespace}` : 'kubectl';
}

function _constantName(change: AcknowledgedChange): string {
  return Object.entries(AcknowledgedChange).find(([, v]) => v === change)?.[0] ?? change.value;
}

function acknowledgeHint(object: string, change: AcknowledgedChange): string {
  return `Acknowledge.change(scope, '${object}', AcknowledgedChange.${_constantName(change)}, '<what was done by hand, when, where it is written down>')`;
}

function isStore(o: _Manifest): boolean {
  return o.kind === 'StatefulSet' && group(o) === 'apps' && (o.spec?.volumeClaimTemplates ?? []).length > 0;
}

function claimNames(store: _Manifest): string[] {
  const replicas: number = store.spec?.replicas ?? 1;
  return (store.spec.volumeClaimTemplates as _Manifest[]).flatMap(t =>
    Array.from({ length: replicas }, (_, i) => `${t.metadata?.name}-${store.metadata.name}-${i}`));
}

/** Every change from `previous` to `next` that is refused unless acknowledged. */
function _refusals(next: readonly _Manifest[], previous: readonly _OutputFileContent[], pathOf: (o: _Manifest) => string | undefined, source: string): Refusal[] {
  const before = new Map(previous.flatMap(f => f.docs).map(o => [key(o), o]));
  const after = new Map(next.map(o => [key(o), o]));
  const refusals: Refusal[] = [];
  // immutable fields
  for (const now of next) {
    const was = before.get(key(now));
    if (was === undefined) continue;
    for (const row of _IMMUTABLE_FIELDS) {
      if (row.kind !== now.kind || row.group !== group(now)) continue;
      const get = (o: _Manifest) => row.field.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as _Manifest)[k] : undefined), o) ?? row.defaultValue;
      const [oldValue, newValue] = [get(was), get(now)];
      const refused = row.refuses ? row.refuses(oldValue, newValue, was) : _firstDifference(oldValue, newValue, '') !== undefined;
      if (!refused) continue;
      const diff = _firstDifference(oldValue, newValue, row.field.join('.')) ?? { field: row.field.join('.'), oldValue, newValue };
      const object = _objectName(now);
      const step = row.manualStep({ kubectl: kubectl(now), resource: String(now.kind).toLowerCase(), name: now.metadata.name, oldObject: was, newObject: now });
      refusals.push({ object, change: row.acknowledge, error: new ConfigurationError({
        path: pathOf(now) ?? '', prop: `${object} ${diff.field}`, value: { old: diff.oldValue, new: diff.newValue },
        shown: `${_fmt(diff.oldValue)} -> ${_fmt(diff.newValue)}`,
        expected: `cannot change on the existing object: the API server refuses the update (${row.validation}), and the apply would stop half-way`,
        fix: `first ${step}; then acknowledge it in code: ${acknowledgeHint(object, row.acknowledge)}; or keep the old value`,
        code: ErrorCode.CONFLICT,
      }) });
      break;
    }
  }
  // a store renamed or moved: an old one gone while a new one appears
  const goneStores = [...before.values()].filter(o => isStore(o) && !after.has(key(o)));
  const newStores = next.filter(o => isStore(o) && !before.has(key(o)));
  if (newStores.length > 0) {
    for (const gone of goneStores) {
      const object = _objectName(gone);
      const likely = newStores.find(n => n.metadata.name === gone.metadata.name || n.metadata.namespace === gone.metadata.namespace) ?? newStores[0];
      const copies = claimNames(gone).map((c, i) => `${gone.metadata.namespace}/${c} -> ${likely.metadata.namespace}/${claimNames(likely)[i] ?? '(none)'}`).join(', ');
      refusals.push({ object, change: AcknowledgedChange.START_EMPTY_STORE, error: new ConfigurationError({
        path: pathOf(likely) ?? '', prop: object, value: { old: object, new: _objectName(likely) },
        shown: `'${object}' -> '${_objectName(likely)}'`,
        expected: `is a store renamed or moved: ${_objectName(likely)} starts with empty claims, and the data stays in the old claims (${claimNames(gone).join(', ')} in namespace ${gone.metadata.namespace})`,
        fix: `keep the store's name and context; or scale the new store to 0 after the apply (${kubectl(likely)} scale statefulset ${likely.metadata.name} --replicas=0), `
          + `copy each claim's data (${copies}), scale it back, and acknowledge it in code: ${acknowledgeHint(object, AcknowledgedChange.START_EMPTY_STORE)}`,
        code: ErrorCode.UNSAFE,
      }) });
    }
  }
  // a claim dropped
  for (const gone of [...before.values()].filter(o => o.kind === 'PersistentVolumeClaim' && group(o) === '' && !after.has(key(o)))) {
    const object = _objectName(gone);
    refusals.push({ object, change: AcknowledgedChange.DELETE_CLAIM, error: new ConfigurationError({
      path: '', prop: object, value: gone.metadata.name,
      expected: `is in the previous output (${source}) but no longer rendered: a prune deletes the claim, and its volume with it unless the volume's reclaim policy is Retain`,
      fix: `keep rendering the claim; or save its data (${kubectl(gone)} get pvc ${gone.metadata.name} -o jsonpath='{.spec.volumeName}' names the volume; `
        + `kubectl patch pv <volume> -p '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}' keeps it) and acknowledge it in code: ${acknowledgeHint(object, AcknowledgedChange.DELETE_CLAIM)}`,
      code: ErrorCode.UNSAFE,
    }) });
  }
  // a namespace dropped that holds a store's claims
  const holders = [...before.values()].filter(o => isStore(o) || (o.kind === 'PersistentVolumeClaim' && group(o) === ''));
  for (const gone of [...before.values()].filter(o => o.kind === 'Namespace' && group(o) === '' && !after.has(key(o)))) {
    const held = holders.filter(o => o.metadata.namespace === gone.metadata.name);
    if (held.length === 0) continue;
    const object = _objectName(gone);
    const claims = held.flatMap(o => isStore(o) ? claimNames(o) : [o.metadata.name]);
    refusals.push({ object, change: AcknowledgedChange.DELETE_NAMESPACE_WITH_CLAIMS, error: new ConfigurationError({
      path: '', prop: object, value: gone.metadata.name,
      expected: `is no longer rendered but holds the claims of ${held.map(_objectName).join(', ')} (${claims.join(', ')}): a prune deletes the namespace and every claim in it`,
      fix: `keep the bounded context (and its namespace); or save the claims' data first (kubectl patch pv <volume> -p '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}' for the volume of each claim) `
        + `and acknowledge it in code: ${acknowledgeHint(object, AcknowledgedChange.DELETE_NAMESPACE_WITH_CLAIMS)}`,
      code: ErrorCode.UNSAFE,
    }) });
  }
  return refusals;
}

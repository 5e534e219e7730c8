import { ApiObject, Lazy } from 'cdk8s';

/**
 * The annotation through which a construct records, with the reason, every linter
 * finding it suppresses on an object it renders (test/conformance/README.md). The
 * linters themselves read their own annotations, written beside it by `_suppress`.
 */
export const SUPPRESS_ANNOTATION = 'conformance.cdk8s-microservices.io/suppress';

/** The linters whose findings a construct may suppress, each in its own annotation. */
export type _Linter = 'kube-linter' | 'kube-score' | 'polaris';

/** One suppressed check of one tool. */
export interface _Suppression {
  readonly tool: _Linter;
  readonly check: string;
  readonly reason: string;
}

/** A reason known now, or one decided at synth (undefined: nothing to suppress). */
type Reason = string | (() => string | undefined);

interface Entry { readonly tool: _Linter; readonly check: string; readonly reasons: Reason[] }

const entries = new WeakMap<ApiObject, Entry[]>();

/**
 * Suppresses `check` of `tool` on `obj`: in the tool's own annotation, so that the
 * tool run with its default configuration honours it, and with the reason in
 * SUPPRESS_ANNOTATION, which every conformance report prints. Only for findings
 * that are truly not applicable to the object.
 *
 * A function as `reason` is called at synth, when the construct tree is complete
 * (calls and routes are declared after a workload is created): it returns the
 * reason, or undefined when the finding does not arise and nothing is suppressed.
 */
export function _suppress(obj: ApiObject, tool: _Linter, check: string, reason: Reason): void {
  let list = entries.get(obj);
  if (!list) {
    list = [];
    entries.set(obj, list);
    obj.metadata.addAnnotation(SUPPRESS_ANNOTATION, lazy(() => {
      const resolved = _suppressions(obj);
      return resolved.length > 0 ? JSON.stringify(resolved) : undefined;
    }));
  }
  const same = list.find(s => s.tool === tool && s.check === check);
  if (same) {
    // a second reason for the same check (say, two secrets' variables): keep both
    same.reasons.push(reason);
    return;
  }
  list.push({ tool, check, reasons: [reason] });
  const active = () => _suppressions(obj).some(s => s.tool === tool && s.check === check);
  switch (tool) {
    case 'kube-linter':
      obj.metadata.addAnnotation(`ignore-check.kube-linter.io/${check}`,
        lazy(() => _suppressions(obj).find(s => s.tool === tool && s.check === check)?.reason));
      break;
    case 'polaris':
      // Polaris takes no reason: it stays in SUPPRESS_ANNOTATION
      obj.metadata.addAnnotation(`polaris.fairwinds.com/${check}-exempt`, lazy(() => (active() ? 'true' : undefined)));
      break;
    case 'kube-score':
      obj.metadata.addAnnotation('kube-score/ignore', lazy(() => {
        const checks = _suppressions(obj).filter(s => s.tool === 'kube-score').map(s => s.check);
        return checks.length > 0 ? checks.join(',') : undefined;
      }));
      break;
  }
}

/**
 * Suppresses `check` of `tool` on `obj` with `reason` alone: the reasons given before
 * (by code that rendered the object for another use) no longer hold, since the object
 * has been made into something else (a Deployment that a controller's workload uses as
 * its template). @internal
 */
export function _resuppress(obj: ApiObject, tool: _Linter, check: string, reason: Reason): void {
  const same = entries.get(obj)?.find(s => s.tool === tool && s.check === check);
  if (same) {
    same.reasons.splice(0, same.reasons.length, reason);
    return;
  }
  _suppress(obj, tool, check, reason);
}

/** The suppressions in force on `obj`, with their reasons resolved. */
export function _suppressions(obj: ApiObject): _Suppression[] {
  const out: _Suppression[] = [];
  for (const e of entries.get(obj) ?? []) {
    const reasons = e.reasons.map(r => (typeof r === 'function' ? r() : r)).filter((r): r is string => r !== undefined);
    if (reasons.length > 0) {
      out.push({ tool: e.tool, check: e.check, reason: reasons.join('; ') });
    }
  }
  return out;
}

function lazy(produce: () => string | undefined): string {
  return Lazy.any({ produce }) as unknown as string;
}

/**
 * Suppresses on `to` every finding suppressed on `from`, with the same reasons, as
 * they stand at synth (a release track's Deployment runs the stable track's pods),
 * but the checks in `except` (`tool/check`).
 * Checks first suppressed on `from` after this call are not carried over.
 * @internal
 */
export function _copySuppressions(from: ApiObject, to: ApiObject, except: string[] = []): void {
  for (const e of (entries.get(from) ?? []).filter(s => !except.includes(`${s.tool}/${s.check}`))) {
    const check = e;
    _suppress(to, check.tool, check.check, () => {
      const reasons = check.reasons.map(r => (typeof r === 'function' ? r() : r)).filter((r): r is string => r !== undefined);
      return reasons.length > 0 ? reasons.join('; ') : undefined;
    });
  }
}

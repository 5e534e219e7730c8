import { IConstruct } from 'constructs';
import { ErrorCode } from '../internal/configuration-error';
import { _assertLabelValue, _invalid } from '../internal/errors';

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** What the messages of `_checkPodSelector` say about the pods selected. @internal */
export interface _PodSelectorWording {
  /** Who the labels select, as in "must select the data-plane pods with at least one label". */
  readonly selects: string;
  /** How to fix an empty selector. */
  readonly emptyFix: string;
  /** Whose label keys to copy, as in "use the label keys of the proxy pods". */
  readonly keysOf: string;
}

/**
 * Throws unless `labels` select pods of a gateway's data plane or controller: at least
 * one label, each key a label key, each value a label value.
 * @internal
 */
export function _checkPodSelector(scope: IConstruct, prop: string, labels: { [key: string]: string }, wording: _PodSelectorWording): void {
  const keys = Object.keys(labels);
  if (keys.length === 0) {
    throw _invalid(scope, prop, labels, `must select ${wording.selects} with at least one label`, wording.emptyFix, ErrorCode.MISSING_REQUIRED);
  }
  for (const key of keys) {
    if (!LABEL_KEY.test(key)) {
      throw _invalid(scope, prop, key, 'must be a label key: an optional DNS prefix and \'/\', then a name of at most 63 characters',
        `use the label keys of ${wording.keysOf} as \`kubectl get pods --show-labels\` prints them`, ErrorCode.INVALID_NAME);
    }
    _assertLabelValue(scope, `${prop}[${key}]`, labels[key]);
  }
}

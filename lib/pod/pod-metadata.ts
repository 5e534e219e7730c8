import { IConstruct } from 'constructs';
import { _credentialKind } from '../internal/credentials';
import { _invalid } from '../internal/errors';
import { ErrorCode } from '../internal/configuration-error';

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Key prefixes the library sets itself on a pod template, or reads as suppressions. */
const OWN_LABELS = ['app.kubernetes.io/', 'cdk8s-microservices.io/'];
const OWN_ANNOTATIONS = ['cdk8s-microservices.io/', 'conformance.cdk8s-microservices.io/', 'ignore-check.kube-linter.io/', 'polaris.fairwinds.com/', 'kube-score/'];

function checkKey(scope: IConstruct, prop: string, key: string): void {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (!NAME.test(name) || (prefix !== undefined && (prefix.length > 253 || !PREFIX.test(prefix)))) {
    throw _invalid(scope, prop, key,
      'must be a qualified name: an optional DNS subdomain prefix and \'/\', then up to 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit',
      'use a key such as \'example.com/team\'', ErrorCode.INVALID_NAME);
  }
}

/**
 * Throws unless the pod labels and annotations a user adds are well-formed and leave
 * the library's own alone: the selector and recommended labels (`app.kubernetes.io/*`),
 * the library's labels and annotations, the labels Kubernetes reserves
 * (`*kubernetes.io/*`, `*k8s.io/*`) and the linters' suppression annotations (a
 * suppression needs a reason, which only the constructs write).
 * @internal
 */
export function _checkPodMetadata(scope: IConstruct, labels: { [key: string]: string }, annotations: { [key: string]: string }): void {
  for (const [key, value] of Object.entries(labels)) {
    checkKey(scope, 'podLabels', key);
    const prefix = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
    if (OWN_LABELS.some(p => key.startsWith(p)) || /(^|\.)(kubernetes\.io|k8s\.io)$/.test(prefix)) {
      throw _invalid(scope, 'podLabels', key,
        'must not be a label the library sets (app.kubernetes.io/*, cdk8s-microservices.io/*: selectors and recommended labels) or Kubernetes reserves (*kubernetes.io/*, *k8s.io/*)',
        'use a key under your own prefix, such as \'istio.io/rev\' or \'example.com/team\'', ErrorCode.RESERVED_NAME);
    }
    if (value.length > 63 || !LABEL_VALUE.test(value)) {
      throw _invalid(scope, `podLabels.${key}`, value,
        'must be a label value: up to 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit', 'shorten or simplify the value', ErrorCode.INVALID_NAME);
    }
  }
  for (const [key, value] of Object.entries(annotations)) {
    checkKey(scope, 'podAnnotations', key);
    if (OWN_ANNOTATIONS.some(p => key.startsWith(p))) {
      throw _invalid(scope, 'podAnnotations', key,
        'must not be an annotation the library writes or a linter reads as a suppression (a suppression needs a written reason, which the constructs record)',
        'use another key; for a linter finding, use the prop that states its reason (such as lowUserIdReason or identicalProbesReason)', ErrorCode.RESERVED_NAME);
    }
    const looksLike = _credentialKind(value, key);
    if (looksLike) {
      throw _invalid(scope, `podAnnotations.${key}`, '(value not shown)', `looks like ${looksLike}, which must not be written into the pod template`,
        'keep credentials in secrets (addSecret)', ErrorCode.PLAINTEXT_SECRET);
    }
  }
}

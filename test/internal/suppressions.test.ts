import { ApiObject, Testing } from 'cdk8s';
import { _suppress, _suppressions, SUPPRESS_ANNOTATION } from '../../lib/internal/suppressions';

function object() {
  const chart = Testing.chart();
  const obj = new ApiObject(chart, 'o', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'o' } });
  return { obj, annotations: () => (obj.toJson().metadata.annotations ?? {}) as Record<string, string> };
}

describe('_suppress', () => {
  test('writes each tool\'s own annotation and the reason beside it', () => {
    const { obj, annotations } = object();

    _suppress(obj, 'kube-linter', 'access-to-create-pods', 'the deployer rolls out Deployments');
    _suppress(obj, 'polaris', 'rolePodExecAttach', 'operators debug live pods');
    _suppress(obj, 'kube-score', 'pod-probes', 'a batch worker has no endpoint');
    _suppress(obj, 'kube-score', 'pod-networkpolicy', 'the policy lives elsewhere');

    expect(annotations()).toEqual({
      'ignore-check.kube-linter.io/access-to-create-pods': 'the deployer rolls out Deployments',
      'polaris.fairwinds.com/rolePodExecAttach-exempt': 'true',
      'kube-score/ignore': 'pod-probes,pod-networkpolicy',
      [SUPPRESS_ANNOTATION]: JSON.stringify([
        { tool: 'kube-linter', check: 'access-to-create-pods', reason: 'the deployer rolls out Deployments' },
        { tool: 'polaris', check: 'rolePodExecAttach', reason: 'operators debug live pods' },
        { tool: 'kube-score', check: 'pod-probes', reason: 'a batch worker has no endpoint' },
        { tool: 'kube-score', check: 'pod-networkpolicy', reason: 'the policy lives elsewhere' },
      ]),
    });
  });

  test('a second reason for the same check is kept beside the first', () => {
    const { obj } = object();

    _suppress(obj, 'polaris', 'sensitiveContainerEnvVar', 'DB_PASSWORD comes from a Secret');
    _suppress(obj, 'polaris', 'sensitiveContainerEnvVar', 'API_TOKEN comes from a Secret');

    expect(_suppressions(obj)).toEqual([
      { tool: 'polaris', check: 'sensitiveContainerEnvVar', reason: 'DB_PASSWORD comes from a Secret; API_TOKEN comes from a Secret' },
    ]);
  });

  test('a reason decided at synth suppresses nothing when it is undefined', () => {
    const { obj, annotations } = object();
    let applies = false;

    _suppress(obj, 'polaris', 'missingNetworkPolicy', () => (applies ? 'admits no ingress' : undefined));
    _suppress(obj, 'kube-linter', 'non-isolated-pod', () => (applies ? 'admits no ingress' : undefined));
    _suppress(obj, 'kube-score', 'pod-probes', () => undefined);

    expect(annotations()).toEqual({});
    applies = true;
    expect(annotations()).toEqual({
      'polaris.fairwinds.com/missingNetworkPolicy-exempt': 'true',
      'ignore-check.kube-linter.io/non-isolated-pod': 'admits no ingress',
      [SUPPRESS_ANNOTATION]: JSON.stringify([
        { tool: 'polaris', check: 'missingNetworkPolicy', reason: 'admits no ingress' },
        { tool: 'kube-linter', check: 'non-isolated-pod', reason: 'admits no ingress' },
      ]),
    });
  });
});

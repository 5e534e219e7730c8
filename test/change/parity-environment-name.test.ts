import { Environment, parityReport, renderParityReport } from '../../lib';
import { Manifest } from '../_helpers';

const DEV = Environment.of('dev');
const PROD = Environment.of('prod');

/** A Deployment 'products' whose container has the variable OTEL_RESOURCE_ATTRIBUTES = `attributes`. */
const traced = (attributes: string): Manifest => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'products', namespace: 'catalog' },
  spec: { template: { spec: { containers: [{ name: 'main', env: [{ name: 'OTEL_RESOURCE_ATTRIBUTES', value: attributes }] }] } } },
});
const output = (env: Environment, manifests: Manifest[]) => ({ name: env.name, declared: env.declared(), manifests });
const attributes = (env: string, namespace = 'catalog') =>
  `service.namespace=${namespace},service.version=$(SERVICE_VERSION),deployment.environment.name=${env},k8s.pod.name=$(K8S_POD_NAME)`;

describe('parity of a traced workload', () => {
  test('the OpenTelemetry attribute deployment.environment.name differs by the environments\' names alone: declared, aspect environment', () => {
    const report = parityReport(output(DEV, [traced(attributes('dev'))]), output(PROD, [traced(attributes('prod'))]));
    expect(report.undeclared).toEqual([]);
    expect(report.objects).toEqual([{
      key: 'apps/v1/Deployment/catalog/products',
      differences: [{ path: 'spec.template.spec.containers[0].env[0].value', a: attributes('dev'), b: attributes('prod'), aspects: ['environment'], declared: true }],
    }]);
    // the report names the aspect, as it names a declared one
    expect(renderParityReport(report)).toMatch(/^ {2}spec\.template\.spec\.containers\[0\]\.env\[0\]\.value: .* -> .*deployment\.environment\.name=prod.* {2}\[environment\]$/m);
  });

  test('the attribute as the last one, or alone, is recognised too', () => {
    for (const [a, b] of [['service.namespace=catalog,deployment.environment.name=dev', 'service.namespace=catalog,deployment.environment.name=prod'],
      ['deployment.environment.name=dev', 'deployment.environment.name=prod']]) {
      expect(parityReport(output(DEV, [traced(a)]), output(PROD, [traced(b)])).undeclared).toEqual([]);
    }
  });

  test('fails when anything else differs too, or the name appears in another attribute', () => {
    // another attribute differs beside the environment's name
    const other = parityReport(output(DEV, [traced(attributes('dev', 'catalog-dev'))]), output(PROD, [traced(attributes('prod'))]));
    expect(other.undeclared.map(d => d.path)).toEqual(['spec.template.spec.containers[0].env[0].value']);
    expect(other.undeclared[0].aspects).toEqual([]);
    // the environment's name in some other attribute is code branching on env.name
    const elsewhere = parityReport(output(DEV, [traced('service.namespace=dev')]), output(PROD, [traced('service.namespace=prod')]));
    expect(elsewhere.undeclared).toHaveLength(1);
    // a longer name that starts with the environment's is another value
    const prefix = parityReport(output(DEV, [traced('deployment.environment.name=devel')]), output(PROD, [traced('deployment.environment.name=prodl')]));
    expect(prefix.undeclared).toHaveLength(1);
  });
});

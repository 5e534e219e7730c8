import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Yaml } from 'cdk8s';
import {
  ApplySet, BoundedContext, ConfigurationError, Environment, ErrorCode, KUBECTL_VERSION, Platform, ResourceSizing, checkParity, loadManifests, parityReport,
  renderParityReport, synthesizeEnvironments,
} from '../../lib';
import { Manifest, microservice, thrown } from '../_helpers';

const DEV = Environment.of('dev', { replicas: { max: 2 }, resources: ResourceSizing.percent({ cpu: 50 }) });
const PROD = Environment.of('prod');

/** A platform 'shop' with one context and a service; `branch` lets a test make the code differ by environment. */
function build(app: App, env: Environment, branch: (env: Environment) => object = () => ({})): void {
  const platform = new Platform(app, 'shop', { environment: env });
  const context = new BoundedContext(app, 'catalog', { platform, team: 'catalog-team' });
  microservice(context, 'products', { minReplicas: 3, maxReplicas: 6, env: { LOG_FORMAT: 'json' }, ...branch(env) });
}

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parity-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A plain object of kind and name, in namespace 'catalog'. */
const obj = (kind: string, name: string, extra: Manifest = {}): Manifest => ({ apiVersion: 'v1', kind, metadata: { name, namespace: 'catalog' }, ...extra });
const output = (env: Environment, manifests: Manifest[]) => ({ name: env.name, declared: env.declared(), manifests });

describe('synthesizeEnvironments', () => {
  test('writes one directory per environment, built from the same code', () => {
    const outdir = path.join(tmp, 'dist');
    const files = synthesizeEnvironments([DEV, PROD], (app, env) => build(app, env), { outdir });
    expect(files).toEqual(['applyset-crd.yaml', 'dev.applyset.yaml', 'prod.applyset.yaml',
      'dev/0000-shop.k8s.yaml', 'dev/0001-catalog.k8s.yaml', 'prod/0000-shop.k8s.yaml', 'prod/0001-catalog.k8s.yaml']);
    const hpa = (env: string) => (loadManifests(path.join(outdir, env)) as Manifest[]).find(o => o.kind === 'HorizontalPodAutoscaler')!.spec;
    expect([hpa('dev').minReplicas, hpa('dev').maxReplicas]).toEqual([1, 2]);
    expect([hpa('prod').minReplicas, hpa('prod').maxReplicas]).toEqual([3, 6]);
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
  });

  test('writes the construct metadata cdk8s synth asks for at the output\'s root, not inside an environment\'s directory that kubectl applies', () => {
    const outdir = path.join(tmp, 'dist');
    const before = process.env.CDK8S_RECORD_CONSTRUCT_METADATA;
    process.env.CDK8S_RECORD_CONSTRUCT_METADATA = 'true';
    try {
      const files = synthesizeEnvironments([DEV, PROD], (app, env) => build(app, env), { outdir });
      expect(files).toContain('construct-metadata.json');
      expect(files.filter(f => f.endsWith('.json'))).toEqual(['construct-metadata.json']);
      const metadata = JSON.parse(fs.readFileSync(path.join(outdir, 'construct-metadata.json'), 'utf8'));
      expect(metadata.version).toBe('1.0.0');
      expect(metadata.resources.products).toEqual({ path: expect.stringMatching(/^catalog\/products\//) });
      for (const env of ['dev', 'prod']) expect(fs.readdirSync(path.join(outdir, env)).filter(f => !f.endsWith('.yaml'))).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.CDK8S_RECORD_CONSTRUCT_METADATA;
      else process.env.CDK8S_RECORD_CONSTRUCT_METADATA = before;
    }
  });

  test('extraFiles: writes files rendered from the built environments beside their directories, in the same swap', () => {
    const outdir = path.join(tmp, 'dist');
    const files = synthesizeEnvironments([DEV, PROD], (app, env) => build(app, env), {
      outdir,
      extraFiles: built => Object.fromEntries(built.map(b => [`extra/${b.directory}.txt`, `${b.environment.name}: ${b.app.charts.length} charts`])),
    });
    expect(files).toEqual(expect.arrayContaining(['extra/dev.txt', 'extra/prod.txt']));
    expect(fs.readFileSync(path.join(outdir, 'extra', 'prod.txt'), 'utf8')).toBe('prod: 2 charts');
  });

  test.each(['dev/notes.md', 'prod.applyset.yaml', '../outside.md', '/abs/path.md'])('extraFiles: refuses %s (inside an environment, ours, or outside the output) and leaves the output as it was', (file) => {
    const outdir = path.join(tmp, 'dist');
    const err = thrown(() => synthesizeEnvironments([DEV, PROD], (app, env) => build(app, env), { outdir, extraFiles: () => ({ [file]: 'x' }) }));
    expect(err).toBeInstanceOf(ConfigurationError);
    expect(err.message).toContain('extraFiles');
    expect(err.message).toContain(file);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('writes the ApplySet bootstrap beside the directories: the parent type once, a parent per environment named <platform>-<env>', () => {
    const outdir = path.join(tmp, 'dist');
    synthesizeEnvironments([DEV, PROD], (app, env) => build(app, env), { outdir });
    const [crd] = Yaml.load(path.join(outdir, 'applyset-crd.yaml')) as Manifest[];
    expect(crd).toMatchObject({ kind: 'CustomResourceDefinition', metadata: { name: 'applysets.platform.cdk8s-microservices.io' } });
    for (const env of ['dev', 'prod']) {
      const [parent] = Yaml.load(path.join(outdir, `${env}.applyset.yaml`)) as Manifest[];
      const set = new ApplySet({ platform: 'shop', environment: env, kubectlVersion: KUBECTL_VERSION });
      expect(parent).toEqual(set.parent());
      expect(parent.metadata.name).toBe(`shop-${env}`);
      expect(parent.metadata.annotations['applyset.kubernetes.io/tooling']).toBe('kubectl/v1.37.2');
    }
  });

  test('names the kubectl release given in the parents\' tooling annotation', () => {
    const outdir = path.join(tmp, 'dist');
    synthesizeEnvironments([PROD], (app, env) => build(app, env), { outdir, kubectlVersion: '1.36.4' });
    const [parent] = Yaml.load(path.join(outdir, 'prod.applyset.yaml')) as Manifest[];
    expect(parent.metadata.annotations['applyset.kubernetes.io/tooling']).toBe('kubectl/v1.36.4');
  });

  test('fails when a rendered object carries applyset.kubernetes.io/ metadata (kubectl refuses it), and writes nothing', () => {
    const outdir = path.join(tmp, 'dist');
    const e = thrown(() => synthesizeEnvironments([PROD], (app, env) => {
      build(app, env);
      app.charts[1].node.findAll().filter(c => (c as { kind?: string }).kind === 'Deployment')
        .forEach(d => (d as unknown as { metadata: { addLabel(k: string, v: string): void } }).metadata.addLabel('applyset.kubernetes.io/part-of', 'x'));
    }, { outdir }));
    expect(e).toMatchObject({ code: ErrorCode.RESERVED_NAME });
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('fails when an environment builds no Platform or two: each environment is one ApplySet named after its platform', () => {
    const outdir = path.join(tmp, 'dist');
    const e = thrown(() => synthesizeEnvironments([PROD], (app, env) => {
      build(app, env);
      new Platform(app, 'other', { environment: env });
    }, { outdir }));
    expect(e).toMatchObject({ path: 'synthesizeEnvironments', prop: 'build', code: ErrorCode.CONFLICT });
    expect(e.message).toContain('must build exactly one Platform per environment (environment \'prod\' built 2)');
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('fails when the code differs by environment in a way no aspect declares, naming the object and path, and writes nothing', () => {
    const outdir = path.join(tmp, 'dist');
    fs.mkdirSync(path.join(outdir, 'prod'), { recursive: true });
    fs.writeFileSync(path.join(outdir, 'prod', 'kept.yaml'), 'kept: true\n');
    const e = thrown(() => synthesizeEnvironments([DEV, PROD], (app, env) =>
      build(app, env, e2 => ({ env: { LOG_FORMAT: e2.name === 'dev' ? 'text' : 'json' } })), { outdir }));
    expect(ConfigurationError.isConfigurationError(e)).toBe(true);
    expect(e).toMatchObject({ code: ErrorCode.CONFLICT, path: 'environments', prop: 'parity' });
    expect(e.message).toContain('dev vs prod: v1/ConfigMap/catalog/products-config-');
    expect(e.message).toMatch(/data\.LOG_FORMAT: 'text' vs 'json'/);
    expect(e.message).toContain('declare the difference in the Environment');
    expect(e.message).toContain('or make the code identical for every environment (no branching on env.name)');
    // the hashed ConfigMap's new name in the Deployment follows it: undeclared too
    expect(e.message).toMatch(/apps\/v1\/Deployment\/catalog\/products .*configMap/);
    expect(fs.readdirSync(outdir)).toEqual(['prod']);
    expect(fs.readdirSync(path.join(outdir, 'prod'))).toEqual(['kept.yaml']);
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
  });

  test('fails when a build fails in any environment, and writes nothing', () => {
    const outdir = path.join(tmp, 'dist');
    const e = thrown(() => synthesizeEnvironments([DEV, PROD], (app, env) => build(app, env, e2 => (e2.name === 'prod' ? { minReplicas: 0 } : {})), { outdir }));
    expect(e.prop).toBe('minReplicas');
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  test('fails when the environments are missing, repeated or not Environments', () => {
    expect(thrown(() => synthesizeEnvironments([], () => undefined, { outdir: tmp })).code).toBe(ErrorCode.MISSING_REQUIRED);
    const dup = thrown(() => synthesizeEnvironments([DEV, Environment.of('dev')], () => undefined, { outdir: tmp }));
    expect(dup.message).toBe('synthesizeEnvironments: \'environments\' (\'dev\') must not repeat an environment name: each names its own directory; give each environment its own name');
    expect(thrown(() => synthesizeEnvironments([{ name: 'dev' } as unknown as Environment], () => undefined, { outdir: tmp })).code).toBe(ErrorCode.WRONG_TYPE);
  });
});

describe('parityReport', () => {
  test('lists what differs object by object with the aspect that explains it', () => {
    const deployment = (cpu: string) => ({ ...obj('Deployment', 'products'), apiVersion: 'apps/v1',
      spec: { template: { spec: { containers: [{ name: 'main', resources: { requests: { cpu } } }] } } } });
    const hpa = (max: number) => ({ ...obj('HorizontalPodAutoscaler', 'products'), apiVersion: 'autoscaling/v2', spec: { minReplicas: 2, maxReplicas: max } });
    const report = parityReport(output(DEV, [deployment('50m'), hpa(2), obj('Service', 'products')]), output(PROD, [deployment('100m'), hpa(6), obj('Service', 'products')]));
    expect(report).toMatchObject({ a: 'dev', b: 'prod', compared: 3, undeclared: [], declaredAspects: ['replicas', 'resources'] });
    expect(report.objects).toEqual([
      { key: 'apps/v1/Deployment/catalog/products', differences: [
        { path: 'spec.template.spec.containers[0].resources.requests.cpu', a: '50m', b: '100m', aspects: ['resources'], declared: true }] },
      { key: 'autoscaling/v2/HorizontalPodAutoscaler/catalog/products', differences: [
        { path: 'spec.maxReplicas', a: 2, b: 6, aspects: ['replicas'], declared: true }] },
    ]);
    expect(renderParityReport(report)).toBe([
      'parity dev vs prod: 3 objects compared, 2 differ, 0 undeclared differences',
      'declared differently: replicas, resources',
      'apps/v1/Deployment/catalog/products',
      '  spec.template.spec.containers[0].resources.requests.cpu: \'50m\' -> \'100m\'  [resources]',
      'autoscaling/v2/HorizontalPodAutoscaler/catalog/products',
      '  spec.maxReplicas: 2 -> 6  [replicas]',
      '',
    ].join('\n'));
  });

  test('a difference is undeclared when its aspect is declared the same in both environments', () => {
    const hpa = (max: number) => ({ ...obj('HorizontalPodAutoscaler', 'products'), spec: { maxReplicas: max } });
    const report = parityReport(output(PROD, [hpa(2)]), output(Environment.of('staging'), [hpa(6)]));
    expect(report.undeclared).toEqual([{ key: 'v1/HorizontalPodAutoscaler/catalog/products', path: 'spec.maxReplicas', a: 2, b: 6, aspects: ['replicas'], declared: false }]);
    expect(renderParityReport(report)).toContain('  spec.maxReplicas: 2 -> 6  [UNDECLARED (replicas)]');
    expect(renderParityReport(report)).toContain('declared differently: nothing');
  });

  test('an object in one environment only is classified by its kind; an unknown kind is undeclared', () => {
    const withSecrets = Environment.of('local', { allowLiteralSecrets: true });
    const report = parityReport(output(withSecrets, [obj('Secret', 'products-api'), obj('Role', 'extra')]), output(PROD, [obj('ExternalSecret', 'products-api')]));
    expect(report.objects.map(o => [o.key, o.differences[0].aspects, o.differences[0].declared])).toEqual([
      ['v1/ExternalSecret/catalog/products-api', ['allowLiteralSecrets'], true],
      ['v1/Role/catalog/extra', [], false],
      ['v1/Secret/catalog/products-api', ['allowLiteralSecrets'], true],
    ]);
    const text = renderParityReport(report);
    expect(text).toContain('  (object): Role extra -> (absent)  [UNDECLARED (no aspect)]');
    expect(text).toContain('  (object): (absent) -> ExternalSecret products-api  [allowLiteralSecrets]');
  });

  test('pairs objects whose names differ only in their content hash; the name follows the object\'s own differences', () => {
    const job = (name: string, cpu: string) => ({ ...obj('Job', name), spec: { template: { spec: { containers: [{ resources: { limits: { cpu } } }] } } } });
    const ref = (name: string) => ({ ...obj('CronJob', 'runner'), spec: { jobName: name } });
    const report = parityReport(output(DEV, [job('migrate-0123456789', '50m'), ref('migrate-0123456789')]),
      output(PROD, [job('migrate-abcdefabcd', '100m'), ref('migrate-abcdefabcd')]));
    expect(report.compared).toBe(2);
    expect(report.undeclared).toEqual([]);
    expect(report.objects.find(o => o.key === 'v1/Job/catalog/migrate-0123456789')!.differences.map(d => [d.path, d.aspects]))
      .toEqual([['spec.template.spec.containers[0].resources.limits.cpu', ['resources']], ['metadata.name', ['resources']]]);
    expect(report.objects.find(o => o.key === 'v1/CronJob/catalog/runner')!.differences).toEqual([
      { path: 'spec.jobName', a: 'migrate-0123456789', b: 'migrate-abcdefabcd', aspects: ['resources'], declared: true }]);
  });

  test('a hash that changes without a declared reason is undeclared', () => {
    const cm = (name: string, level: string) => ({ ...obj('ConfigMap', name), data: { LEVEL: level } });
    const report = parityReport(output(DEV, [cm('products-config-0123456789', 'debug')]), output(PROD, [cm('products-config-abcdefabcd', 'info')]));
    expect(report.undeclared.map(d => d.path)).toEqual(['data.LEVEL', 'metadata.name']);
  });

  test('classifies by the table: quota, hosts, TLS, exposure, stores and the Kubernetes version', () => {
    const cases: Array<[string, string, string]> = [
      ['ResourceQuota', 'spec.hard.pods', 'quota'],
      ['LimitRange', 'spec.limits[0].max.cpu', 'quota'],
      ['HTTPRoute', 'spec.hostnames[0]', 'hosts'],
      ['Gateway', 'spec.listeners[0].hostname', 'hosts'],
      ['Gateway', 'metadata.annotations.cert-manager.io/cluster-issuer', 'tlsIssuer'],
      ['SecurityPolicy', 'spec.authorization.rules[0]', 'exposure'],
      ['ExternalSecret', 'spec.secretStoreRef.name', 'secretStores'],
      ['PriorityClass', 'metadata.annotations.cdk8s-microservices.io/kubernetes-version', 'kubernetesVersion'],
      ['StatefulSet', 'spec.template.spec.initContainers[0].resources.limits.cpu', 'resources'],
      ['Deployment', 'spec.template.spec.containers[0].lifecycle.preStop', 'kubernetesVersion'],
    ];
    for (const [kind, at, aspect] of cases) {
      const set = (value: string) => {
        const o: Manifest = obj(kind, 'x');
        const keys = at.replace(/\[(\d+)\]/g, '.$1').split('.');
        const annotation = keys.indexOf('annotations');
        const parts = annotation >= 0 ? [...keys.slice(0, annotation + 1), keys.slice(annotation + 1).join('.')] : keys;
        let node: Manifest = o;
        parts.slice(0, -1).forEach((k, i) => {
          node[k] ??= /^\d+$/.test(parts[i + 1]) ? [] : {};
          node = node[k];
        });
        node[parts[parts.length - 1]] = value;
        return o;
      };
      const [d] = parityReport(output(PROD, [set('a')]), output(PROD, [set('b')])).objects[0].differences;
      expect([kind, d.path, d.aspects.includes(aspect)]).toEqual([kind, at, true]);
    }
  });
});

describe('checkParity', () => {
  test('compares every pair: a difference declared against one environment is still refused against another', () => {
    const hpa = (max: number) => ({ ...obj('HorizontalPodAutoscaler', 'products'), spec: { maxReplicas: max } });
    // dev declares other replicas than both; staging and prod declare the same, so their difference is not theirs to have
    const e = thrown(() => checkParity([output(DEV, [hpa(2)]), output(Environment.of('staging'), [hpa(4)]), output(PROD, [hpa(6)])]));
    expect(e.message).toContain('staging vs prod: v1/HorizontalPodAutoscaler/catalog/products spec.maxReplicas: 4 vs 6');
    expect(e.message).not.toContain('dev vs');
  });

  test('passes when every difference is declared, for every pair of environments', () => {
    const hpa = (max: number) => ({ ...obj('HorizontalPodAutoscaler', 'products'), spec: { maxReplicas: max } });
    expect(() => checkParity([output(DEV, [hpa(2)]), output(PROD, [hpa(6)]), output(Environment.of('staging', { replicas: { max: 3 } }), [hpa(3)])])).not.toThrow();
  });

  test('fails listing each undeclared difference with both values', () => {
    const svc = (port: number) => ({ ...obj('Service', 'products'), spec: { ports: [{ port }] } });
    const e = thrown(() => checkParity([output(DEV, [svc(80)]), output(PROD, [svc(8080)])]));
    expect(e.message).toBe('environments: \'parity\' (\'1 undeclared difference\') must each be declared in the environments, since everything else is built identically from the same code:\n'
      + '  dev vs prod: v1/Service/catalog/products spec.ports[0].port: 80 vs 8080\n'
      + '; declare the difference in the Environment (replicas, resources, quota, hosts, tlsIssuer, allowPlainHttp, allowLiteralSecrets, secretStores, kubernetesVersion, exposure), '
      + 'or make the code identical for every environment (no branching on env.name)');
  });
});

describe('loadManifests', () => {
  test('reads every YAML file below a directory, in name order', () => {
    fs.mkdirSync(path.join(tmp, 'sub'));
    fs.writeFileSync(path.join(tmp, 'b.yaml'), 'kind: B\n---\nkind: C\n');
    fs.writeFileSync(path.join(tmp, 'a.yml'), 'kind: A\n');
    fs.writeFileSync(path.join(tmp, 'sub', 'd.yaml'), 'kind: D\n');
    fs.writeFileSync(path.join(tmp, 'notes.txt'), 'kind: X\n');
    expect(loadManifests(tmp)).toEqual([{ kind: 'A' }, { kind: 'B' }, { kind: 'C' }, { kind: 'D' }]);
  });

  test('fails when the directory does not exist', () => {
    const e = thrown(() => loadManifests(path.join(tmp, 'qa')));
    expect(e).toMatchObject({ code: ErrorCode.UNKNOWN_REFERENCE, prop: 'dir' });
    expect(e.message).toContain('must be a directory of synthesized manifests; run npm run synth first, or name an environment the platform declares');
  });
});

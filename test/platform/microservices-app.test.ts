/**
 * `MicroservicesApp.synth()` (and so `synthesize()`) writes what cdk8s' own
 * `App.synth()` writes: the same files and folders, the same names, in the same
 * order, byte for byte, for every output type cdk8s has, with and without
 * dependencies between charts, on the reference platform and the benchmark
 * platform; it validates before writing anything and never replaces a cdk8s static.
 */
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, AppProps, Chart, Yaml, YamlOutputType } from 'cdk8s';
import { buildSalesPlatform } from '../../charts';
import { _Chart } from '../../lib/internal/chart';
import { MicroservicesApp } from '../../lib';
import { buildOurs } from '../bench/platforms';

// the module object itself, which cdk8s writes through (an `import * as` copy could not be spied on)
import fs = require('fs');

const TYPES: Array<[string, YamlOutputType]> = [
  ['FILE_PER_CHART', YamlOutputType.FILE_PER_CHART],
  ['FILE_PER_APP', YamlOutputType.FILE_PER_APP],
  ['FILE_PER_RESOURCE', YamlOutputType.FILE_PER_RESOURCE],
  ['FOLDER_PER_CHART_FILE_PER_RESOURCE', YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE],
];

/** What a synth wrote: each file's path below outdir and its text, in the order written (a file written twice appears twice). */
type Writes = Array<[string, string]>;

function synthWith(kind: typeof App, build: (app: App) => void, props: AppProps): { writes: Writes; tree: string[] } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'microservices-app-test-'));
  const app = new kind({ ...props, outdir });
  build(app);
  const writes: Writes = [];
  const write = fs.writeFileSync;
  const spy = jest.spyOn(fs, 'writeFileSync').mockImplementation((file, data, options) => {
    writes.push([path.relative(outdir, String(file)), String(data)]);
    write(file, data, options);
  });
  try {
    app.synth();
  } finally {
    spy.mockRestore();
  }
  const tree = (fs.readdirSync(outdir, { recursive: true }) as string[]).sort();
  fs.rmSync(outdir, { recursive: true, force: true });
  return { writes, tree };
}

/** Synthesizes the app built by `build` with cdk8s' App and with MicroservicesApp, and expects the same writes. */
function expectSameAsCdk8s(build: (app: App) => void, props: AppProps = {}): Writes {
  const cdk8s = synthWith(App, build, props);
  const ours = synthWith(MicroservicesApp, build, props);
  expect(ours.writes.map(([f]) => f)).toEqual(cdk8s.writes.map(([f]) => f));
  ours.writes.forEach(([f, text], i) => expect(`${f}\n${text}`).toBe(`${f}\n${cdk8s.writes[i][1]}`));
  expect(ours.tree).toEqual(cdk8s.tree);
  return cdk8s.writes;
}

function object(scope: Chart, id: string, kind: string, name: string, data: Record<string, string> = {}): ApiObject {
  return new ApiObject(scope, id, { apiVersion: 'v1', kind, metadata: { name }, data } as never);
}

/** Charts that depend on each other: by a construct dependency across charts and by nesting; a library chart; names to sanitize; a file name used twice. */
function dependentCharts(app: App): void {
  const web = new _Chart(app, 'web', { namespace: 'web' });
  const base = new Chart(app, 'Base Chart');
  const settings = object(base, 'settings', 'ConfigMap', 'settings', { mode: 'on', when: 'REPLACE' });
  const deployment = object(web, 'deployment', 'Deployment', 'web');
  const service = object(web, 'service', 'Service', 'web:80/tcp');
  service.addDependency(deployment);
  deployment.addDependency(settings);
  const nested = new Chart(web, 'nested');
  object(nested, 'settings', 'ConfigMap', 'settings', { mode: 'nested' }); // the same Kind.name as base's
}

/** Charts that do not depend on each other. */
function independentCharts(app: App): void {
  object(new Chart(app, 'one'), 'a', 'ConfigMap', 'a', { multi: 'line one\nline two\n' });
  object(new _Chart(app, 'two'), 'b', 'Secret', 'b');
  new Chart(app, 'empty');
}

const replacing: AppProps = {
  resolvers: [{ resolve: ctx => { if (ctx.value === 'REPLACE') ctx.replaceValue('replaced'); } }],
};

describe('MicroservicesApp', () => {
  test.each(TYPES)('writes what cdk8s App.synth() writes, %s, charts depending on each other', (_, yamlOutputType) => {
    const writes = expectSameAsCdk8s(dependentCharts, { yamlOutputType, ...replacing });
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.map(([, text]) => text).join('')).toContain('when: replaced');
  });

  test.each(TYPES)('writes what cdk8s App.synth() writes, %s, independent charts, another extension, construct metadata', (_, yamlOutputType) => {
    const writes = expectSameAsCdk8s(independentCharts, { yamlOutputType, outputFileExtension: '.yml', recordConstructMetadata: true });
    expect(writes.map(([f]) => f)).toContain('construct-metadata.json');
  });

  test('names and orders the files as cdk8s does: indexed charts in dependency order, sanitized resource names, the last of two same names wins', () => {
    expect(expectSameAsCdk8s(dependentCharts).map(([f]) => f)).toEqual(['0000-web-nested-c8d7ac44.k8s.yaml', '0001-basechart-c83e4e78.k8s.yaml', '0002-web.k8s.yaml']);
    const perResource = expectSameAsCdk8s(dependentCharts, { yamlOutputType: YamlOutputType.FILE_PER_RESOURCE });
    expect(perResource.map(([f]) => f)).toEqual(['ConfigMap.settings.k8s.yaml', 'ConfigMap.settings.k8s.yaml', 'Deployment.web.k8s.yaml', 'Service.web80tcp.k8s.yaml']);
    expect(expectSameAsCdk8s(independentCharts).map(([f]) => f)).toEqual(['one.k8s.yaml', 'two.k8s.yaml', 'empty.k8s.yaml']);
  });

  test.each(TYPES)('writes what cdk8s App.synth() writes for the reference platform, %s', (_, yamlOutputType) => {
    expectSameAsCdk8s(app => buildSalesPlatform(app), { yamlOutputType });
  });

  test.each(TYPES)('writes what cdk8s App.synth() writes for the benchmark platform, %s', (_, yamlOutputType) => {
    expectSameAsCdk8s(app => buildOurs(app, 3, 12), { yamlOutputType });
  });

  test('leaves an output type it does not know to cdk8s', () => {
    expect(expectSameAsCdk8s(dependentCharts, { yamlOutputType: 99 as YamlOutputType })).toEqual([]);
  });

  test('writes construct-metadata.json when cdk8s synth asks for it through $CDK8S_RECORD_CONSTRUCT_METADATA', () => {
    const previous = process.env.CDK8S_RECORD_CONSTRUCT_METADATA;
    process.env.CDK8S_RECORD_CONSTRUCT_METADATA = 'true';
    try {
      expect(new MicroservicesApp().recordsConstructMetadata).toBe(true);
      expect(expectSameAsCdk8s(independentCharts).map(([f]) => f)).toContain('construct-metadata.json');
    } finally {
      if (previous === undefined) delete process.env.CDK8S_RECORD_CONSTRUCT_METADATA; else process.env.CDK8S_RECORD_CONSTRUCT_METADATA = previous;
    }
    expect(new MicroservicesApp().recordsConstructMetadata).toBe(previous === 'true');
  });

  test('fails when a validation fails, with cdk8s message, before writing any file', () => {
    const broken = (app: App) => {
      dependentCharts(app);
      app.node.findChild('web').node.addValidation({ validate: () => ['quota too small'] });
    };
    const messages = [App, MicroservicesApp].map(kind => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microservices-app-test-'));
      const app = new kind({ outdir: dir });
      broken(app);
      const write = jest.spyOn(fs, 'writeFileSync');
      try {
        expect(() => app.synth()).toThrow('Validation failed with the following errors:\n  [web] quota too small');
        expect(write).not.toHaveBeenCalled();
        expect(fs.readdirSync(dir)).toEqual([]);
      } finally {
        write.mockRestore();
      }
      try { app.synth(); } catch (err) { return (err as Error).message; }
      return undefined;
    });
    expect(messages[1]).toBe(messages[0]);
  });

  test('never replaces a cdk8s static, and never calls Yaml.save', () => {
    const original = { save: Yaml.save, stringify: Yaml.stringify };
    const during: unknown[] = [];
    const app = new MicroservicesApp({
      outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'microservices-app-test-')),
      resolvers: [{ resolve: () => { during.push(Yaml.save, Yaml.stringify); } }],
    });
    independentCharts(app);
    const save = jest.spyOn(Yaml, 'save');
    try {
      app.synth();
      expect(save).not.toHaveBeenCalled();
    } finally {
      save.mockRestore();
    }
    expect(during.length).toBeGreaterThan(0);
    // while the manifests are rendered, the statics are cdk8s' own (the spy stands for Yaml.save)
    expect(during.filter((f, i) => i % 2 === 1 && f !== original.stringify)).toEqual([]);
    expect(Yaml.save).toBe(original.save);
    expect(fs.readdirSync(app.outdir).sort()).toEqual(['empty.k8s.yaml', 'one.k8s.yaml', 'two.k8s.yaml']);
  });

  test('leaves the serializing to cdk8s when the emitter does not match the installed cdk8s, with the same files', () => {
    const original = Yaml.stringify.bind(Yaml);
    // a cdk8s that indents sequences differently
    const stringify = jest.spyOn(Yaml, 'stringify').mockImplementation((...docs: any[]) => original(...docs).replace(/^( *)- /mg, '$1-   '));
    const save = jest.spyOn(Yaml, 'save');
    try {
      const writes = expectSameAsCdk8s(app => buildOurs(app, 1, 2));
      expect(writes.map(([, text]) => text).join('')).toContain('-   name:');
      expect(save).toHaveBeenCalledTimes(2 * writes.length); // cdk8s' own Yaml.save wrote the files, both times
    } finally {
      stringify.mockRestore();
      save.mockRestore();
    }
  });
});

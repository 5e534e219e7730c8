import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart } from 'cdk8s';
import { synthesize } from '../../lib';

function workdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'synthesize-test-'));
}

function configMap(chart: Chart, name: string): void {
  new ApiObject(chart, name, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
}

describe('synthesize', () => {
  test('writes the manifests and replaces what the directory held before', () => {
    const dir = workdir();
    const outdir = path.join(dir, 'dist');
    fs.mkdirSync(outdir);
    fs.writeFileSync(path.join(outdir, 'stale.k8s.yaml'), 'kind: Old\n');

    const files = synthesize(app => configMap(new Chart(app, 'one'), 'settings'), { outdir });

    expect(files).toEqual(['one.k8s.yaml']);
    expect(fs.readdirSync(outdir)).toEqual(['one.k8s.yaml']);
    expect(fs.readFileSync(path.join(outdir, 'one.k8s.yaml'), 'utf8')).toMatch(/name: settings/);
    expect(fs.readdirSync(dir)).toEqual(['dist']);
  });

  test('fails when the app throws, leaving the directory as it was and nothing beside it', () => {
    const dir = workdir();
    const outdir = path.join(dir, 'dist');
    fs.mkdirSync(outdir);
    fs.writeFileSync(path.join(outdir, 'committed.k8s.yaml'), 'kind: Committed\n');

    expect(() => synthesize(() => { throw new Error('shop/catalog: \'team\' (\'\') must be a label value; name the team'); }, { outdir }))
      .toThrow(/^shop\/catalog: 'team'/);

    expect(fs.readdirSync(outdir)).toEqual(['committed.k8s.yaml']);
    expect(fs.readFileSync(path.join(outdir, 'committed.k8s.yaml'), 'utf8')).toBe('kind: Committed\n');
    expect(fs.readdirSync(dir)).toEqual(['dist']);
  });

  test('fails when a validation fails at synth, leaving the directory as it was', () => {
    const dir = workdir();
    const outdir = path.join(dir, 'dist');
    fs.mkdirSync(outdir);
    fs.writeFileSync(path.join(outdir, 'committed.k8s.yaml'), 'kind: Committed\n');

    expect(() => synthesize(app => {
      const chart = new Chart(app, 'one');
      configMap(chart, 'settings');
      chart.node.addValidation({ validate: () => ['quota too small'] });
    }, { outdir })).toThrow(/quota too small/);

    expect(fs.readdirSync(outdir)).toEqual(['committed.k8s.yaml']);
    expect(fs.readdirSync(dir)).toEqual(['dist']);
  });

  test('writes into $CDK8S_OUTDIR (what `cdk8s synth` sets) by default, creating it', () => {
    const dir = workdir();
    const previous = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = path.join(dir, 'out');
    try {
      synthesize(app => configMap(new Chart(app, 'one'), 'settings'));
    } finally {
      if (previous === undefined) delete process.env.CDK8S_OUTDIR; else process.env.CDK8S_OUTDIR = previous;
    }

    expect(fs.readdirSync(path.join(dir, 'out'))).toEqual(['one.k8s.yaml']);
  });

  test('writes into ./dist when neither outdir nor $CDK8S_OUTDIR is given', () => {
    const dir = workdir();
    const previous = { cwd: process.cwd(), outdir: process.env.CDK8S_OUTDIR };
    delete process.env.CDK8S_OUTDIR;
    process.chdir(dir);
    try {
      synthesize(app => configMap(new Chart(app, 'one'), 'settings'));
    } finally {
      process.chdir(previous.cwd);
      if (previous.outdir !== undefined) process.env.CDK8S_OUTDIR = previous.outdir;
    }

    expect(fs.readdirSync(path.join(dir, 'dist'))).toEqual(['one.k8s.yaml']);
  });
});

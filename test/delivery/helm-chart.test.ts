import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, ApiObject, Chart, Yaml } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { BoundedContext, ConfigurationError, Environment, HELM_ENVIRONMENT_VARIABLE, Platform, PreviousOutput, escapeHelmTemplate, helmChartDirectory, synthesizeHelmChart } from '../../lib';

const DEV = Environment.of('dev');
const PROD = Environment.of('prod');

/** A platform with one context and a ConfigMap whose values look like templates. */
function build(app: App, env: Environment): void {
  const platform = new Platform(app, 'shop', { environment: env });
  new BoundedContext(app, 'catalog', { platform, team: 'catalog-team' });
  const chart = new Chart(app, 'extra');
  new ApiObject(chart, 'alerts', {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'alerts', namespace: 'catalog' },
    data: { summary: '{{ $labels.job }} is down', env: env.name, nested: 'a {{{ b }}} c {{- d -}} }}', block: 'line one {{ x }}\nline two }}\n' },
  });
}

/** The objects of a YAML text. */
function parse(text: string): any[] {
  return parseAllDocuments(text).map(d => d.toJSON());
}

/** A chart scaffold as `cdk8s synth --format helm` leaves it before the app runs. */
function scaffold(): string {
  const chart = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-chart-test-'));
  fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: shop\nversion: 1.0.0\n');
  return path.join(chart, 'templates');
}

/** What Go's text/template makes of an escaped text: each `{{ "{{" }}` action prints `{{`; any other action is a failure. */
function render(text: string): string {
  return text.replace(/\{\{(.*?)\}\}/gs, (_m, action: string) => {
    if (action !== ' "{{" ') throw new Error(`a template action survived the escaping: {{${action}}}`);
    return '{{';
  });
}

describe('escapeHelmTemplate', () => {
  test.each([
    ['{{ $labels.job }} is down'],
    ['{{{ triple }}}'],
    ['{{- trim -}}'],
    ['}} alone {{'],
    ['{{/* comment */}}'],
    ['no braces at all'],
    ['{{{{'],
  ])('%j renders back byte for byte, and no other action remains', (text) => {
    expect(render(escapeHelmTemplate(text))).toBe(text);
  });

  test('an alert annotation becomes the action that prints {{', () => {
    expect(escapeHelmTemplate('summary: "{{ $labels.job }} down"')).toBe('summary: "{{ "{{" }} $labels.job }} down"');
  });
});

describe('helmChartDirectory', () => {
  test('is the chart when the directory is templates/ with a Chart.yaml beside it', () => {
    const templates = scaffold();
    expect(helmChartDirectory(templates)).toBe(path.dirname(templates));
  });

  test('is undefined for a plain output directory, a templates/ without Chart.yaml, or none', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-none-'));
    expect(helmChartDirectory(dir)).toBeUndefined();
    expect(helmChartDirectory(path.join(dir, 'templates'))).toBeUndefined();
    expect(helmChartDirectory(undefined)).toBeUndefined();
  });

  test('defaults to CDK8S_OUTDIR', () => {
    const templates = scaffold();
    const before = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = templates;
    try {
      expect(helmChartDirectory()).toBe(path.dirname(templates));
    } finally {
      if (before === undefined) delete process.env.CDK8S_OUTDIR; else process.env.CDK8S_OUTDIR = before;
    }
  });
});

describe('synthesizeHelmChart', () => {
  test('writes the one environment flat into templates/, escaped, without the ApplySet parent or its CRD', () => {
    const templates = scaffold();
    const files = synthesizeHelmChart([DEV, PROD], build, { environment: 'prod', templatesDir: templates, previous: () => PreviousOutput.NONE });
    expect(fs.readdirSync(templates).sort()).toEqual(files);
    expect(files.length).toBeGreaterThan(0);
    const all = files.map(f => fs.readFileSync(path.join(templates, f), 'utf8')).join('\n');
    expect(all).not.toMatch(/CustomResourceDefinition|ApplySet/);
    const objects = files.flatMap(f => Yaml.load(path.join(templates, f)));
    expect(objects.some(o => o.kind === 'Namespace' && o.metadata.name === 'catalog')).toBe(true);
    // rendered as Helm would, the templates are the objects a plain synth writes
    const rendered = files.flatMap(f => parse(render(fs.readFileSync(path.join(templates, f), 'utf8')))).filter(o => o);
    const cm = rendered.find(o => o.kind === 'ConfigMap' && o.metadata.name === 'alerts');
    expect(cm.data).toEqual({ summary: '{{ $labels.job }} is down', env: 'prod', nested: 'a {{{ b }}} c {{- d -}} }}', block: 'line one {{ x }}\nline two }}\n' });
    // named after the platform and environment, the CLI's version kept
    expect(fs.readFileSync(path.join(path.dirname(templates), 'Chart.yaml'), 'utf8'))
      .toBe("apiVersion: v2\nversion: 1.0.0\nname: shop-prod\ndescription: The shop platform's prod environment, synthesized by cdk8s-microservices\n");
  });

  test('defaults: the environment from CDK8S_MS_HELM_ENVIRONMENT, the templates/ directory from CDK8S_OUTDIR', () => {
    const templates = scaffold();
    const saved = { env: process.env[HELM_ENVIRONMENT_VARIABLE], out: process.env.CDK8S_OUTDIR };
    process.env[HELM_ENVIRONMENT_VARIABLE] = 'dev';
    process.env.CDK8S_OUTDIR = templates;
    try {
      const files = synthesizeHelmChart([DEV, PROD], build, { previous: () => PreviousOutput.NONE });
      const cm = files.flatMap(f => parse(render(fs.readFileSync(path.join(templates, f), 'utf8')))).find(o => o?.metadata?.name === 'alerts');
      expect(cm.data.env).toBe('dev');
    } finally {
      for (const [k, v] of [[HELM_ENVIRONMENT_VARIABLE, saved.env], ['CDK8S_OUTDIR', saved.out]] as const) {
        if (v === undefined) delete process.env[k]; else process.env[k] = v;
      }
    }
  });

  test('refuses an unnamed or unknown environment, saying which exist and how to pick one', () => {
    const templates = scaffold();
    const saved = process.env[HELM_ENVIRONMENT_VARIABLE];
    delete process.env[HELM_ENVIRONMENT_VARIABLE];
    try {
      expect(() => synthesizeHelmChart([DEV, PROD], build, { templatesDir: templates })).toThrow(ConfigurationError);
      expect(() => synthesizeHelmChart([DEV, PROD], build, { templatesDir: templates }))
        .toThrow("synthesizeHelmChart: 'CDK8S_MS_HELM_ENVIRONMENT' ('(not set)') must name the one environment the chart holds (dev, prod)");
      expect(() => synthesizeHelmChart([DEV, PROD], build, { templatesDir: templates, environment: 'qa' })).toThrow(/'qa'.*run CDK8S_MS_HELM_ENVIRONMENT=prod cdk8s synth/s);
    } finally {
      if (saved !== undefined) process.env[HELM_ENVIRONMENT_VARIABLE] = saved;
    }
  });

  test('refuses a directory that is not a chart\'s templates/', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-none-'));
    expect(() => synthesizeHelmChart([PROD], build, { templatesDir: dir, environment: 'prod' })).toThrow(/must be the templates\/ directory of a chart, with Chart.yaml beside it/);
  });
});

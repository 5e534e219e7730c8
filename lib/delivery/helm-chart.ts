import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { PreviousOutput } from '../change/previous-output';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';
import { Environment } from '../platform/environment';
import { Platform } from '../platform/platform';
import { synthesizeEnvironments } from '../platform/synthesize';

/**
 * The environment variable that names the environment `cdk8s synth --format helm`
 * renders as a chart (a chart holds one environment: the objects of two would collide).
 */
export const HELM_ENVIRONMENT_VARIABLE = 'CDK8S_MS_HELM_ENVIRONMENT';

/** Helm's chart definition file, which `cdk8s synth --format helm` writes before it runs the app. */
const CHART_FILE = 'Chart.yaml';

/**
 * Escapes text for a Helm template so that `helm template` gives it back byte for byte.
 *
 * Helm runs every file of a chart's `templates/` through Go's text/template before it
 * parses the YAML, so a value such as an alert annotation `{{ $labels.job }} is down`
 * would be evaluated (and fail, or render something else). Each `{{` becomes the action
 * `{{ "{{" }}`, which prints `{{`. A `}}` outside an action is plain text to Go's
 * templates and is left as it is; the replacement works on the file's text, before YAML,
 * so quoted, plain and block scalars alike come back unchanged.
 *
 * @example
 * escapeHelmTemplate('summary: "{{ $labels.job }} is down"')
 * // 'summary: "{{ "{{" }} $labels.job }} is down"'
 */
export function escapeHelmTemplate(text: string): string {
  return text.replace(/\{\{/g, '{{ "{{" }}');
}

/**
 * The chart directory when `templatesDir` is the `templates/` directory of a chart that
 * `cdk8s synth --format helm` scaffolded (a `Chart.yaml` beside it), else undefined.
 *
 * @param templatesDir the directory the app is asked to write to
 * @default - `CDK8S_OUTDIR`, which the cdk8s CLI sets
 */
export function helmChartDirectory(templatesDir: string | undefined = process.env.CDK8S_OUTDIR): string | undefined {
  if (templatesDir === undefined) return undefined;
  const resolved = path.resolve(templatesDir);
  const chart = path.dirname(resolved);
  return path.basename(resolved) === 'templates' && fs.existsSync(path.join(chart, CHART_FILE)) ? chart : undefined;
}

/** Options of `synthesizeHelmChart`. */
export interface SynthesizeHelmChartOptions {
  /**
   * The name of the environment the chart holds.
   *
   * @default - the value of the environment variable `CDK8S_MS_HELM_ENVIRONMENT`
   */
  readonly environment?: string;
  /**
   * The chart's `templates/` directory (a `Chart.yaml` must be beside it).
   *
   * @default - `CDK8S_OUTDIR`, which `cdk8s synth --format helm` points at `<output>/templates`
   */
  readonly templatesDir?: string;
  /**
   * The environment's previous output, for the safe-change check and the ConfigMap
   * revisions (use the same as for `synthesizeEnvironments`, so the chart equals `dist/<env>/`).
   *
   * @default - `PreviousOutput.defaultFor('dist/<env>')`
   */
  readonly previous?: (env: Environment) => PreviousOutput;
}

/**
 * Synthesizes one environment as the templates of a Helm chart, for
 * `CDK8S_MS_HELM_ENVIRONMENT=prod cdk8s synth --format helm --chart-version 1.0.0`.
 *
 * The environment is built and checked exactly as `synthesizeEnvironments` does, and its
 * manifests are written flat into `templates/` with every `{{` escaped
 * (`escapeHelmTemplate`), so `helm template` renders the objects of `dist/<env>/`. The chart
 * is CRD-free: the ApplySet parent and its CustomResourceDefinition are left out, since
 * Helm tracks what a release owns itself (its release record) and prunes by it on upgrade.
 * `construct-metadata.json` is left out too (Helm would read it as a template).
 * The CLI names the chart after the current directory; it is renamed `<platform>-<env>`
 * (`sales-prod`), the rest of its `Chart.yaml` (version, API version) kept.
 *
 * @returns the template files written, relative to `templates/`
 */
export function synthesizeHelmChart(environments: readonly Environment[], build: (app: App, env: Environment) => void,
  options: SynthesizeHelmChartOptions = {}): string[] {
  const where = 'synthesizeHelmChart';
  const templatesDir = path.resolve(options.templatesDir ?? process.env.CDK8S_OUTDIR ?? 'dist');
  if (helmChartDirectory(templatesDir) === undefined) {
    throw new ConfigurationError({ path: where, prop: 'templatesDir', value: templatesDir,
      expected: `must be the templates/ directory of a chart, with ${CHART_FILE} beside it`,
      fix: 'run cdk8s synth --format helm --chart-version 1.0.0, which scaffolds the chart and points CDK8S_OUTDIR at its templates/', code: ErrorCode.INVALID_VALUE });
  }
  const names = environments.map(e => e.name);
  const name = options.environment ?? process.env[HELM_ENVIRONMENT_VARIABLE];
  const env = environments.find(e => e.name === name);
  if (env === undefined) {
    throw new ConfigurationError({ path: where, prop: HELM_ENVIRONMENT_VARIABLE, value: name ?? '(not set)',
      expected: `must name the one environment the chart holds (${names.join(', ')}): the objects of two environments would collide in one chart`,
      fix: `run ${HELM_ENVIRONMENT_VARIABLE}=${names[names.length - 1]} cdk8s synth --format helm --chart-version 1.0.0`,
      code: name === undefined ? ErrorCode.MISSING_REQUIRED : ErrorCode.UNKNOWN_OPTION });
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ms-helm-'));
  try {
    const outdir = path.join(scratch, 'out');
    let platform: string | undefined;
    synthesizeEnvironments([env], (app, e) => {
      build(app, e);
      platform = app.node.findAll().find(Platform.isPlatform)?.platformName;
    }, { outdir, previous: options.previous ?? (e => PreviousOutput.defaultFor(path.join('dist', e.name))) });
    // synthesizeEnvironments has checked that the app holds exactly one Platform
    const chartFile = path.join(path.dirname(templatesDir), CHART_FILE);
    // top-level keys of a flat file the CLI wrote: replaced line by line (the library does not parse YAML itself)
    const others = fs.readFileSync(chartFile, 'utf8').split('\n').filter(l => l.trim() !== '' && !/^(name|description):/.test(l));
    fs.writeFileSync(chartFile, [...others, `name: ${platform}-${env.name}`,
      `description: The ${platform} platform's ${env.name} environment, synthesized by cdk8s-microservices`, ''].join('\n'));
    const files = fs.readdirSync(path.join(outdir, env.name)).filter(f => f.endsWith('.yaml')).sort();
    fs.mkdirSync(templatesDir, { recursive: true });
    for (const file of files) {
      fs.writeFileSync(path.join(templatesDir, file), escapeHelmTemplate(fs.readFileSync(path.join(outdir, env.name, file), 'utf8')));
    }
    return files;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The Helm stage of `npm run conformance` (issue 26), with Helm v4 built from its Go module
 * (tools/versions.env HELM_VERSION, behind the cluster stages: background-tool.ts).
 *
 * 1. The chart of the platform: `CDK8S_MS_HELM_ENVIRONMENT=prod cdk8s synth --format helm
 *    --chart-version 1.0.0` (the real CLI, the repository's cdk8s.yaml, its policy
 *    validation) into a temporary directory; `helm lint --strict` (no error, no warning);
 *    `helm template` compared with dist/prod/ object by object: the same set of
 *    (apiVersion, kind, namespace, name), and each object deep-equal after parsing. No
 *    normalization: Helm adds no label or annotation of its own to what it renders, and
 *    the chart holds neither the ApplySet parent nor its CRD (dist/prod.applyset.yaml and
 *    dist/applyset-crd.yaml lie beside dist/prod/, so they are not compared).
 * 2. The escaping, against the real template engine: a chart of a small platform whose
 *    ConfigMap values look like templates (`{{ $labels.job }}`, `{{-`, `}}`, a template comment)
 *    must come out of `helm template` byte for byte.
 * 3. A third-party chart (test/fixtures/charts/echo) through ThirdPartyChart with this
 *    helm: the good values synthesize, every object in the context's namespace, and pass
 *    a server-side dry-run into that namespace on a control plane; the insecure values are
 *    refused with the policy rule and the object; the cluster-scoped variant is refused
 *    naming the ClusterRole. One of them finds helm on PATH (the construct's default).
 *
 *   npx tsx test/conformance/helm.ts        the stage alone (builds helm first if needed)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, ApiObject, Chart } from 'cdk8s';
import { isDeepStrictEqual } from 'util';
import { parseAllDocuments } from 'yaml';
import {
  ControlPlane, ensureTools, makeTemp, progress, readVersionsEnv, removeTemp, REPO, startControlPlane, toolPath, Tools,
} from './harness';
import { BoundedContext, Environment, Platform, PreviousOutput, ThirdPartyChart, synthesizeHelmChart } from '../../lib';

const ENV = 'prod';
const ECHO = path.join(REPO, 'test', 'fixtures', 'charts', 'echo');
type Obj = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string; [k: string]: unknown }; [k: string]: unknown };

/** The objects of YAML texts, as plain JSON (empty documents dropped). */
function parse(text: string): Obj[] {
  return parseAllDocuments(text).map((d) => d.toJSON() as Obj).filter((o) => o !== null && typeof o === 'object');
}

const key = (o: Obj) => `${o.apiVersion} ${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

/** Runs a command; stdout and stderr apart (helm template's stdout is YAML). */
function exec(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd: REPO, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
}

/** Compares two object sets; returns one line per difference. */
export function compareObjects(expected: Obj[], actual: Obj[]): string[] {
  const lines: string[] = [];
  const want = new Map(expected.map((o) => [key(o), o]));
  const got = new Map(actual.map((o) => [key(o), o]));
  if (want.size !== expected.length) lines.push(`dist/${ENV}/ names an object twice`);
  if (got.size !== actual.length) lines.push('helm template renders an object twice');
  for (const k of want.keys()) if (!got.has(k)) lines.push(`missing from helm template: ${k}`);
  for (const k of got.keys()) if (!want.has(k)) lines.push(`only in helm template: ${k}`);
  for (const [k, o] of want) {
    const other = got.get(k);
    if (other !== undefined && !isDeepStrictEqual(o, other)) lines.push(`differs: ${k}\n  dist:  ${JSON.stringify(o).slice(0, 300)}\n  helm:  ${JSON.stringify(other).slice(0, 300)}`);
  }
  return lines;
}

/** 1: the platform's chart, linted and rendered, against dist/prod/. */
function platformChart(helm: string, dir: string): number {
  const chart = path.join(dir, 'chart');
  progress(`helm: ${ENV} as a chart (CDK8S_MS_HELM_ENVIRONMENT=${ENV} cdk8s synth --format helm --chart-version 1.0.0) ...`);
  const synth = exec(path.join(REPO, 'node_modules', '.bin', 'cdk8s'), ['synth', '--format', 'helm', '--chart-version', '1.0.0', '-o', chart],
    { ...process.env, CDK8S_MS_HELM_ENVIRONMENT: ENV });
  if (synth.code !== 0) {
    process.stderr.write(synth.stdout + synth.stderr);
    progress('helm: cdk8s synth --format helm FAILED (above). Next: run the same command in the repository and read the refusal');
    return 1;
  }
  const templates = fs.readdirSync(path.join(chart, 'templates')).sort();
  const crds = fs.existsSync(path.join(chart, 'crds')) ? fs.readdirSync(path.join(chart, 'crds')) : [];
  const rendered = templates.flatMap((f) => parse(fs.readFileSync(path.join(chart, 'templates', f), 'utf8')));
  const defs = rendered.filter((o) => o.kind === 'CustomResourceDefinition' || o.kind === 'ApplySet').map(key);
  progress(`helm: chart written: ${templates.length} templates (${templates.join(', ')}), ${crds.length} files in crds/, ${defs.length} CRDs or ApplySets in templates/`);
  let failed = crds.length + defs.length > 0 ? 1 : 0;
  if (failed) progress(`helm: the chart is not CRD-free: crds/ ${crds.join(', ') || '-'}; templates ${defs.join(', ') || '-'}. Next: synthesizeHelmChart must leave them out`);

  const lint = exec(helm, ['lint', '--strict', chart]);
  const notes = lint.stdout.split('\n').filter((l) => /^\[(INFO|WARNING|ERROR)\]/.test(l));
  progress(`helm lint --strict: exit ${lint.code}; ${notes.length} notes${notes.length ? `: ${notes.join(' | ')}` : ''}`);
  if (lint.code !== 0 || notes.some((l) => /^\[(WARNING|ERROR)\]/.test(l))) {
    process.stderr.write(lint.stdout + lint.stderr);
    progress('helm lint FAILED (above). Next: fix what it names in the chart synthesizeHelmChart writes (lib/delivery/helm-chart.ts)');
    failed++;
  }

  const template = exec(helm, ['template', 'sales', chart]);
  if (template.code !== 0) {
    process.stderr.write(template.stderr);
    progress('helm template FAILED (above): a value Helm read as a template? Next: check escapeHelmTemplate (lib/delivery/helm-chart.ts)');
    return failed + 1;
  }
  const fromHelm = parse(template.stdout);
  const distDir = path.join(REPO, 'dist', ENV);
  const fromDist = fs.readdirSync(distDir).filter((f) => f.endsWith('.yaml')).sort().flatMap((f) => parse(fs.readFileSync(path.join(distDir, f), 'utf8')));
  const diff = compareObjects(fromDist, fromHelm);
  const braces = fromDist.filter((o) => JSON.stringify(o).includes('{{')).length;
  progress(`helm template: ${fromHelm.length} objects; dist/${ENV}/: ${fromDist.length} objects (${braces} with '{{' in a value); ${diff.length === 0 ? 'equal object by object' : `${diff.length} differences`}`);
  if (diff.length > 0) {
    process.stderr.write(`${diff.slice(0, 20).join('\n')}\n`);
    progress(`helm: the chart differs from dist/${ENV}/. Next: npm run synth (is dist/ fresh?), then read the first difference above`);
    failed++;
  }
  return failed;
}

/** 2: values that look like templates, through the real template engine. */
function escaping(helm: string, dir: string): number {
  const values = {
    alert: '{{ $labels.job }} in {{ $labels.namespace }} is down',
    trim: '{{- x -}} and {{/* a comment */}}',
    braces: '{{{ a }}} }} {{{{',
    block: 'line one {{ .Values.x }}\nline two }}\n',
  };
  const chart = path.join(dir, 'escape-chart');
  fs.mkdirSync(path.join(chart, 'templates'), { recursive: true });
  fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: escape\nversion: 0.1.0\n');
  synthesizeHelmChart([Environment.of(ENV)], (app: App, env: Environment) => {
    const platform = new Platform(app, 'shop', { environment: env });
    new BoundedContext(app, 'catalog', { platform, team: 'catalog-team' });
    new ApiObject(new Chart(app, 'extra'), 'strings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'strings', namespace: 'catalog' }, data: values });
  }, { environment: ENV, templatesDir: path.join(chart, 'templates'), previous: () => PreviousOutput.NONE });
  const t = exec(helm, ['template', 'escape', chart]);
  const cm = t.code === 0 ? parse(t.stdout).find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'strings') : undefined;
  const ok = cm !== undefined && isDeepStrictEqual(cm.data, values);
  progress(`helm: ${Object.keys(values).length} values with '{{' or '}}' through helm template: ${ok ? 'byte for byte' : 'CHANGED'}`);
  if (!ok) {
    process.stderr.write(`${t.stderr}\nexpected ${JSON.stringify(values)}\ngot ${JSON.stringify(cm?.data)}\n`);
    progress('helm: escaping FAILED. Next: escapeHelmTemplate (lib/delivery/helm-chart.ts) and its tests');
  }
  return ok ? 0 : 1;
}

/** A small app with the echo chart in context 'catalog'; returns the chart's objects or the refusal. */
function echoApp(helm: string | undefined, values: Record<string, unknown>): { objects?: Obj[]; namespace?: Obj; error?: string } {
  try {
    const app = new App({ outdir: makeTemp('cdk8s-ms-echo-') });
    const platform = new Platform(app, 'shop');
    const context = new BoundedContext(app, 'catalog', { platform, team: 'catalog-team' });
    const chart = new ThirdPartyChart(context, 'echo', { chart: ECHO, values, ...(helm ? { helmExecutable: helm } : {}) });
    const all = context.toJson() as Obj[];
    const mine = new Set(chart.apiObjects.map((o) => `${o.kind}/${o.name}`));
    removeTemp(app.outdir);
    return { objects: all.filter((o) => mine.has(`${o.kind}/${o.metadata?.name}`)), namespace: all.find((o) => o.kind === 'Namespace') };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** 3: a third-party chart through ThirdPartyChart, with the real helm. */
async function thirdParty(tools: Tools, helm: string, dir: string, plane?: ControlPlane): Promise<number> {
  let failed = 0;
  const check = (ok: boolean, what: string, detail = '') => {
    progress(`helm: third-party chart: ${what}: ${ok ? 'ok' : `FAILED${detail ? ` (${detail})` : ''}`}`);
    if (!ok) failed++;
  };
  // the construct's default: helm from PATH
  const savedPath = process.env.PATH;
  process.env.PATH = `${path.dirname(helm)}${path.delimiter}${savedPath}`;
  const good = echoApp(undefined, {});
  process.env.PATH = savedPath;
  check(good.objects !== undefined && good.objects.length === 3 && good.objects.every((o) => o.metadata?.namespace === 'catalog'),
    'the echo chart (helm from PATH) renders 3 objects, all in namespace catalog', good.error ?? JSON.stringify(good.objects?.map(key)));
  const bad = echoApp(helm, { insecure: true });
  check(/breaks policy rule CMS-\d+ [a-z-]+: Deployment catalog\/echo/.test(bad.error ?? ''), 'insecure values refused with the rule and the object', bad.error ?? 'not refused');
  const wide = echoApp(helm, { clusterRole: true });
  check(/'ClusterRole echo-reader'\) must render only namespaced objects/.test(wide.error ?? ''), 'a cluster-scoped object refused, named', wide.error ?? 'not refused');

  if (good.objects && good.namespace) {
    const own = plane ?? await startControlPlane(tools, tools.kubernetesVersions[0]);
    try {
      const ns = path.join(dir, 'namespace.yaml');
      const objs = path.join(dir, 'echo.yaml');
      fs.writeFileSync(ns, JSON.stringify(good.namespace));
      fs.writeFileSync(objs, good.objects.map((o) => JSON.stringify(o)).join('\n---\n'));
      const kubectl = (args: string[]) => exec(own.kubectl, ['--kubeconfig', own.kubeconfig, ...args]);
      const created = kubectl(['apply', '--server-side', '-f', ns]);
      const dry = kubectl(['apply', '--server-side', '--dry-run=server', '--field-manager', 'cdk8s-microservices', '-f', objs]);
      check(created.code === 0 && dry.code === 0, `server-side dry-run of its ${good.objects.length} objects into namespace catalog on ${own.version}`,
        (created.stderr + dry.stderr + dry.stdout).trim());
    } finally {
      if (!plane) await own.stop();
    }
  }
  return failed;
}

/** The stage: 0 when every check passed. */
export async function helmStage(tools: Tools, plane?: ControlPlane): Promise<number> {
  const helm = toolPath(tools, 'helm');
  progress(`helm ${readVersionsEnv().HELM_VERSION}: lint and template of the ${ENV} chart against dist/${ENV}/, the escaping, a third-party chart (test/conformance/helm.ts)`);
  const dir = makeTemp('cdk8s-ms-helm-');
  try {
    const failed = platformChart(helm, dir) + escaping(helm, dir) + await thirdParty(tools, helm, dir, plane);
    process.stdout.write(`helm: ${failed === 0 ? 'all checks passed' : `${failed} checks failed`}\n`);
    return failed;
  } finally {
    removeTemp(dir);
  }
}

if (require.main === module) {
  const tools = ensureTools(undefined, ['etcd', 'kubernetes', 'helm']);
  helmStage(tools).then((f) => process.exit(f ? 1 : 0), (err: Error) => {
    process.stderr.write(`helm stage: ${err.message}\n`);
    process.exit(2);
  });
}

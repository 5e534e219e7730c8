import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, DependencyGraph, Names, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { _validateSubtree } from './chart';
import { _YamlEmitter } from './yaml';

/**
 * Writes an app's manifests as cdk8s' `App.synth()` (cdk8s 2.70) writes them, from
 * cdk8s' public API, each file printed by `_YamlEmitter` instead of cdk8s'
 * serializer. Mirrored from `App.synth()` step for step:
 *
 * 1. create `app.outdir`;
 * 2. validate every construct of the app (`_validateSubtree(app)`: the same walk and
 *    message as cdk8s), so a failed validation throws before any file is written;
 * 3. resolve dependencies (`_resolveDependencies`, a copy of cdk8s' private
 *    `resolveDependencies`): a chart nested in a chart, and a construct depending on
 *    one in another chart, make the charts depend on each other; construct
 *    dependencies become dependencies of their API objects;
 * 4. the charts in `app.charts` order (cdk8s' own topological order);
 * 5. the files by `app.yamlOutputType`, named as cdk8s names them (`_ChartNamer`:
 *    `0000-`-indexed names once any chart depends on another, `app` for one file per
 *    app, `Kind.name` for one file per resource), with `app.outputFileExtension`;
 *    the documents are each chart's `toJson()` (charts that override it, such as
 *    `_Chart`, render themselves), except for one folder per chart, where cdk8s
 *    renders the chart's API objects one by one, and so does this;
 * 6. `options.review` (when given) sees every file and object before any file is
 *    written, and may refuse or add objects;
 * 7. `construct-metadata.json` when `recordConstructMetadata` is on.
 *
 * Call it only when `_writesLikeCdk8s(app)` holds; otherwise cdk8s' own `synth()` is
 * the one that knows. The tests compare files, names, write order and bytes with
 * `App.synth()` for every output type, with and without chart dependencies.
 * @internal
 */
export function _writeApp(app: App, options: _WriteOptions): void {
  fs.mkdirSync(app.outdir, { recursive: true });
  _validateSubtree(app);
  const hasDependantCharts = _resolveDependencies(app);
  const charts = app.charts;
  const ext = app.outputFileExtension;
  const files: _OutputFile[] = [];
  switch (app.yamlOutputType) {
    case YamlOutputType.FILE_PER_APP: {
      const docs = charts.flatMap(chart => Object.values(chart.toJson()));
      if (charts.length > 0) files.push({ file: `app${ext}`, docs, onePerResource: false });
      break;
    }
    case YamlOutputType.FILE_PER_CHART: {
      const namer = new _ChartNamer(hasDependantCharts);
      for (const chart of charts) {
        files.push({ file: namer.name(chart) + ext, docs: Object.values(chart.toJson()), onePerResource: false });
      }
      break;
    }
    case YamlOutputType.FILE_PER_RESOURCE:
      for (const chart of charts) {
        for (const doc of Object.values(chart.toJson())) {
          if (doc !== undefined) files.push({ file: _resourceFileName(doc.kind, doc.metadata.name) + ext, docs: [doc], onePerResource: true });
        }
      }
      break;
    case YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE: {
      const namer = new _ChartNamer(hasDependantCharts);
      for (const chart of charts) {
        const folder = namer.name(chart);
        fs.mkdirSync(path.join(app.outdir, folder), { recursive: true });
        for (const obj of _chartObjects(chart)) {
          files.push({ file: `${folder}/${_resourceFileName(obj.kind, obj.metadata.name)}${ext}`, docs: [obj.toJson()], onePerResource: true });
        }
      }
      break;
    }
  }
  const written = options.review ? options.review(files, _constructPaths(app)) : files;
  const emitter = new _YamlEmitter();
  const folders = new Set<string>();
  for (const f of written) {
    const file = path.join(app.outdir, ...f.file.split('/'));
    const folder = path.dirname(file);
    if (!folders.has(folder)) {
      fs.mkdirSync(folder, { recursive: true });
      folders.add(folder);
    }
    fs.writeFileSync(file, emitter.stringify(f.docs), { encoding: 'utf8' });
  }
  if (options.recordConstructMetadata) {
    const resources: Record<string, { path: string }> = {};
    for (const obj of app.charts.flatMap(_chartObjects)) {
      resources[obj.name] = { path: obj.node.path };
    }
    fs.writeFileSync(path.join(app.outdir, 'construct-metadata.json'), JSON.stringify({ version: '1.0.0', resources }));
  }
}

/** One file `_writeApp` writes: its path relative to the output directory ('/'-separated) and its objects. @internal */
export interface _OutputFile {
  /** The path relative to the output directory, '/'-separated. */
  readonly file: string;
  /** The objects, in order. */
  readonly docs: any[];
  /** Whether the layout holds one object per file. */
  readonly onePerResource: boolean;
}

/**
 * The construct path that renders an object of the app, found by its apiVersion,
 * kind, namespace and name.
 * @internal
 */
export type _PathOf = (o: { [key: string]: any }) => string | undefined;

/** The construct path of every API object of the app, by apiVersion, kind, namespace and name. */
function _constructPaths(app: App): _PathOf {
  const key = (apiVersion: unknown, kind: unknown, namespace: unknown, name: unknown) => `${apiVersion}|${kind}|${namespace ?? ''}|${name}`;
  let paths: Map<string, string> | undefined;
  return o => {
    if (paths === undefined) {
      paths = new Map(app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)
        .map(c => [key(c.apiVersion, c.kind, c.metadata.namespace, c.name), c.node.path]));
    }
    return paths.get(key(o.apiVersion, o.kind, o.metadata?.namespace, o.metadata?.name));
  };
}

/** Options of `_writeApp`. @internal */
export interface _WriteOptions {
  /** Whether to write `construct-metadata.json` (cdk8s keeps its own flag private). */
  readonly recordConstructMetadata: boolean;
  /**
   * Called once the app is validated and rendered, before any file is written: may
   * refuse (throw) or return the files to write instead (the safe-change check of
   * `MicroservicesApp`, which carries earlier ConfigMap revisions over).
   */
  readonly review?: (files: _OutputFile[], pathOf: _PathOf) => _OutputFile[];
}

/**
 * Whether `_writeApp` writes what `app.synth()` would: an output type it mirrors, and
 * an emitter whose layout matches the installed cdk8s (`_YamlEmitter.matchesCdk8s()`).
 * @internal
 */
export function _writesLikeCdk8s(app: App): boolean {
  return MIRRORED.includes(app.yamlOutputType) && _YamlEmitter.matchesCdk8s();
}

const MIRRORED: readonly YamlOutputType[] = [
  YamlOutputType.FILE_PER_APP, YamlOutputType.FILE_PER_CHART,
  YamlOutputType.FILE_PER_RESOURCE, YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE,
];

/**
 * cdk8s' private `resolveDependencies`: turns nested charts and construct dependencies
 * across charts into chart dependencies, and construct dependencies into dependencies
 * between their API objects (within each one's own chart).
 * @returns whether any chart depends on another (cdk8s then numbers the files)
 */
function _resolveDependencies(app: App): boolean {
  const below = new Map<IConstruct, IConstruct[]>();
  const findAll = (c: IConstruct): IConstruct[] => {
    let all = below.get(c);
    if (all === undefined) {
      all = c.node.findAll();
      below.set(c, all);
    }
    return all;
  };
  let hasDependantCharts = false;
  for (const parent of findAll(app).filter(x => x instanceof Chart)) {
    for (const child of parent.node.children.filter(x => x instanceof Chart)) {
      parent.node.addDependency(child);
      hasDependantCharts = true;
    }
  }
  const deps = () => findAll(app).flatMap(source => source.node.dependencies.map(target => ({ source, target })));
  for (const { source, target } of deps()) {
    const [sourceChart, targetChart] = [Chart.of(source), Chart.of(target)];
    if (sourceChart !== targetChart) {
      sourceChart.node.addDependency(targetChart);
      hasDependantCharts = true;
    }
  }
  for (const { source, target } of deps()) {
    const [sourceChart, targetChart] = [Chart.of(source), Chart.of(target)];
    const targets = findAll(target).filter(c => c instanceof ApiObject && Chart.of(c) === targetChart);
    const sources = findAll(source).filter(c => c instanceof ApiObject && Chart.of(c) === sourceChart);
    for (const t of targets) {
      for (const s of sources) {
        if (t !== s) s.node.addDependency(t);
      }
    }
  }
  return hasDependantCharts;
}

/** cdk8s' private `chartToKube`: a chart's own API objects, in dependency order. */
function _chartObjects(chart: Chart): ApiObject[] {
  return new DependencyGraph(chart.node).topology()
    .filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === chart);
}

/** cdk8s' private chart (and chart folder) namers: the DNS label, indexed `0000-` once charts depend on each other. */
class _ChartNamer {
  private index = 0;
  constructor(private readonly indexed: boolean) {}

  public name(chart: Chart): string {
    const label = Names.toDnsLabel(chart);
    return this.indexed ? `${(this.index++).toString().padStart(4, '0')}-${label}` : label;
  }
}

/** cdk8s' file name of one resource: `Kind.name` without what a file name should not hold. */
function _resourceFileName(kind: string, name: string | undefined): string {
  return `${kind}.${name}`.replace(/[^0-9a-zA-Z-_.]/g, '');
}

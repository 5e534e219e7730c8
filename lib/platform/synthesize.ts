import * as fs from 'fs';
import * as path from 'path';
import { App, Yaml } from 'cdk8s';
import { _YamlEmitter } from '../internal/yaml';

/**
 * Options of `synthesize`.
 */
export interface SynthesizeOptions {
  /**
   * The directory the manifests are written to.
   *
   * @default - `$CDK8S_OUTDIR` (which `cdk8s synth` sets), else 'dist'
   */
  readonly outdir?: string;
}

/**
 * Builds a cdk8s app with `build` and synthesizes it into `outdir`, replacing what
 * was there only when everything succeeded: the app is synthesized into a new
 * directory beside `outdir`, which then takes its place. A construct error or a
 * failed validation leaves the committed manifests as they were (`cdk8s synth`
 * itself empties its output directory before it runs the app; `npm run synth` of the
 * reference platform calls this instead). The error is rethrown for the caller to
 * print.
 *
 * The manifests are the same bytes `app.synth()` writes, printed by the library's
 * YAML emitter, which takes a fraction of the time cdk8s' serializer takes on a large
 * platform (see the README, Scale).
 *
 * @returns the manifest files written, relative to `outdir`
 *
 * @example
 * synthesize(app => buildSalesPlatform(app));
 */
export function synthesize(build: (app: App) => void, options: SynthesizeOptions = {}): string[] {
  const outdir = path.resolve(options.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist');
  const parent = path.dirname(outdir);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(outdir)}.synth-`));
  try {
    const app = new App({ outdir: staging });
    build(app);
    _synthWithEmitter(app);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  // swap: the old directory steps aside, the new one takes its name, the old one goes
  const old = fs.existsSync(outdir) ? `${staging}.old` : undefined;
  if (old) {
    fs.renameSync(outdir, old);
  }
  fs.renameSync(staging, outdir);
  if (old) {
    fs.rmSync(old, { recursive: true, force: true });
  }
  return fs.readdirSync(outdir).sort();
}

/**
 * `app.synth()`, with the manifests printed by `_YamlEmitter` (the same bytes as
 * cdk8s' own `Yaml.save`, several times faster). cdk8s has no hook for its
 * serializer, so `Yaml.save` is replaced for the duration of the call and restored
 * afterwards, whatever happens; everything else (validation, dependencies, chart
 * order, file names) stays cdk8s' own. When the emitter's layout does not match the
 * installed cdk8s (`_YamlEmitter.matchesCdk8s()`), cdk8s serializes as usual.
 * @internal
 */
export function _synthWithEmitter(app: App): void {
  if (!_YamlEmitter.matchesCdk8s()) {
    app.synth(); // a cdk8s whose layout the emitter does not know: its own serializer
    return;
  }
  const save = Yaml.save;
  const emitter = new _YamlEmitter();
  Yaml.save = (filePath: string, docs: any[]): void => {
    fs.writeFileSync(filePath, emitter.stringify(docs), { encoding: 'utf8' });
  };
  try {
    app.synth();
  } finally {
    Yaml.save = save;
  }
}

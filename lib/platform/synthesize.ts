import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { PreviousOutput } from '../change/previous-output';
import { MicroservicesApp } from './microservices-app';

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

  /**
   * The last output, which the safe-change check compares the new one with (see
   * `MicroservicesAppProps.previous`).
   *
   * @default - `PreviousOutput.defaultFor(outdir)`: `outdir` as committed in git at
   * HEAD when it lies inside the repository of the current directory, else none
   */
  readonly previous?: PreviousOutput;
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
 * The app is a `MicroservicesApp`: the manifests are the same files and bytes cdk8s'
 * `app.synth()` writes, printed by the library's YAML emitter, which takes a fraction
 * of the time cdk8s' serializer takes on a large platform (see the README, Scale).
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
    const app = new MicroservicesApp({ outdir: staging, previous: options.previous ?? PreviousOutput.defaultFor(outdir) });
    build(app);
    app.synth();
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
 * Kept for code that called it: `app.synth()`. It used to print the manifests with the
 * library's emitter by replacing a cdk8s static for the call; a `MicroservicesApp`
 * does that now without patching cdk8s, and its `synth()` is what runs here.
 * @deprecated build a `MicroservicesApp` and call its `synth()`, or call `synthesize()`
 * @internal
 */
export function _synthWithEmitter(app: App): void {
  app.synth();
}

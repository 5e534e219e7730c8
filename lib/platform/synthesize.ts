import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { ApplySet, checkApplySetMembers, RenderedObject } from '../change/applyset';
import { checkParity } from '../change/parity';
import { PreviousOutput } from '../change/previous-output';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';
import { _YamlEmitter } from '../internal/yaml';
import { Environment } from './environment';
import { MicroservicesApp } from './microservices-app';
import { Platform } from './platform';

/**
 * The kubectl release the library's apply-and-prune commands are tested with (the
 * conformance harness's day-2 gate): the bootstrap's ApplySet parents name it in their
 * tooling annotation, as kubectl does.
 */
export const KUBECTL_VERSION = '1.37.2';

/** The file of the ApplySet parent type, beside the environments' directories. */
export const APPLYSET_CRD_FILE = 'applyset-crd.yaml';

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
  _swapInto(staging, outdir);
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

/**
 * Options of `synthesizeEnvironments`.
 */
export interface SynthesizeEnvironmentsOptions {
  /**
   * The directory the environments' directories are written to (`<outdir>/<env>/`).
   *
   * @default - `$CDK8S_OUTDIR` (which `cdk8s synth` sets), else 'dist'
   */
  readonly outdir?: string;

  /**
   * The last output of an environment, which the safe-change check compares its new
   * output with (see `SynthesizeOptions.previous`).
   *
   * @default - `PreviousOutput.defaultFor('<outdir>/<env>')`: the environment's directory as committed in git at HEAD
   */
  readonly previous?: (env: Environment) => PreviousOutput;

  /**
   * The kubectl release that applies the environments (`major.minor.patch`), named in
   * the tooling annotation of each environment's ApplySet parent.
   *
   * @default KUBECTL_VERSION ('1.37.2')
   */
  readonly kubectlVersion?: string;

  /**
   * Files rendered from the built environments and written beside their directories,
   * outside what `kubectl apply -f <outdir>/<env>/` reads (Argo CD applications, the
   * diagram): a path relative to `outdir` (not inside an environment's directory, not
   * one of the files this function writes itself) to its content. Called once, after
   * every environment was synthesized and the parity check passed; the files are part
   * of the same atomic swap.
   *
   * @default - none
   */
  readonly extraFiles?: (built: readonly BuiltEnvironment[]) => Readonly<Record<string, string | Uint8Array>>;
}

/** One environment as `synthesizeEnvironments` built it, for `SynthesizeEnvironmentsOptions.extraFiles`. */
export interface BuiltEnvironment {
  /** The environment. */
  readonly environment: Environment;
  /** The app built for it (synthesized: its charts hold the rendered objects). */
  readonly app: App;
  /** The directory its manifests are written to, relative to `outdir` (its name). */
  readonly directory: string;
}

/**
 * Builds the platform once per environment from the same code (`build` is called
 * with a new app and each environment; pass the environment to the `Platform`) and
 * writes each into `<outdir>/<env.name>/`. Before anything is written the parity
 * check runs: every difference between the environments' manifests must be
 * explained by an aspect they declare differently (`lib/change/parity.ts`), or the
 * synth fails with a ConfigurationError listing each undeclared difference.
 *
 * Atomic as `synthesize()`: every environment is synthesized into a new directory
 * beside `outdir`, which takes its place only when all succeeded and the parity
 * check passed; a failure in any environment leaves `outdir` as it was.
 *
 * @returns the files written, relative to `outdir` (`applyset-crd.yaml`, `dev.applyset.yaml`, ..., `dev/0000-sales.k8s.yaml`, ...)
 *
 * @example
 * synthesizeEnvironments([dev, staging, prod], (app, env) => buildSalesPlatform(app, env));
 */
export function synthesizeEnvironments(environments: readonly Environment[], build: (app: App, env: Environment) => void,
  options: SynthesizeEnvironmentsOptions = {}): string[] {
  const outdir = path.resolve(options.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist');
  const where = 'synthesizeEnvironments';
  if (!Array.isArray(environments) || environments.length === 0) {
    throw new ConfigurationError({ path: where, prop: 'environments', value: environments, expected: 'must list at least one Environment',
      fix: 'pass [Environment.of(\'dev\', ...), Environment.of(\'prod\', ...)]', code: ErrorCode.MISSING_REQUIRED });
  }
  const seen = new Set<string>();
  for (const env of environments) {
    if (!(env instanceof Environment)) {
      throw new ConfigurationError({ path: where, prop: 'environments', value: String(env), expected: 'must be Environments',
        fix: 'use Environment.of(name, { ... })', code: ErrorCode.WRONG_TYPE });
    }
    if (seen.has(env.name)) {
      throw new ConfigurationError({ path: where, prop: 'environments', value: env.name, expected: 'must not repeat an environment name: each names its own directory',
        fix: 'give each environment its own name', code: ErrorCode.DUPLICATE });
    }
    seen.add(env.name);
  }
  const staging = path.join(path.dirname(outdir), `.${path.basename(outdir)}.envs-${process.pid}-${Date.now()}`);
  let metadata = false;
  let extra: string[] = [];
  try {
    const outputs = environments.map(env => {
      let built: App | undefined;
      synthesize(app => {
        build(app, env);
        built = app;
      // the safe-change check compares with this environment's committed output, not the staging directory's
      }, { outdir: path.join(staging, env.name), previous: options.previous?.(env) ?? PreviousOutput.defaultFor(path.join(outdir, env.name)) });
      // the manifests just written, from the app (reading the files back through cdk8s' Yaml.load starts a process per file)
      const manifests = built!.charts.flatMap(c => Object.values(c.toJson()).filter(d => d !== undefined));
      // kubectl adds the part-of label itself and refuses input that has it
      checkApplySetMembers(manifests as RenderedObject[]);
      return { name: env.name, declared: env.declared(), manifests, platform: _platformOf(built!, env), app: built!, env };
    });
    checkParity(outputs);
    if (options.extraFiles) {
      extra = _writeExtraFiles(staging, environments, options.extraFiles(outputs.map(o => ({ environment: o.env, app: o.app, directory: o.name }))));
    }
    // the ApplySet of each environment (lib/change/applyset.ts): the parent type once, a parent per environment
    const emitter = new _YamlEmitter();
    const kubectlVersion = options.kubectlVersion ?? KUBECTL_VERSION;
    for (const [i, o] of outputs.entries()) {
      const set = new ApplySet({ platform: o.platform, environment: o.name, kubectlVersion });
      if (i === 0) fs.writeFileSync(path.join(staging, APPLYSET_CRD_FILE), emitter.stringify([set.crd()]));
      fs.writeFileSync(path.join(staging, `${o.name}.applyset.yaml`), emitter.stringify([set.parent()]));
    }
    metadata = _gatherConstructMetadata(staging, environments.map(env => env.name));
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  _swapInto(staging, outdir);
  const files: string[] = [APPLYSET_CRD_FILE, ...environments.map(env => `${env.name}.applyset.yaml`), ...(metadata ? [CONSTRUCT_METADATA_FILE] : []), ...extra];
  for (const env of environments) {
    files.push(...fs.readdirSync(path.join(outdir, env.name)).sort().map(f => `${env.name}/${f}`));
  }
  return files;
}

const CONSTRUCT_METADATA_FILE = 'construct-metadata.json';

/** Writes `extraFiles` into the staging directory, refusing a path inside an environment's directory or outside the output. @internal */
function _writeExtraFiles(staging: string, environments: readonly Environment[], files: Readonly<Record<string, string | Uint8Array>>): string[] {
  const written: string[] = [];
  const reserved = new Set([APPLYSET_CRD_FILE, CONSTRUCT_METADATA_FILE, ...environments.map(env => `${env.name}.applyset.yaml`)]);
  for (const [file, content] of Object.entries(files)) {
    const normal = path.posix.normalize(file.split(path.sep).join('/'));
    const top = normal.split('/')[0];
    if (path.isAbsolute(file) || normal.startsWith('..') || reserved.has(normal) || environments.some(env => env.name === top)) {
      throw new ConfigurationError({ path: 'synthesizeEnvironments', prop: 'extraFiles', value: file,
        expected: 'must be a path relative to the output directory, outside every environment\'s directory and not a file synthesizeEnvironments writes itself',
        fix: 'write it beside the environments, e.g. \'argocd/prod.yaml\' or \'diagram/platform.md\'', code: ErrorCode.INVALID_VALUE });
    }
    fs.mkdirSync(path.dirname(path.join(staging, normal)), { recursive: true });
    fs.writeFileSync(path.join(staging, normal), content);
    written.push(normal);
  }
  return written.sort();
}

/**
 * Moves the `construct-metadata.json` each environment's app wrote (when `cdk8s synth`
 * asks for it, for its validation plugins) out of the environment directories into one
 * at the output's root: the CLI reads it there only, and a JSON file inside
 * `dist/<env>/` would be read by `kubectl apply -R -f dist/<env>/` as a manifest.
 * The environments render the same objects from the same constructs, so their
 * entries (object name to construct path) are merged.
 * @returns whether there was any metadata
 */
function _gatherConstructMetadata(root: string, environments: string[]): boolean {
  const resources: { [name: string]: { path: string } } = {};
  let found = false;
  for (const env of environments) {
    const file = path.join(root, env, CONSTRUCT_METADATA_FILE);
    if (!fs.existsSync(file)) continue;
    found = true;
    Object.assign(resources, JSON.parse(fs.readFileSync(file, 'utf8')).resources);
    fs.rmSync(file);
  }
  if (found) fs.writeFileSync(path.join(root, CONSTRUCT_METADATA_FILE), JSON.stringify({ version: '1.0.0', resources }));
  return found;
}

/** The name of the one Platform an environment's app holds: it names the environment's ApplySet. */
function _platformOf(app: App, env: Environment): string {
  const platforms = app.charts.filter(c => Platform.isPlatform(c)) as Platform[];
  if (platforms.length !== 1) {
    throw new ConfigurationError({ path: 'synthesizeEnvironments', prop: 'build', value: platforms.map(p => p.platformName),
      expected: `must build exactly one Platform per environment (environment '${env.name}' built ${platforms.length}): each environment is one ApplySet, named after its platform`,
      fix: 'build one Platform in the app and pass it the environment; synthesize another platform with a synthesizeEnvironments of its own', code: ErrorCode.CONFLICT });
  }
  return platforms[0].platformName;
}

/** Puts a finished staging directory in place of `outdir`: the old directory steps aside, the new one takes its name, the old one goes. */
function _swapInto(staging: string, outdir: string): void {
  const old = fs.existsSync(outdir) ? `${staging}.old` : undefined;
  if (old) {
    fs.renameSync(outdir, old);
  }
  fs.renameSync(staging, outdir);
  if (old) {
    fs.rmSync(old, { recursive: true, force: true });
  }
}

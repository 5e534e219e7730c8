import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ErrorCode } from '../internal/configuration-error';
import { ConfigurationError } from '../internal/configuration-error';

/** A rendered Kubernetes object, as a plain JSON tree. @internal */
export type _Manifest = { [key: string]: any };

/** One file of an output directory and the objects it holds, in file order. @internal */
export interface _OutputFileContent {
  /** The file's path relative to the output directory, '/'-separated. */
  readonly file: string;
  /** The objects of the file, in order. */
  readonly docs: _Manifest[];
}

/**
 * What a `PreviousOutput` found: the files of the last output, or why there is none
 * (a first synth: nothing to compare).
 * @internal
 */
export interface _LoadedOutput {
  /** Where the output was read from, as the progress line names it. */
  readonly source: string;
  /** The files, sorted by path; `undefined` when there is no previous output. */
  readonly files?: readonly _OutputFileContent[];
  /** Why there is no previous output (when `files` is undefined). */
  readonly missing?: string;
}

/** Options of `PreviousOutput.committed`. */
export interface CommittedOutputOptions {
  /**
   * The git revision to read the directory at: a commit, branch or tag
   * (`origin/main` in CI, to compare with what the main branch last released).
   *
   * @default 'HEAD'
   */
  readonly ref?: string;
}

const YAML_FILE = /\.ya?ml$/;

/**
 * Where the last synthesized output is read from, for the safe-change check and the
 * ConfigMap revisions a rollback can use: the output as committed in git (the
 * default: `cdk8s synth` empties its output directory before it runs the app, and
 * CI synthesizes into a temporary directory, so the working tree's `dist/` is not a
 * reliable previous output), a directory, or none.
 *
 * A previous output that cannot be read (no git, no repository, the directory not
 * committed at the revision, the directory absent) means a first synth: nothing is
 * compared, and the synth says so in one progress line.
 */
export class PreviousOutput {
  /** No previous output: nothing is compared and no ConfigMap revision is carried over. */
  public static readonly NONE = new PreviousOutput('none', () => ({ source: 'none', missing: 'no previous output was asked for' }));

  /**
   * The files of `dir` as committed in git.
   *
   * @param dir the output directory, relative to the root of the git repository of the
   * current directory (for example 'dist' or 'dist/prod')
   */
  public static committed(dir: string, options: CommittedOutputOptions = {}): PreviousOutput {
    if (typeof dir !== 'string' || dir.length === 0 || path.isAbsolute(dir)) {
      throw new ConfigurationError({ path: '', prop: 'PreviousOutput.committed(dir)', value: dir,
        expected: 'must be a directory relative to the root of the git repository', fix: 'pass the output directory, for example \'dist\'',
        code: ErrorCode.INVALID_VALUE });
    }
    const ref = options.ref ?? 'HEAD';
    const rel = path.posix.normalize(dir.split(path.sep).join('/')).replace(/\/+$/, '');
    return new PreviousOutput(`git ${ref}:${rel}`, () => _readCommitted(process.cwd(), rel, ref));
  }

  /**
   * The files of a directory (an earlier synth kept aside, a checkout of the
   * released version).
   *
   * @param dir the directory, absolute or relative to the current directory
   */
  public static fromDirectory(dir: string): PreviousOutput {
    if (typeof dir !== 'string' || dir.length === 0) {
      throw new ConfigurationError({ path: '', prop: 'PreviousOutput.fromDirectory(dir)', value: dir,
        expected: 'must be a directory', fix: 'pass the directory of the previous output', code: ErrorCode.INVALID_VALUE });
    }
    return new PreviousOutput(dir, () => {
      const abs = path.resolve(dir);
      if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) {
        return { source: dir, missing: `${dir} does not exist` };
      }
      return { source: dir, files: _readDirectory(abs) };
    });
  }

  /**
   * The default previous output of an output directory: its committed version
   * (`committed(dir)` at HEAD) when it lies inside the git repository of the current
   * directory, else none.
   *
   * @param outdir the output directory, absolute or relative to the current directory
   */
  public static defaultFor(outdir: string): PreviousOutput {
    const abs = path.resolve(outdir);
    return new PreviousOutput(`git HEAD:${outdir}`, () => {
      const root = _gitRoot(process.cwd());
      if (root === undefined) {
        return { source: outdir, missing: 'no git repository (or no git) here' };
      }
      const real = (p: string) => {
        // the output directory may not exist yet (cdk8s synth, a staging directory): resolve its nearest existing parent
        let dir = p;
        const tail: string[] = [];
        while (!fs.existsSync(dir) && path.dirname(dir) !== dir) {
          tail.unshift(path.basename(dir));
          dir = path.dirname(dir);
        }
        return path.join(fs.realpathSync(dir), ...tail);
      };
      const rel = path.relative(real(root), real(abs));
      if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
        return { source: outdir, missing: `${outdir} is not inside the git repository` };
      }
      return _readCommitted(root, rel.split(path.sep).join('/'), 'HEAD');
    });
  }

  private constructor(
    /** Where the output is read from, as the progress line names it. */
    public readonly description: string,
    private readonly load: () => _LoadedOutput) {}

  /**
   * Reads the output (once per call).
   * @internal
   */
  public _load(): _LoadedOutput {
    return this.load();
  }
}

/** The root of the git repository holding `cwd`, or undefined (no git, or not a repository). */
function _gitRoot(cwd: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** The YAML files of `dir` at `ref` in the repository of `cwd` (dir relative to its root). */
function _readCommitted(cwd: string, dir: string, ref: string): _LoadedOutput {
  const source = `git ${ref}:${dir}`;
  const root = _gitRoot(cwd);
  if (root === undefined) {
    return { source, missing: 'no git repository (or no git) here' };
  }
  let listing: string;
  try {
    listing = execFileSync('git', ['ls-tree', '-r', '-z', '--name-only', ref, '--', `${dir}/`],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return { source, missing: `${ref} cannot be read` };
  }
  const names = listing.split('\0').filter(n => n.length > 0 && YAML_FILE.test(n)).sort();
  if (names.length === 0) {
    return { source, missing: `${dir} is not committed at ${ref}` };
  }
  // one git process for all files (an output of one file per resource has thousands)
  const batch = execFileSync('git', ['cat-file', '--batch'], { cwd: root, input: names.map(n => `${ref}:${n}\n`).join(''),
    stdio: ['pipe', 'pipe', 'ignore'], maxBuffer: 1024 * 1024 * 1024 });
  let at = 0;
  const files = names.map(name => {
    // each object: '<id> blob <size>\n', the content, '\n'
    const eol = batch.indexOf(10, at);
    const size = Number(batch.subarray(at, eol).toString('utf8').split(' ')[2]);
    const text = batch.subarray(eol + 1, eol + 1 + size).toString('utf8');
    at = eol + 1 + size + 1;
    return { file: name.slice(dir.length + 1), docs: _parse(text) };
  });
  return { source, files };
}

/** The YAML files under `dir`, recursively, sorted by relative path. */
function _readDirectory(dir: string): _OutputFileContent[] {
  const walk = (rel: string): string[] => fs.readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap(e => e.isDirectory() ? walk(path.posix.join(rel, e.name)) : YAML_FILE.test(e.name) ? [path.posix.join(rel, e.name)] : []);
  return walk('').sort().map(file => ({ file, docs: _parse(fs.readFileSync(path.join(dir, file), 'utf8')) }));
}

/** The part of the `yaml` package the parser uses. */
interface YamlParser {
  parseAllDocuments(source: string, options: { version: '1.1' }): Array<{ toJSON(): unknown }>;
}

let parser: YamlParser | undefined;

/**
 * The objects of a YAML stream, parsed as cdk8s' `Yaml.load` parses them (the `yaml`
 * package cdk8s ships with, YAML 1.1), in this process: `Yaml.load` starts a node
 * process per file, which takes longer than the synth on a large output.
 */
function _parse(text: string): _Manifest[] {
  if (parser === undefined) {
    const cdk8s = path.dirname(require.resolve('cdk8s/package.json'));
    parser = require(require.resolve('yaml', { paths: [cdk8s] })) as YamlParser;
  }
  return parser.parseAllDocuments(text, { version: '1.1' }).map(d => d.toJSON())
    .filter((d): d is _Manifest => d !== null && typeof d === 'object' && !Array.isArray(d) && Object.keys(d).length > 0);
}

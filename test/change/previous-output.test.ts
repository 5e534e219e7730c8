import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ConfigurationErrors, MicroservicesApp, PreviousOutput, synthesize } from '../../lib';
import { build, synth, tempDir } from './_platform';

/** A git repository in a temporary directory, with the platform of `v1` synthesized into dist/ and committed. */
function repoWithDist(): string {
  const repo = fs.realpathSync(tempDir('safe-change-repo-'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo, stdio: 'pipe' });
  git('init', '-q');
  synth(path.join(repo, 'dist'), {}, PreviousOutput.NONE);
  git('add', 'dist');
  git('commit', '-qm', 'v1');
  return repo;
}

/** Runs `fn` with the current directory `dir`. */
function inDir<T>(dir: string, fn: () => T): T {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    return fn();
  } finally {
    process.chdir(cwd);
  }
}

describe('PreviousOutput', () => {
  test('committed(dir) reads the directory as committed, not the working tree (cdk8s synth empties it first)', () => {
    const repo = repoWithDist();
    fs.rmSync(path.join(repo, 'dist'), { recursive: true });
    const error = inDir(repo, () => {
      try {
        synth(path.join(repo, 'dist'), { size: 20 }, PreviousOutput.committed('dist'));
        return undefined;
      } catch (err) {
        return err;
      }
    });
    expect((error as ConfigurationErrors).errors.map(e => e.prop)).toEqual(['StatefulSet orders/orders-db spec.volumeClaimTemplates[0].spec.resources.requests.storage']);
    expect((error as ConfigurationErrors).message).toContain('cannot change on the existing object');
  });

  test('committed(dir) reads HEAD by default', () => {
    expect(PreviousOutput.committed('dist').description).toBe('git HEAD:dist');
    expect(PreviousOutput.committed('dist', { ref: 'origin/main' }).description).toBe('git origin/main:dist');
  });

  test('committed(dir, { ref }) reads another revision', () => {
    const repo = repoWithDist();
    const lines = inDir(repo, () => synth(path.join(tempDir(), 'out'), {}, PreviousOutput.committed('dist', { ref: 'HEAD~1' })));
    expect(lines).toEqual(['safe change: no previous output (git HEAD~1:dist: HEAD~1 cannot be read); a first synth, nothing to compare\n']);
    const same = inDir(repo, () => synth(path.join(tempDir(), 'out'), {}, PreviousOutput.committed('dist/', { ref: 'HEAD' })));
    expect(same[0]).toMatch(/^safe change: \d+ objects compared with git HEAD:dist: 0 acknowledged/);
  });

  test('a directory not committed, or no repository, is a first synth: one progress line, no failure', () => {
    const repo = repoWithDist();
    expect(inDir(repo, () => synth(path.join(tempDir(), 'out'), { size: 20 }, PreviousOutput.committed('dist/prod'))))
      .toEqual(['safe change: no previous output (git HEAD:dist/prod: dist/prod is not committed at HEAD); a first synth, nothing to compare\n']);
    const outside = tempDir();
    expect(inDir(outside, () => synth(path.join(outside, 'dist'), { size: 20 }, PreviousOutput.committed('dist'))))
      .toEqual(['safe change: no previous output (git HEAD:dist: no git repository (or no git) here); a first synth, nothing to compare\n']);
  });

  test('without git on the PATH, a first synth: one progress line, no failure', () => {
    const repo = repoWithDist();
    // a process of its own: the PATH a child process searches is the real one, not jest's copy of the environment
    const script = `process.chdir(${JSON.stringify(repo)});
      const lib = require(${JSON.stringify(path.join(__dirname, '..', '..', 'lib'))});
      const app = new lib.MicroservicesApp({ outdir: 'out' });
      new lib.Platform(app, 'shop');
      app.synth();`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--eval', script],
      { cwd: path.join(__dirname, '..', '..'), env: { ...process.env, PATH: tempDir() }, encoding: 'utf8' });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0,
      stderr: 'safe change: no previous output (out: no git repository (or no git) here); a first synth, nothing to compare\n' });
  }, 30_000);

  test('fromDirectory(dir) reads a directory; a missing one is a first synth', () => {
    const dir = tempDir();
    synth(path.join(dir, 'v1'), {}, PreviousOutput.NONE);
    expect(() => synth(path.join(dir, 'v2'), { parallel: true }, PreviousOutput.fromDirectory(path.join(dir, 'v1')))).toThrow(/spec.podManagementPolicy/);
    expect(synth(path.join(dir, 'v3'), { parallel: true }, PreviousOutput.fromDirectory(path.join(dir, 'nothing'))))
      .toEqual([`safe change: no previous output (${path.join(dir, 'nothing')}: ${path.join(dir, 'nothing')} does not exist); a first synth, nothing to compare\n`]);
  });

  test('fails when committed() is given an absolute or empty directory', () => {
    expect(() => PreviousOutput.committed('/abs/dist')).toThrow(/'PreviousOutput.committed\(dir\)' \('\/abs\/dist'\) must be a directory relative to the root of the git repository/);
    expect(() => PreviousOutput.committed('')).toThrow(/PreviousOutput.committed/);
    expect(() => PreviousOutput.fromDirectory('')).toThrow(/PreviousOutput.fromDirectory/);
  });

  test('fails when MicroservicesAppProps.previous is not a PreviousOutput', () => {
    expect(() => new MicroservicesApp({ previous: 'dist' as never })).toThrow(/'previous' \('dist'\) must be a PreviousOutput; use PreviousOutput.committed/);
  });
});

describe('the default previous output', () => {
  test('MicroservicesApp: the output directory as committed at HEAD', () => {
    const app = new MicroservicesApp({ outdir: 'some/dir' });
    expect(app.previous.description).toBe(`git HEAD:${app.outdir}`);
  });

  test('MicroservicesApp in a repository whose output directory is committed compares with it', () => {
    const repo = repoWithDist();
    const error = inDir(repo, () => {
      const app = new MicroservicesApp({ outdir: 'dist' });
      build(app, { tierValue: 700 });
      try {
        app.synth();
        return undefined;
      } catch (err) {
        return err as Error;
      }
    });
    expect(error?.message).toContain('\'PriorityClass shop-bulk value\' (500 -> 700)');
  });

  test('synthesize(): the final output directory as committed (not the staging directory it writes into), and a refusal leaves dist/ as it was', () => {
    const repo = repoWithDist();
    const before = fs.readdirSync(path.join(repo, 'dist'));
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => inDir(repo, () => synthesize(app => build(app, { tierValue: 700 }), { outdir: 'dist' }))).toThrow(/PriorityClass shop-bulk value/);
      expect(fs.readdirSync(path.join(repo, 'dist'))).toEqual(before);
      expect(inDir(repo, () => synthesize(app => build(app, { tierValue: 700 }), { outdir: 'dist', previous: PreviousOutput.NONE }))).toEqual(before);
    } finally {
      spy.mockRestore();
    }
  });

  test('a directory outside the repository has none', () => {
    const repo = repoWithDist();
    const outside = tempDir();
    expect(inDir(repo, () => synth(outside, {}, PreviousOutput.defaultFor(outside))))
      .toEqual([`safe change: no previous output (${outside}: ${outside} is not inside the git repository); a first synth, nothing to compare\n`]);
  });
});

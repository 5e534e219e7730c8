import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ENVIRONMENTS } from '../../charts';

const ROOT = path.resolve(__dirname, '..', '..');

/** `node --import tsx main.ts diff ...` in the project, as `npm run diff -- ...` runs it. */
function diff(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts', 'diff', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file below dist/ with its bytes and modification time. */
function snapshot(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(ROOT, p), `${fs.statSync(p).mtimeMs} ${fs.readFileSync(p, 'utf8')}`);
    }
  };
  walk(path.join(ROOT, 'dist'));
  return out;
}

describe('npm run diff (main.ts diff)', () => {
  test('reports each environment named against dist/<env>/ as committed, with a totals line, and leaves dist/ alone', () => {
    const before = snapshot();
    const r = diff(['prod', 'dev']);
    expect(r.stderr).not.toMatch(/failed/);
    expect(r.status).toBe(0);
    const titles = r.stdout.split('\n').filter(l => l.startsWith('change report '));
    expect(titles).toEqual([
      expect.stringMatching(/^change report prod: git HEAD:dist\/prod: \d+ objects compared, \d+ differ \(\d+ added\); \d+ line\(s\) in \d+ context\(s\)/),
      expect.stringMatching(/^change report dev: git HEAD:dist\/dev: \d+ objects compared, /),
    ]);
    expect(snapshot()).toEqual(before);
  }, 120_000);

  test('DIFF_REF names what to compare with; a ref git does not know is refused (it would make every object look new)', () => {
    const r = diff(['staging'], { DIFF_REF: 'no-such-ref-xyz' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('diff failed:');
    expect(r.stderr).toContain('DIFF_REF');
    expect(r.stderr).toContain('no-such-ref-xyz');
    expect(r.stderr).toContain('git fetch origin main');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('an environment the platform does not have is refused, naming the ones it has', () => {
    const r = diff(['qa']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('diff failed:');
    expect(r.stderr).toContain('qa');
    expect(r.stderr).toContain(ENVIRONMENTS.map(e => e.name).join(', '));
    expect(r.stderr).toContain('npm run diff -- prod');
  });
});

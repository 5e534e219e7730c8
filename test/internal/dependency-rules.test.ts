import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const DEPCRUISE = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}

/** Runs the repository's dependency-cruiser rules on a fixture's lib/, as `npm run lint:deps` runs them on ours. */
function cruise(fixture: string): Violation[] {
  const result = spawnSync(process.execPath, [DEPCRUISE, '--config', path.join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json', 'lib'],
    { cwd: path.join(__dirname, 'fixtures', fixture), encoding: 'utf8' });
  if (result.stdout === '') {
    throw new Error(`depcruise printed nothing (exit ${result.status}): ${result.stderr}`);
  }
  return (JSON.parse(result.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('the import rules (.dependency-cruiser.cjs)', () => {
  const violations = cruise('dependency-rules');
  const found = violations.map(v => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();

  test('fails on a circle, even of type-only imports', () => {
    expect(found.filter(v => v.startsWith('lib-no-circular:'))).toEqual(['lib-no-circular: lib/workloads/callee.ts -> lib/workloads/caller.ts']);
  });

  test('fails on an import against the folder order, and between the peers access and config', () => {
    expect(found).toContain('lib-internal-imports-down: lib/internal/helper.ts -> lib/workloads/caller.ts');
    expect(found).toContain('lib-access-imports-down: lib/access/grant.ts -> lib/config/source.ts');
  });

  test('reports nothing else: imports down the order are allowed', () => {
    expect(found).toHaveLength(3);
  });
});

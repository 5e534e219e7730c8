import { releaseFailed, releasePassed, ReleaseResult, ReleaseRow, releaseTable } from './release-report';

const row = (step: string, failures: string[] = [], notes: string[] = []): ReleaseRow => ({
  sequence: 'canary', step, applied: 30, pruned: step.startsWith('promote') ? 5 : 0, pods: 4, ready: 4, seconds: 2.25, failures, notes,
});

const result = (rows: ReleaseRow[], error?: string): ReleaseResult => ({
  label: 'test', rows, nodes: '6 kwok nodes', budgetEvaluations: 42, timings: [['cluster start', 7.5], ['steps', 20]], ...(error ? { error } : {}),
});

describe('the release phase\'s table', () => {
  test('one row per step with what it applied and pruned, its pods and seconds; notes and failures under it', () => {
    const lines = releaseTable(result([row('start: canary at 10', [], ['30 members']), row('promote', ['budgets: PodDisruptionBudget/catalog/products: down to 0'])]));
    expect(lines[1]).toBe('== simulation: release phase, test (6 kwok nodes)');
    expect(lines[2]).toMatch(/^sequence\s+step\s+applied\s+pruned\s+pods\s+seconds  result$/);
    expect(lines[3]).toMatch(/^canary\s+start: canary at 10\s+30\s+0\s+4\/4\s+2\.3  ok$/);
    expect(lines[4]).toBe('    30 members');
    expect(lines[5]).toMatch(/^canary\s+promote\s+30\s+5\s+4\/4\s+2\.3  FAIL$/);
    expect(lines[6]).toBe('    FAIL budgets: PodDisruptionBudget/catalog/products: down to 0');
    expect(lines[lines.length - 2]).toBe('budgets evaluated on 42 pod and workload changes; timings: cluster start 7.5s, steps 20.0s');
    expect(lines[lines.length - 1]).toBe('release phase: 1 steps passed, 1 failed');
  });

  test('a phase that could not run is a failure, shown with why', () => {
    const r = result([], 'the release phase could not run: etcd exited');
    expect(releaseFailed(r)).toBe(1);
    expect(releasePassed(r)).toBe(0);
    expect(releaseTable(r)).toContain('    FAIL the release phase could not run: etcd exited');
  });

  test('more than 25 failures of a step are cut, with the count', () => {
    const lines = releaseTable(result([row('raise', Array.from({ length: 30 }, (_, i) => `f${i}`))]));
    expect(lines.filter((l) => l.startsWith('    FAIL f'))).toHaveLength(25);
    expect(lines).toContain('    ... and 5 more');
  });
});

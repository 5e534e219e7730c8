/**
 * The simulation's report (issue 14): one row per check of the scenario
 * (scenario.ts), the hint printed with a failed check, and what a warning means.
 */
import { NodeSize } from './model';

/** failures fail the check; warnings are printed with it and do not (see README: what is a failure) */
export interface CheckRow { check: string; objects: number; detail: string; failures: string[]; warnings: string[] }

export interface SimulationResult {
  label: string;
  rows: CheckRow[];
  timings: [string, number][];
  size: NodeSize;
  nodes: number;
  /** active pods: after the first wait, and the most at any moment */
  pods: number;
  peakPods: number;
  notes: string[];
}

export const CHECKS = ['apply', 'available', 'scheduled', 'quota', 'spread', 'priority', 'hpa', 'max-scale', 'rollout', 'rollout-pdb', 'drain', 'drain-pdb', 'rescheduled'] as const;
export type CheckName = typeof CHECKS[number];

const HINTS: Record<CheckName, string> = {
  'apply': 'the API server refused an object: run npm run conformance for the details',
  'available': 'a workload did not become available: read the pod conditions and FailedCreate events named above',
  'scheduled': 'kube-scheduler could not place a pod: its message says which predicate failed (resources, spread, affinity, taints)',
  'quota': 'the namespace\'s ResourceQuota refused a pod (maximum scale plus surge does not fit): raise the quota or lower maxReplicas, maxSurge or requests',
  'spread': 'more pods in one topology domain than maxSkew allows: check the constraint\'s nodeAffinityPolicy/nodeTaintsPolicy and whenUnsatisfiable',
  'priority': 'every pod should run under one of the platform\'s PriorityClasses (priorityClassName)',
  'hpa': 'an HPA whose target is missing, cannot scale, or a Deployment without replicas and without HPA',
  'max-scale': 'a workload did not reach its HPA\'s maxReplicas: quota, node capacity or spread stopped it',
  'rollout': 'a rollout did not finish: quota (surge), capacity or a stuck pod; see the workload\'s status above',
  'rollout-pdb': 'the rolling update took more pods down than the PodDisruptionBudget allows: lower maxUnavailable in the strategy or raise maxSurge',
  'drain': 'kubectl drain could not evict every pod: a PodDisruptionBudget that allows no disruption blocks it forever',
  'drain-pdb': 'a drain took more pods down than the PodDisruptionBudget allows',
  'rescheduled': 'evicted pods were not replaced on the remaining nodes: capacity, spread or affinity in the remaining zones',
};

const WARNINGS: Partial<Record<CheckName, string>> = {
  quota: 'a pod refused while old pods were still counted (a terminating pod counts against the quota until it is gone), created once they were: '
    + 'the rollout was slowed, not stopped. Room for one terminating pod per service avoids it',
  spread: 'a ScheduleAnyway constraint is a preference: with a node drained, its zone has less room and the scheduler may exceed maxSkew',
};

/** Prints the table and every failure; returns the number of failed checks. */
export function printSimulation(r: SimulationResult): number {
  const out: string[] = ['', `== simulation: ${r.label} (${r.nodes} kwok nodes of ${r.size.cpu} CPU / ${r.size.memory / 2 ** 30}Gi / ${r.size.pods} pods; `
    + `${r.pods} pods after the apply, at most ${r.peakPods} at once)`];
  const row = (c: string[]): string => `${c[0].padEnd(12)} ${c[1].padStart(7)}  ${c[2].padEnd(6)}  ${c[3]}`;
  out.push(row(['check', 'objects', 'result', 'detail']));
  let failed = 0;
  for (const x of r.rows) {
    const notRun = /^not run/.test(x.detail);
    if (x.failures.length || notRun) failed++;
    out.push(row([x.check, String(x.objects), x.failures.length ? 'FAIL' : notRun ? 'NOTRUN' : 'pass',
      `${x.warnings.length ? `${x.warnings.length} warning(s); ` : ''}${x.detail}`]));
  }
  out.push('', `timings: ${r.timings.map(([n, s]) => `${n} ${s.toFixed(1)}s`).join(', ')}`);
  if (r.notes.length) { out.push('', 'notes:'); for (const n of r.notes) out.push(`  - ${n}`); }
  for (const x of r.rows.filter((y) => y.warnings.length)) {
    out.push('', `${x.check}: ${x.warnings.length} warning(s), not failures -- ${WARNINGS[x.check as CheckName] ?? ''}`);
    for (const f of x.warnings.slice(0, 10)) out.push(`  - ${f}`);
    if (x.warnings.length > 10) out.push(`  ... and ${x.warnings.length - 10} more`);
  }
  for (const x of r.rows.filter((y) => y.failures.length)) {
    out.push('', `${x.check}: ${x.failures.length} failure(s) -- hint: ${HINTS[x.check as CheckName]}`);
    for (const f of x.failures.slice(0, 25)) out.push(`  - ${f}`);
    if (x.failures.length > 25) out.push(`  ... and ${x.failures.length - 25} more`);
  }
  out.push('', failed ? `simulation: FAILED (${failed} of ${r.rows.length} checks)` : `simulation: all ${r.rows.length} checks passed`);
  process.stdout.write(out.join('\n') + '\n');
  return failed;
}


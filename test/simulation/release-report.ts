/**
 * The release phase's table (issue 21): one row per step, what it applied and pruned,
 * the service's pods after it, its seconds, and what failed.
 */

/** One step of the release phase, as the table shows it. */
export interface ReleaseRow {
  sequence: string;
  step: string;
  /** objects kubectl reported serverside-applied, and pruned */
  applied: number;
  pruned: number;
  /** the namespace's active pods after the step, and how many of them Ready */
  pods: number;
  ready: number;
  /** from the apply to the last check */
  seconds: number;
  failures: string[];
  notes: string[];
}

/** The release phase: its rows and what it cost. */
export interface ReleaseResult {
  label: string;
  rows: ReleaseRow[];
  /** the nodes' size line, as the phase printed it */
  nodes: string;
  /** pod and workload changes the budgets were evaluated on, over every step */
  budgetEvaluations: number;
  timings: [string, number][];
  /** what kept the phase from running (a synth refused, the cluster did not start) */
  error?: string;
}

/** The checks every step runs, in the table's legend. */
export const RELEASE_CHECKS = [
  'apply (the ApplySet prune command exits 0)',
  'members (the set holds exactly the step\'s output: what it dropped is pruned)',
  'available (every Deployment available and on the step\'s images, no pod of a pruned track left)',
  'budgets (every PodDisruptionBudget on each pod and workload change)',
  'quota (status.used never above hard; a refusal that never recovered)',
  'scheduled, spread, priority (at the step\'s steady state)',
  'hpa (when the step adds an autoscaler)',
  'failed track (a failing step: stable available, its Services list only ready stable pods)',
];

/** The table's lines; the last says how many steps passed. */
export function releaseTable(r: ReleaseResult): string[] {
  const out = ['', `== simulation: release phase, ${r.label} (${r.nodes})`];
  const row = (c: string[]): string => `${c[0].padEnd(14)} ${c[1].padEnd(62)} ${c[2].padStart(7)} ${c[3].padStart(6)} ${c[4].padStart(9)} ${c[5].padStart(7)}  ${c[6]}`;
  out.push(row(['sequence', 'step', 'applied', 'pruned', 'pods', 'seconds', 'result']));
  for (const x of r.rows) {
    out.push(row([x.sequence, x.step, String(x.applied), String(x.pruned), `${x.ready}/${x.pods}`, x.seconds.toFixed(1), x.failures.length ? 'FAIL' : 'ok']));
    for (const n of x.notes) out.push(`    ${n}`);
    for (const f of x.failures.slice(0, 25)) out.push(`    FAIL ${f}`);
    if (x.failures.length > 25) out.push(`    ... and ${x.failures.length - 25} more`);
  }
  if (r.error) out.push(`    FAIL ${r.error}`);
  out.push(`checks at every step: ${RELEASE_CHECKS.join('; ')}`);
  out.push(`budgets evaluated on ${r.budgetEvaluations} pod and workload changes; timings: ${r.timings.map(([n, s]) => `${n} ${s.toFixed(1)}s`).join(', ')}`);
  out.push(`release phase: ${releasePassed(r)} steps passed, ${releaseFailed(r)} failed`);
  return out;
}

/** Failed steps; a phase that could not run counts as one failure. */
export function releaseFailed(r: ReleaseResult): number {
  return r.rows.filter((x) => x.failures.length).length + (r.error ? 1 : 0);
}

export function releasePassed(r: ReleaseResult): number {
  return r.rows.filter((x) => !x.failures.length).length;
}

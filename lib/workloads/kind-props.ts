import { IConstruct } from 'constructs';
import { _invalid } from '../internal/errors';
import { ErrorCode } from '../internal/configuration-error';

/**
 * The props each workload kind reads, by the kind's class name, so that a prop of
 * another kind (or of none) is refused rather than ignored: plain JavaScript and tsx
 * pass an object's extra props silently. test/workloads/kind-props.test.ts checks
 * at compile time that each list is exactly its props interface.
 * @internal
 */
const WORKLOAD = ['image', 'resources', 'priority', 'env', 'configFiles', 'configDir', 'command', 'args', 'component', 'version',
  'runAsUser', 'runAsGroup', 'lowUserIdReason', 'containerName', 'imagePullPolicy', 'imagePullSecrets', 'podLabels', 'podAnnotations',
  'terminationGracePeriod', 'preStopDelay', 'preStopSleep', 'tmpSize'] as const;
const LONG_RUNNING = [...WORKLOAD, 'ports', 'readiness', 'liveness', 'startup', 'withoutProbes', 'identicalProbesReason'] as const;
const SCALING = ['replicas', 'minReplicas', 'maxReplicas', 'targetCpuUtilization', 'updateStrategy', 'maxSurge', 'disruptionBudget'] as const;
const JOB_RUN = ['backoffLimit', 'activeDeadline', 'parallelism', 'completions', 'waitForTerminatingPods'] as const;

/** @internal */
export const _KIND_PROPS = {
  Microservice: [...LONG_RUNNING, ...SCALING, 'release'],
  Worker: [...LONG_RUNNING, ...SCALING],
  StatefulService: [...LONG_RUNNING, 'owners', 'replicas', 'storage', 'claims', 'podManagementPolicy', 'whenDeleted', 'whenScaled', 'disruptionBudget', 'crossContextOwners'],
  Job: [...WORKLOAD, ...JOB_RUN, 'ttlAfterFinished', 'argoCdSyncWave', 'argoCdHook', 'helmHooks'],
  CronJob: [...WORKLOAD, ...JOB_RUN, 'schedule', 'timeZone', 'concurrencyPolicy', 'startingDeadline', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'],
} as const;

/** A workload kind, by its class name. @internal */
export type _KindName = keyof typeof _KIND_PROPS;

/**
 * Throws when `props` sets (to anything but undefined) a prop that `kind` does not
 * read: one of another kind's (`CONFLICT`), naming the kinds that read it, or one of
 * no kind's (`UNKNOWN_OPTION`, a misspelling). Props that are not an object at all are
 * left to the kind's own checks (a missing image is `MISSING_REQUIRED`).
 * @internal
 */
export function _refuseForeignProps(scope: IConstruct, kind: _KindName, props: object | undefined): void {
  if (props === undefined || props === null || typeof props !== 'object') {
    return;
  }
  const reads: readonly string[] = _KIND_PROPS[kind];
  for (const [prop, value] of Object.entries(props)) {
    if (value === undefined || reads.includes(prop)) {
      continue;
    }
    const others = (Object.keys(_KIND_PROPS) as _KindName[]).filter(k => (_KIND_PROPS[k] as readonly string[]).includes(prop));
    if (others.length > 0) {
      const list = others.join(others.length > 2 ? ', ' : ' and ');
      throw _invalid(scope, prop, shown(value), `must not be set on a ${kind}, which does not read it (it is a prop of ${list})`,
        `remove ${prop}, or make this a ${others.join(' or ')} if that is what it is`, ErrorCode.CONFLICT);
    }
    throw _invalid(scope, prop, shown(value), `is not a prop of ${kind}, nor of any workload kind`,
      `remove it, or correct its name (the props are those of ${kind}Props)`, ErrorCode.UNKNOWN_OPTION);
  }
}

/** The value as an error shows it: as written when it is plain data, else its class. */
function shown(value: unknown): unknown {
  try {
    JSON.stringify(value);
    return value;
  } catch {
    return `<${(value as object).constructor?.name ?? 'object'}>`;
  }
}

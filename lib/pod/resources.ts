import { Size } from 'cdk8s';
import { ContainerResources } from 'cdk8s-plus-27';
import { k8s } from '../internal/k8s';
import { IConstruct } from 'constructs';
import { _invalid } from '../internal/errors';
import { _bytes, _cpuMillis, _formatBytes, _formatMillis, _size } from '../internal/quantity';
import type { BoundedContext } from '../platform/bounded-context';
import type { _Resources } from '../platform/context-quota';
import { ErrorCode } from '../internal/configuration-error';

/**
 * Resolves a container's requests and limits against its bounded context's
 * LimitRange: a missing request defaults to the context's default request (capped
 * at the limit given), a missing limit to the context's default limit (raised to
 * the request given). Throws when a request is not positive, exceeds its limit, or a
 * limit exceeds the context's maximum, and when `/tmp` does not fit the ephemeral
 * storage limit.
 * @internal
 */
export function _resolveResources(scope: IConstruct, context: BoundedContext, r: ContainerResources, tmpSize: Size, prefix: string = ''): _Resources {
  const d = context._defaults;
  const pair = (request: number | undefined, limit: number | undefined, defRequest: number, defLimit: number) => {
    const req = request ?? (limit !== undefined ? Math.min(defRequest, limit) : defRequest);
    const lim = limit ?? Math.max(defLimit, req);
    return [req, lim] as const;
  };
  const declaredCpu = pair(r.cpu?.request && _cpuMillis(r.cpu.request, scope, `${prefix}resources.cpu.request`), r.cpu?.limit && _cpuMillis(r.cpu.limit, scope, `${prefix}resources.cpu.limit`),
    d.cpuRequest, d.cpuLimit);
  const declaredMem = pair(r.memory?.request && _size(scope, `${prefix}resources.memory.request`, r.memory.request), r.memory?.limit && _size(scope, `${prefix}resources.memory.limit`, r.memory.limit), d.memoryRequest, d.memoryLimit);
  // CPU and memory as the environment sizes them (lib/platform/environment.ts)
  const sizing = context.platform.environment?.resources;
  const cpu = sizing ? [sizing._cpu(declaredCpu[0]), sizing._cpu(declaredCpu[1])] as const : declaredCpu;
  const mem = sizing ? [sizing._memory(declaredMem[0]), sizing._memory(declaredMem[1])] as const : declaredMem;
  const eph = pair(r.ephemeralStorage?.request && _size(scope, `${prefix}resources.ephemeralStorage.request`, r.ephemeralStorage.request), r.ephemeralStorage?.limit && _size(scope, `${prefix}resources.ephemeralStorage.limit`, r.ephemeralStorage.limit),
    d.ephemeralStorageRequest, d.ephemeralStorageLimit);
  const max = context._max;
  const rows: Array<[string, readonly [number, number], number, string, (n: number) => string]> = [
    ['cpu', cpu, max.cpu, 'maxCpu', _formatMillis],
    ['memory', mem, max.memory, 'maxMemory', _formatBytes],
    ['ephemeralStorage', eph, max.ephemeralStorage, 'maxEphemeralStorage', _formatBytes],
  ];
  for (const [name, [req, lim], most, maxProp, fmt] of rows) {
    if (!(req > 0)) {
      throw _invalid(scope, `${prefix}resources.${name}.request`, fmt(req), 'must be greater than zero', 'request what the service needs at rest', ErrorCode.OUT_OF_RANGE);
    }
    if (req > lim) {
      throw _invalid(scope, `${prefix}resources.${name}.request`, fmt(req), `must not exceed resources.${name}.limit (${fmt(lim)})`,
        `lower the request or raise the limit to at least ${fmt(req)}`, ErrorCode.CONFLICT);
    }
    if (lim > most) {
      throw _invalid(scope, `${prefix}resources.${name}.limit`, fmt(lim),
        `must not exceed the bounded context's containerLimits.${maxProp} (${fmt(most)}), or admission rejects the pods`,
        `lower the limit, or raise containerLimits.${maxProp} of ${context.node.path}`, ErrorCode.QUOTA_EXCEEDED);
    }
  }
  const tmp = _size(scope, `${prefix}tmpSize`, tmpSize);
  if (tmp > eph[1]) {
    throw _invalid(scope, `${prefix}tmpSize`, _formatBytes(tmp), `must fit in resources.ephemeralStorage.limit (${_formatBytes(eph[1])})`,
      'shrink tmpSize or raise the ephemeral storage limit', ErrorCode.QUOTA_EXCEEDED);
  }
  return {
    cpuRequest: cpu[0], cpuLimit: cpu[1],
    memoryRequest: mem[0], memoryLimit: mem[1],
    ephemeralStorageRequest: eph[0], ephemeralStorageLimit: eph[1],
  };
}

/**
 * Resolved resources as Kubernetes quantities, keyed like `ContainerResources`.
 * @internal
 */
export function _formatResources(r: _Resources): { [key: string]: string } {
  return {
    cpuRequest: _formatMillis(r.cpuRequest), cpuLimit: _formatMillis(r.cpuLimit),
    memoryRequest: _formatBytes(r.memoryRequest), memoryLimit: _formatBytes(r.memoryLimit),
    ephemeralStorageRequest: _formatBytes(r.ephemeralStorageRequest), ephemeralStorageLimit: _formatBytes(r.ephemeralStorageLimit),
  };
}

/**
 * The container's `resources` block.
 * @internal
 */
export function _renderResources(r: _Resources): k8s.ResourceRequirements {
  const q = (s: string) => k8s.Quantity.fromString(s);
  return {
    requests: { 'cpu': q(_formatMillis(r.cpuRequest)), 'memory': q(_formatBytes(r.memoryRequest)), 'ephemeral-storage': q(_formatBytes(r.ephemeralStorageRequest)) },
    limits: { 'cpu': q(_formatMillis(r.cpuLimit)), 'memory': q(_formatBytes(r.memoryLimit)), 'ephemeral-storage': q(_formatBytes(r.ephemeralStorageLimit)) },
  };
}

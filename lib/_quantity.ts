import { Size, SizeRoundingBehavior } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';

/**
 * CPU as whole millicores, for arithmetic (quota sums, request <= limit).
 */
export function _cpuMillis(cpu: Cpu): number {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(cpu.amount);
  if (!m) {
    throw new Error(`cannot read the CPU amount '${cpu.amount}'; use Cpu.millis(n) or Cpu.units(n) with a positive number`);
  }
  const n = Number(m[1]);
  return m[2] === 'm' ? n : Math.round(n * 1000);
}

/**
 * A size in bytes, for arithmetic.
 */
export function _bytes(size: Size): number {
  return Math.round(size.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) * 1024);
}

/**
 * Renders millicores as a Kubernetes quantity (`1500m`, `2`).
 */
export function _formatMillis(millis: number): string {
  return millis % 1000 === 0 ? `${millis / 1000}` : `${millis}m`;
}

/**
 * Renders bytes as a Kubernetes quantity in the largest binary unit that keeps it whole.
 */
export function _formatBytes(bytes: number): string {
  const units = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
  let value = bytes;
  let i = 0;
  while (i < units.length - 1 && value % 1024 === 0 && value !== 0) {
    value /= 1024;
    i++;
  }
  return `${value}${units[i]}`;
}

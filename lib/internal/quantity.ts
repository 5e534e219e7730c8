import { Size, SizeRoundingBehavior } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { ErrorCode } from './configuration-error';
import { _instanceOf, _invalid } from './errors';

/**
 * CPU as whole millicores, for arithmetic (quota sums, request <= limit). A negative
 * amount, or one finer than a millicore (which Kubernetes refuses), fails with the
 * construct path and prop.
 */
export function _cpuMillis(cpu: Cpu, scope: IConstruct, prop: string): number {
  _instanceOf(scope, prop, cpu, Cpu, 'use Cpu.millis(n) or Cpu.units(n)');
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(cpu.amount);
  const millis = m ? (m[2] === 'm' ? Number(m[1]) : Number(m[1]) * 1000) : NaN;
  // 0.1 + 0.2 style float noise must not make a whole number fractional
  const whole = Math.round(millis);
  if (!m || Math.abs(millis - whole) > 1e-6) {
    const expected = 'must be a CPU amount of zero or more, in whole millicores (Kubernetes allows no finer precision)';
    const fix = 'use Cpu.millis(n) with a whole n, or Cpu.units(n) such as Cpu.units(0.25)';
    throw _invalid(scope, prop, cpu.amount, expected, fix, ErrorCode.OUT_OF_RANGE);
  }
  return whole;
}

/**
 * A size in bytes, for arithmetic, once `_size` has checked it.
 */
export function _bytes(size: Size): number {
  return Math.round(size.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) * 1024);
}

/**
 * A size prop in bytes, after checking that it is a Size (plain JavaScript and tsx
 * do not type-check: a string such as '1Gi' would fail as a bare TypeError).
 */
export function _size(scope: IConstruct, prop: string, size: Size): number {
  return _bytes(_instanceOf(scope, prop, size, Size, 'use Size.mebibytes(n) or Size.gibibytes(n)'));
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

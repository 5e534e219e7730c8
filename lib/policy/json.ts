/** Reading untrusted rendered YAML: JSONPaths and typed views of unknown values. */

/** JSONPath of a member of an object. @internal */
export function _at(base: string, key: string | number): string {
  if (typeof key === 'number') {
    return `${base}[${key}]`;
  }
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${base}.${key}` : `${base}['${key.replace(/'/g, "\\'")}']`;
}

/** `value` as a record, or an empty one for anything else (rules read untrusted YAML). @internal */
export function _obj(value: unknown): { readonly [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as { [key: string]: unknown } : {};
}

/** `value` as a list, or an empty one for anything else. @internal */
export function _list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `value` as a string, or undefined. @internal */
export function _str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

import { Yaml } from 'cdk8s';

/**
 * Writes manifests as cdk8s' `Yaml.stringify` does, byte for byte, in a fraction of
 * its time.
 *
 * `Yaml.stringify` builds a full `yaml` document tree per manifest (tags, anchors,
 * comments) to print plain JSON data: about 70% of the synthesis time of a large
 * platform. What it prints for such data is simple, and only the scalars need the
 * `yaml` library's judgement (plain or quoted, YAML 1.1 words such as `on` or `y`).
 * So this emitter lays out the block structure itself (two-space indentation,
 * sequences indented under their key, `{}` and `[]` for empty collections) and asks
 * cdk8s' own `Yaml.stringify` how to print each distinct scalar and key, once per
 * emitter, under the same options cdk8s uses.
 *
 * Whatever the layout above does not cover is handed to `Yaml.stringify` whole, one
 * manifest at a time: multi-line strings (block scalars depend on the indentation),
 * keys that `yaml` prints differently by depth (document markers) or as explicit
 * keys, the same object twice in one manifest (`yaml` would write an anchor), and
 * anything that is not plain JSON data (class instances, dates, undefined). The
 * test suite compares the two byte for byte on the reference platform, generated
 * platforms and generated documents.
 * @internal
 */
export class _YamlEmitter {
  private readonly values = new Map<unknown, string>();
  private readonly keys = new Map<string, string>();
  private seen = new Set<object>();

  /**
   * Whether this emitter lays out documents as the installed cdk8s does: it prints a
   * document with every layout it knows (nested maps, sequences of maps and of
   * sequences, empty collections, quoted keys and values) both ways and compares. A
   * cdk8s or `yaml` release that changes the layout makes this false, and
   * `MicroservicesApp.synth()` then leaves serialization to cdk8s.
   */
  public static matchesCdk8s(): boolean {
    const probe = {
      apiVersion: 'v1', kind: 'Probe', metadata: { name: 'probe', labels: { 'app.kubernetes.io/name': 'probe' }, annotations: { on: 'yes', note: 'a: b' } },
      spec: { list: [{ name: 'a', ports: [{ port: 80 }, { port: 443 }], empty: {} }, [1, [2, 3]], []], flags: [true, null, 1.5], nested: { deeper: { value: '0755' } } },
    };
    return new _YamlEmitter().stringify([probe, undefined, probe]) === Yaml.stringify(probe, undefined, probe);
  }

  /** The documents as `Yaml.stringify(...docs)` prints them. */
  public stringify(docs: readonly unknown[]): string {
    return docs.map(d => d === undefined ? '\n' : this.document(d)).join('---\n');
  }

  private document(doc: unknown): string {
    this.seen = new Set();
    const body = _isPlainObject(doc) ? this.map(doc, '') : undefined;
    return body === undefined ? Yaml.stringify(doc) : `${body}\n`;
  }

  /** A map's lines; the first without indentation, the others after `\n` + indent. */
  private map(obj: Record<string, unknown>, indent: string): string | undefined {
    if (!this.enter(obj)) return undefined;
    const keys = Object.keys(obj);
    if (keys.length === 0) return '{}';
    const inner = `${indent}  `;
    let out = '';
    for (let i = 0; i < keys.length; i++) {
      const key = this.key(keys[i]);
      const value = this.value(obj[keys[i]], inner, true);
      if (key === undefined || value === undefined) return undefined;
      out += i === 0 ? `${key}:${value}` : `\n${indent}${key}:${value}`;
    }
    return out;
  }

  /** A sequence's items, each after `- `; the first without indentation. */
  private seq(arr: readonly unknown[], indent: string): string | undefined {
    if (!this.enter(arr)) return undefined;
    if (arr.length === 0) return '[]';
    const inner = `${indent}  `;
    let out = '';
    for (let i = 0; i < arr.length; i++) {
      const item = this.value(arr[i], inner, false);
      if (item === undefined) return undefined;
      out += i === 0 ? `-${item}` : `\n${indent}-${item}`;
    }
    return out;
  }

  /**
   * A value after `key:` or `-`: a scalar or an empty collection on the same line, a
   * map or sequence on the next lines (after a key) or on the same line (after `-`).
   */
  private value(v: unknown, inner: string, afterKey: boolean): string | undefined {
    if (Array.isArray(v)) {
      const body = this.seq(v, inner);
      return body === undefined ? undefined : v.length > 0 && afterKey ? `\n${inner}${body}` : ` ${body}`;
    }
    if (_isPlainObject(v)) {
      const body = this.map(v, inner);
      return body === undefined ? undefined : body !== '{}' && afterKey ? `\n${inner}${body}` : ` ${body}`;
    }
    const scalar = this.scalar(v);
    return scalar === undefined ? undefined : ` ${scalar}`;
  }

  /** How `yaml` prints a scalar as a map value; undefined where that depends on where it stands. */
  private scalar(v: unknown): string | undefined {
    if (Object.is(v, -0)) return undefined; // a Map key: -0 would find the entry of 0
    const known = this.values.get(v);
    if (known !== undefined) return known;
    if (!(typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null)) return undefined;
    // one line, or the printing depends on the indentation (block scalars, long double-quoted ones)
    const line = Yaml.stringify({ k: v });
    if (!line.startsWith('k: ') || line.indexOf('\n') !== line.length - 1) return undefined;
    const printed = line.slice(3, -1);
    this.values.set(v, printed);
    return printed;
  }

  /** How `yaml` prints a key; undefined where that depends on where it stands. */
  private key(k: string): string | undefined {
    const known = this.keys.get(k);
    if (known !== undefined) return known;
    if (/^(%|---|\.\.\.)/.test(k)) return undefined; // quoted at the top level only
    const line = Yaml.stringify({ [k]: 0 });
    // one line, or an explicit key (`? key`, over 1024 characters) or a block scalar
    if (!line.endsWith(': 0\n') || line.indexOf('\n') !== line.length - 1) return undefined;
    const printed = line.slice(0, -4);
    this.keys.set(k, printed);
    return printed;
  }

  /** False when the object already appeared in this document (`yaml` would alias it). */
  private enter(obj: object): boolean {
    if (this.seen.has(obj)) return false;
    this.seen.add(obj);
    return true;
  }
}

function _isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

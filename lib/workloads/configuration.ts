import { createHash } from 'crypto';
import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from '../internal/k8s';
import { Construct } from 'constructs';
import { _credentialKind, _isCredentialName } from '../internal/credentials';
import { _assertDns1123Label, _checkType, _compare, _instanceOf, _invalid } from '../internal/errors';
import { _addValidation } from '../internal/chart';
import { _suppress } from '../internal/suppressions';
import { SecretSource, ServiceSecret } from '../config/secret-source';
import { PodField } from '../pod/pod-field';
import type { IWorkloadFacetOwner } from './facet-owner';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';

/**
 * How a workload uses a secret: as files (preferred: not inherited by child
 * processes, not printed by crash dumps, rotated without a restart) and/or as
 * environment variables.
 */
export interface AddSecretOptions {
  /**
   * Environment variables to set from the secret, mapped to the key each reads.
   *
   * @default - no environment variables
   */
  readonly env?: { [envVar: string]: string };

  /**
   * Where to mount the secret's keys as files (one file per key, mode 0440).
   *
   * @default - `/var/run/secrets/<id>` unless `env` is given, in which case the
   * secret is not mounted
   */
  readonly mountPath?: string;
}

type EnvSource = { readonly value: string } | { readonly secretName: string; readonly key: string }
  | { readonly field: PodField } | { readonly podSpecValue: string };

/** A reference `$(NAME)` that Kubernetes expands in an env value (`$$(NAME)` is an escaped, literal one). */
const ENV_REFERENCE = /\$(\$?)\(([^)]*)\)/g;

/**
 * What a workload's configuration needs of the workload beyond what every facet
 * knows: to check a secret's mount path against its other mounts.
 * @internal
 */
export interface IConfigurationOwner extends IWorkloadFacetOwner {
  /** Throws when `path` is not an absolute directory or overlaps another mount. */
  _checkMountPath(prop: string, path: string): void;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const CONFIGMAP_MAX_BYTES = 1024 * 1024;

/**
 * A workload's configuration (12-factor): environment values and configuration files
 * in one immutable ConfigMap named after the hash of its content (a change renames
 * it, so the pods roll and an old ReplicaSet keeps its old configuration), and the
 * secrets it mounts or reads into its environment. Reached through
 * `workload.configuration`; the workload's `addEnv`, `addConfigFile` and `addSecret`
 * delegate here.
 */
export class WorkloadConfiguration {
  /** The directory the configuration files are mounted in. */
  public readonly configDir: string;
  private readonly _env = new Map<string, EnvSource>();
  private readonly _files = new Map<string, string>();
  private readonly _secrets: ServiceSecret[] = [];
  private _configMap?: ApiObject;

  /** @internal */
  constructor(private readonly workload: IConfigurationOwner, configDir: string) {
    this.configDir = configDir;
    _addValidation(workload, () => this.validateSize());
  }

  /** The configuration environment variables (not those from secrets), sorted by name (a copy). */
  public get env(): { [name: string]: string } {
    return Object.fromEntries([...this._env.entries()]
      .filter((e): e is [string, { value: string }] => 'value' in e[1])
      .map(([name, source]) => [name, source.value])
      .sort(([a], [b]) => _compare(a, b)));
  }

  /** The configuration files, by file name (a copy). */
  public get files(): { [fileName: string]: string } {
    return Object.fromEntries(this._files);
  }

  /** The secrets the workload uses (a copy). */
  public get secrets(): ServiceSecret[] {
    return [...this._secrets];
  }

  /** Whether the workload has a ConfigMap (some environment value or file). */
  public get hasConfigMap(): boolean {
    return this._configMap !== undefined;
  }

  /** The ConfigMap's name: `<workload>-config-<hash of its content>`. */
  public get configMapName(): string {
    const hash = createHash('sha256').update(JSON.stringify(this.data())).digest('hex').slice(0, 10);
    return `${this.workload.name}-config-${hash}`;
  }

  /** Adds an environment variable; see `Workload.addEnv`. */
  public addEnv(name: string, value: string): void {
    const w = this.workload;
    this.reserveEnv(name);
    _checkType(w, `env.${name}`, value, 'string', 'pass the value as a string, for example \'8080\' for a number');
    this.checkPlaintext(name, value);
    this._env.set(name, { value });
    this.ensureConfigMap();
  }

  /** Throws when a plain environment value (`name`, `value`) reads as a credential. */
  private checkPlaintext(name: string, value: string): void {
    const w = this.workload;
    if (_isCredentialName(name)) {
      throw _invalid(w, 'env', name, 'reads as a credential (password, token, bearer, secret), which must not be plain configuration',
        'if the value is a credential, use addSecret(id, source, { env }) or better a mounted file; if it is not, rename the variable', ErrorCode.PLAINTEXT_SECRET);
    }
    const looksLike = _credentialKind(value, name);
    if (looksLike) {
      throw _invalid(w, `env.${name}`, '(value not shown)', `looks like ${looksLike}, which must not be stored in plaintext in a ConfigMap or the pod spec`,
        'put it in a secret manager and use addSecret(id, SecretSource.fromExternalSecret(...), { env: { ... } }), or remove the credential from the value', ErrorCode.PLAINTEXT_SECRET);
    }
  }

  /**
   * Adds an environment variable the kubelet sets from a field of the pod (the
   * downward API), such as its name: `addFieldEnv('K8S_POD_NAME', PodField.NAME)`.
   */
  public addFieldEnv(name: string, field: PodField): void {
    const w = this.workload;
    this.reserveEnv(name);
    _instanceOf(w, `env.${name}`, field, PodField, 'use PodField.NAME, PodField.NAMESPACE, PodField.label(key) or another PodField');
    this._env.set(name, { field });
  }

  /**
   * Adds an environment variable whose value is written in the pod spec, not in the
   * ConfigMap, so that Kubernetes expands the references `$(NAME)` in it to
   * variables of the workload set before (from the ConfigMap, a secret or a pod
   * field); it is set after all of them. For a value that must combine values known
   * only in the pod, such as
   * `addPodSpecEnv('OTEL_RESOURCE_ATTRIBUTES', 'k8s.pod.name=$(K8S_POD_NAME)')`;
   * prefer `addEnv` for anything else.
   */
  public addPodSpecEnv(name: string, value: string): void {
    const w = this.workload;
    this.reserveEnv(name);
    _checkType(w, `env.${name}`, value, 'string', 'pass the value as a string');
    this.checkPlaintext(name, value);
    for (const [, escaped, ref] of value.matchAll(ENV_REFERENCE)) {
      const source = this._env.get(ref);
      if (escaped === '' && (source === undefined || 'podSpecValue' in source)) {
        throw _invalid(w, `env.${name}`, value, `refers to $(${ref}), which is not a variable of the workload set before it (from the ConfigMap, a secret or a pod field), so Kubernetes would leave it unexpanded`,
          `add ${ref} first (addEnv, addSecret or addFieldEnv), or write $$(${ref}) for a literal '$(${ref})'`, ErrorCode.UNKNOWN_REFERENCE);
      }
    }
    this._env.set(name, { podSpecValue: value });
  }

  /** Adds a configuration file; see `Workload.addConfigFile`. */
  public addConfigFile(fileName: string, content: string): void {
    const w = this.workload;
    if (!CONFIG_KEY.test(fileName) || fileName === '.' || fileName === '..' || fileName.length > 253) {
      throw _invalid(w, 'configFiles', fileName, 'must be a file name of letters, digits, \'-\', \'_\' and \'.\'', 'rename the file, for example \'app.yaml\'', ErrorCode.INVALID_NAME);
    }
    if (this._files.has(fileName) || this._env.has(fileName)) {
      throw _invalid(w, 'configFiles', fileName, 'must be unique among the service\'s configuration files and environment values', 'rename the file', ErrorCode.DUPLICATE);
    }
    const looksLike = _credentialKind(content);
    if (looksLike) {
      throw _invalid(w, `configFiles.${fileName}`, '(content not shown)', `contains ${looksLike}, which must not be stored in plaintext in a ConfigMap`,
        'move the credential into a secret and mount it with addSecret(id, source, { mountPath })', ErrorCode.PLAINTEXT_SECRET);
    }
    this._files.set(fileName, content);
    this.ensureConfigMap();
  }

  /** Uses a secret; see `Workload.addSecret`. */
  public addSecret(id: string, source: SecretSource, options: AddSecretOptions = {}): ServiceSecret {
    const w = this.workload;
    _assertDns1123Label(w, 'addSecret(id)', id);
    _instanceOf(w, 'addSecret(source)', source, SecretSource, 'use SecretSource.fromExternalSecret, fromSealedSecret or fromSecretName');
    if (this._secrets.some(s => s.id === id)) {
      throw _invalid(w, 'addSecret(id)', id, 'must be unique in the service', 'give each secret its own id', ErrorCode.DUPLICATE);
    }
    const env = options.env ?? {};
    for (const [envVar, key] of Object.entries(env)) {
      if (!source.keys.includes(key)) {
        throw _invalid(w, `addSecret(${id}).env.${envVar}`, key, `must be a key the secret provides (${source.keys.map(k => `'${k}'`).join(', ')})`,
          'use one of those keys, or add the key to the secret source', ErrorCode.UNKNOWN_REFERENCE);
      }
    }
    const mountPath = options.mountPath ?? (Object.keys(env).length === 0 ? `/var/run/secrets/${id}` : undefined);
    if (mountPath !== undefined) {
      w._checkMountPath(`addSecret(${id}).mountPath`, mountPath);
    }
    for (const envVar of Object.keys(env)) {
      this.reserveEnv(envVar);
    }
    const holder = new Construct(w, `Secret-${id}`);
    const secretName = source._bind(holder, `addSecret(${id})`, `${w.name}-${id}`, w.namespace,
      { labels: { ...w._labels }, annotations: w._meta().annotations }, w.context.platform.allowLiteralSecrets,
      store => w.context.platform.environment?._storeFor(store));
    for (const [envVar, key] of Object.entries(env)) {
      this._env.set(envVar, { secretName, key });
    }
    const flagged = Object.keys(env).filter(_isCredentialName);
    if (flagged.length > 0) {
      _suppress(w._controller, 'polaris', 'sensitiveContainerEnvVar',
        `${flagged.join(', ')} ${flagged.length > 1 ? 'come' : 'comes'} from Secret ${secretName} through secretKeyRef, never as a plaintext value`);
    }
    w._beforeController(holder);
    const secret: ServiceSecret = { id, secretName, keys: [...source.keys], mountPath, namespace: w.namespace };
    this._secrets.push(secret);
    return secret;
  }

  /**
   * The container's environment: ConfigMap, Secret and pod field references sorted by
   * name, then the pod-spec values sorted by name (Kubernetes expands a reference only
   * to a variable listed before it).
   * @internal
   */
  public _renderEnv(): k8s.EnvVar[] {
    const configMap = this.configMapName;
    const sorted = [...this._env.entries()].sort(([a], [b]) => _compare(a, b));
    const render = ([name, source]: [string, EnvSource]): k8s.EnvVar => {
      if ('value' in source) return { name, valueFrom: { configMapKeyRef: { name: configMap, key: name } } };
      if ('secretName' in source) return { name, valueFrom: { secretKeyRef: { name: source.secretName, key: source.key } } };
      if ('field' in source) return { name, valueFrom: { fieldRef: { fieldPath: source.field.fieldPath } } };
      return { name, value: source.podSpecValue };
    };
    return [...sorted.filter(([, s]) => !('podSpecValue' in s)), ...sorted.filter(([, s]) => 'podSpecValue' in s)].map(render);
  }

  /**
   * The ConfigMap's volume and mount, when there are configuration files.
   * @internal
   */
  public _renderFiles(): { volume: k8s.Volume; mount: k8s.VolumeMount } | undefined {
    if (this._files.size === 0) {
      return undefined;
    }
    const items = [...this._files.keys()].sort(_compare).map(key => ({ key, path: key }));
    return {
      volume: { name: 'config', configMap: { name: this.configMapName, items } },
      mount: { name: 'config', mountPath: this.configDir, readOnly: true },
    };
  }

  private reserveEnv(name: string): void {
    const w = this.workload;
    if (!ENV_NAME.test(name)) {
      throw _invalid(w, 'env', name, 'must be a C identifier: letters, digits and \'_\', not starting with a digit',
        `rename it, for example '${name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1').toUpperCase()}'`, ErrorCode.INVALID_NAME);
    }
    if (this._env.has(name)) {
      throw _invalid(w, 'env', name, 'must be set once, but is set twice', 'remove one of the two, or rename one (for a call, use connectTo\'s envVar option)', ErrorCode.DUPLICATE);
    }
    if (this._files.has(name)) {
      throw _invalid(w, 'env', name, 'must not repeat the name of a configuration file (they share the ConfigMap)', 'rename the variable or the file', ErrorCode.DUPLICATE);
    }
  }

  private ensureConfigMap(): void {
    if (this._configMap) {
      return;
    }
    const w = this.workload;
    this._configMap = new k8s.KubeConfigMap(w, 'Config', {
      // the config-of label finds a workload's old ConfigMaps, to prune all but the newest few
      metadata: { ...w._meta({ 'cdk8s-microservices.io/config-of': w.name }), name: Lazy.any({ produce: () => this.configMapName }) },
      immutable: true,
      data: Lazy.any({ produce: () => this.data() }),
    });
    w._beforeController(this._configMap);
  }

  private data(): { [key: string]: string } {
    const entries: Array<[string, string]> = [...this._files.entries()];
    for (const [name, source] of this._env) {
      if ('value' in source) {
        entries.push([name, source.value]);
      }
    }
    return Object.fromEntries(entries.sort(([a], [b]) => _compare(a, b)));
  }

  private validateSize(): ConfigurationError[] {
    if (!this._configMap) {
      return [];
    }
    const bytes = Object.entries(this.data()).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    return bytes > CONFIGMAP_MAX_BYTES
      ? [_invalid(this.workload, 'configFiles', `${bytes} bytes`, `must fit the 1 MiB limit of a ConfigMap (${CONFIGMAP_MAX_BYTES} bytes) together with the environment values`,
        'move large files into the image or a volume, or split the configuration', ErrorCode.QUOTA_EXCEEDED)]
      : [];
  }
}

import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { _wholeSeconds } from '../internal/duration';
import { _assertDns1123Subdomain, _invalid } from '../internal/errors';
import { SealedSecret } from '../imports/bitnami.com';
import { ExternalSecret, ExternalSecretSpecSecretStoreRefKind, ExternalSecretSpecTargetCreationPolicy, ExternalSecretSpecTargetDeletionPolicy } from '../imports/external-secrets.io';
import { ErrorCode } from '../internal/configuration-error';

/**
 * A store that external-secrets reads from: a SecretStore in the service's
 * namespace or a cluster-wide ClusterSecretStore, configured by the platform team
 * for HashiCorp Vault, Azure Key Vault, AWS Secrets Manager, Google Secret Manager, ...
 *
 * @see https://external-secrets.io/latest/introduction/overview/
 */
export class SecretStore {
  /** A SecretStore in the namespace of the service that uses it. */
  public static namespaced(name: string): SecretStore {
    return new SecretStore(name, ExternalSecretSpecSecretStoreRefKind.SECRET_STORE);
  }

  /** A ClusterSecretStore, shared by every namespace it admits. */
  public static cluster(name: string): SecretStore {
    return new SecretStore(name, ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE);
  }

  private constructor(
    /** The store's name. */
    public readonly name: string,
    /** `SecretStore` or `ClusterSecretStore`. */
    public readonly kind: string,
  ) {}
}

/**
 * Options of a reference to one value in an external secret manager.
 */
export interface RemoteRefOptions {
  /**
   * The property of a structured secret (a JSON field, a Vault KV field).
   *
   * @default - the whole secret value
   */
  readonly property?: string;

  /**
   * The version of the secret.
   *
   * @default - the latest version
   */
  readonly version?: string;
}

/**
 * Where one value lives in the external secret manager.
 *
 * @example
 * RemoteRef.of('payments/provider', { property: 'api_key' })
 */
export class RemoteRef {
  /** The value under `key` (a path or name in the secret manager). */
  public static of(key: string, options: RemoteRefOptions = {}): RemoteRef {
    return new RemoteRef(key, options.property, options.version);
  }

  private constructor(
    /** The key (path or name) in the secret manager. */
    public readonly key: string,
    /** The property of a structured secret, if any. */
    public readonly property?: string,
    /** The version, if pinned. */
    public readonly version?: string,
  ) {}
}

/**
 * Options of a secret that external-secrets syncs from a secret manager.
 */
export interface ExternalSecretOptions {
  /** The store to read from. */
  readonly store: SecretStore;

  /** The keys of the Kubernetes Secret, each with where its value lives. */
  readonly data: { [key: string]: RemoteRef };

  /**
   * How often external-secrets reads the values again.
   *
   * @default Duration.hours(1)
   */
  readonly refreshInterval?: Duration;
}

/**
 * Options of a secret whose values are sealed (encrypted) with the cluster's
 * sealed-secrets key.
 */
export interface SealedSecretOptions {
  /**
   * The encrypted values, by key, as `kubeseal --raw` prints them. They are sealed
   * for the Secret name `<service>-<id>` in the service's namespace (strict scope).
   */
  readonly encryptedData: { [key: string]: string };
}

type Kind = 'existing' | 'external' | 'sealed' | 'literal';

/**
 * Where a microservice's secret values come from. None of them writes a plaintext
 * value into the synthesized YAML, except `fromLiterals`, which only a platform that
 * opted into local development accepts.
 *
 * @example
 * SecretSource.fromExternalSecret({
 *   store: SecretStore.cluster('vault'),
 *   data: { 'api-key': RemoteRef.of('payments/provider', { property: 'api_key' }) },
 * })
 */
export class SecretSource {
  /**
   * A Secret created out of band (by an operator, a CI job, a person), referenced by
   * name. List the keys it holds, so that references to missing keys fail at synth.
   */
  public static fromSecretName(secretName: string, keys: string[]): SecretSource {
    return new SecretSource('existing', [...keys], { secretName });
  }

  /**
   * An ExternalSecret (external-secrets.io): the operator creates the Secret from a
   * secret manager and refreshes it.
   */
  public static fromExternalSecret(options: ExternalSecretOptions): SecretSource {
    return new SecretSource('external', Object.keys(options.data), { external: options });
  }

  /**
   * A SealedSecret (bitnami sealed-secrets): values encrypted with the cluster's
   * public key, safe to commit; only the controller in the cluster can decrypt them.
   */
  public static fromSealedSecret(options: SealedSecretOptions): SecretSource {
    return new SecretSource('sealed', Object.keys(options.encryptedData), { sealed: options });
  }

  /**
   * Plaintext values, rendered as a Secret with `stringData`. Only for local
   * development: refused unless the platform sets `allowLiteralSecrets`.
   */
  public static fromLiterals(values: { [key: string]: string }): SecretSource {
    return new SecretSource('literal', Object.keys(values), { literals: { ...values } });
  }

  /** The keys the source provides. */
  public readonly keys: string[];

  private constructor(
    private readonly kind: Kind,
    keys: string[],
    private readonly spec: {
      readonly secretName?: string;
      readonly external?: ExternalSecretOptions;
      readonly sealed?: SealedSecretOptions;
      readonly literals?: { [key: string]: string };
    },
  ) {
    this.keys = keys;
  }

  /** What kind of source this is: `existing`, `external`, `sealed` or `literal`. */
  public get sourceKind(): string {
    return this.kind;
  }

  /**
   * Checks the source and renders what it needs in the namespace; returns the name
   * of the Kubernetes Secret that will hold the values.
   * @internal
   */
  public _bind(scope: Construct, prop: string, ownName: string, namespace: string, meta: _SecretMeta, allowLiterals: boolean,
    storeFor: (name: string) => { readonly name: string; readonly kind: string } | undefined = () => undefined): string {
    if (this.keys.length === 0) {
      throw _invalid(scope, prop, this.kind, 'must provide at least one key', 'list the keys the secret holds', ErrorCode.MISSING_REQUIRED);
    }
    for (const key of this.keys) {
      if (!/^[-._a-zA-Z0-9]{1,253}$/.test(key)) {
        throw _invalid(scope, `${prop}.keys`, key, 'must be a Secret key: letters, digits, \'-\', \'_\' and \'.\'', 'rename the key', ErrorCode.INVALID_NAME);
      }
    }
    const labels = meta.labels;
    // the owner's ordering annotations (a hook Job's): its Secret must exist before it runs
    const annotations = Object.keys(meta.annotations ?? {}).length > 0 ? { annotations: { ...meta.annotations } } : {};
    const metadata = { name: ownName, namespace, labels, ...annotations };
    switch (this.kind) {
      case 'existing': {
        const name = this.spec.secretName!;
        _assertDns1123Subdomain(scope, `${prop}.secretName`, name, 'use the name the Secret was created with');
        return name;
      }
      case 'external': {
        // the store the environment uses in place of the one the code names, if any
        const o = { ...this.spec.external!, store: storeFor(this.spec.external!.store.name) ?? this.spec.external!.store };
        const refresh = _wholeSeconds(scope, `${prop}.refreshInterval`, o.refreshInterval ?? Duration.hours(1), 0);
        if (refresh < 60) {
          throw _invalid(scope, `${prop}.refreshInterval`, `${refresh}s`, 'must be at least one minute, or the secret manager is polled too often',
            'use Duration.minutes(1) or more (Duration.hours(1) is the default)', ErrorCode.OUT_OF_RANGE);
        }
        _assertDns1123Subdomain(scope, `${prop}.store.name`, o.store.name,
          `name the ${o.store.kind} the platform team created (kubectl get ${o.store.kind.toLowerCase()}s${o.store.kind === 'SecretStore' ? ' -n <namespace>' : ''})`);
        for (const [key, ref] of Object.entries(o.data)) {
          if (ref.key.trim().length === 0 || ref.key !== ref.key.trim()) {
            throw _invalid(scope, `${prop}.data.${key}`, ref.key, 'must name the secret in the secret manager, without surrounding spaces', 'pass RemoteRef.of(\'path/in/manager\')');
          }
          for (const [field, value] of [['property', ref.property], ['version', ref.version]] as const) {
            if (value !== undefined && (value.trim().length === 0 || value !== value.trim())) {
              throw _invalid(scope, `${prop}.data.${key}.${field}`, value, `must be a ${field} of the remote secret, or be left out`,
                `name the ${field}, or remove it to read the whole ${field === 'property' ? 'secret' : 'latest version'}`);
            }
          }
        }
        new ExternalSecret(scope, 'Resource', {
          metadata,
          spec: {
            refreshInterval: _goDuration(refresh),
            secretStoreRef: { name: o.store.name, kind: o.store.kind as ExternalSecretSpecSecretStoreRefKind },
            target: {
              name: ownName,
              creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER,
              deletionPolicy: ExternalSecretSpecTargetDeletionPolicy.RETAIN,
            },
            data: Object.entries(o.data).map(([secretKey, ref]) => ({
              secretKey,
              remoteRef: {
                key: ref.key,
                ...(ref.property !== undefined ? { property: ref.property } : {}),
                ...(ref.version !== undefined ? { version: ref.version } : {}),
              },
            })),
          },
        });
        return ownName;
      }
      case 'sealed': {
        const data = this.spec.sealed!.encryptedData;
        for (const [key, value] of Object.entries(data)) {
          if (!_looksSealed(value)) {
            throw _invalid(scope, `${prop}.encryptedData.${key}`, '(value not shown)',
              'must be a value sealed by kubeseal (long base64 text); it looks like plaintext, which must never be committed',
              `seal it: echo -n "$VALUE" | kubeseal --raw --namespace ${namespace} --name ${ownName} --from-file=/dev/stdin`, ErrorCode.PLAINTEXT_SECRET);
          }
        }
        new SealedSecret(scope, 'Resource', {
          metadata,
          spec: {
            encryptedData: { ...data },
            template: { metadata: { name: ownName, namespace, labels }, type: 'Opaque' },
          },
        });
        return ownName;
      }
      case 'literal': {
        if (!allowLiterals) {
          throw _invalid(scope, prop, 'SecretSource.fromLiterals',
            'puts plaintext secret values into the synthesized YAML, which is only allowed for local development',
            'use SecretSource.fromExternalSecret, fromSealedSecret or fromSecretName; for a local cluster only, set allowLiteralSecrets on the Platform', ErrorCode.PLAINTEXT_SECRET);
        }
        const literal: ApiObject = new k8s.KubeSecret(scope, 'Resource', { metadata, type: 'Opaque', stringData: { ...this.spec.literals } });
        literal.metadata.addAnnotation('cdk8s-microservices.io/literal-secret', 'local development only');
        return ownName;
      }
    }
  }
}

/** A whole number of seconds as a Go duration in its largest whole unit: `1h`, `15m`, `90s`. */
function _goDuration(seconds: number): string {
  if (seconds % 3600 === 0) {
    return `${seconds / 3600}h`;
  }
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

/**
 * Whether a value has the shape of kubeseal's output: base64 of a 2-byte length,
 * an RSA-OAEP-encrypted session key of that length (2048 to 4096-bit keys), and
 * an AES-GCM ciphertext with its 16-byte tag.
 */
function _looksSealed(value: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) {
    return false;
  }
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < 2) {
    return false;
  }
  const keyLength = bytes.readUInt16BE(0);
  return [256, 384, 512].includes(keyLength) && bytes.length >= 2 + keyLength + 16;
}

/**
 * The labels and annotations a secret source's objects carry: the owning workload's.
 * @internal
 */
export interface _SecretMeta {
  readonly labels: { [key: string]: string };
  readonly annotations?: { [key: string]: string };
}

/**
 * A secret a workload uses (`workload.addSecret(...)`).
 */
export interface ServiceSecret {
  /** The id given to `addSecret`. */
  readonly id: string;
  /** The name of the Kubernetes Secret holding the values. */
  readonly secretName: string;
  /** The keys it provides. */
  readonly keys: string[];
  /** Where its keys are mounted as files, if they are. */
  readonly mountPath?: string;
  /**
   * The namespace of the Secret: the bounded context of the workload that added it.
   * Only pods of that namespace can mount it.
   *
   * @default - the namespace of the workload that mounts it
   */
  readonly namespace?: string;
}

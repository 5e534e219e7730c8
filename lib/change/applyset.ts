import { createHash } from 'crypto';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';
import { LABEL, MANAGED_BY } from '../internal/labels';

/**
 * The API group of the ApplySet parent type (a cluster-scoped custom resource): a
 * platform's output spans several namespaces, and kubectl accepts only a
 * cluster-scoped parent for such a set (a Secret or ConfigMap parent makes it refuse
 * every object outside the parent's namespace).
 */
export const APPLYSET_GROUP = 'platform.cdk8s-microservices.io';

/** The kind of the ApplySet parent type. */
export const APPLYSET_KIND = 'ApplySet';

/** The plural resource name of the ApplySet parent type. */
export const APPLYSET_RESOURCE = 'applysets';

/** The name of the CustomResourceDefinition of the parent type. */
export const APPLYSET_CRD_NAME = `${APPLYSET_RESOURCE}.${APPLYSET_GROUP}`;

/**
 * The labels and annotations of kubectl's ApplySet (KEP-3659), as kubectl 1.37 spells them.
 * @see https://kubernetes.io/docs/reference/labels-annotations-taints/#applyset-kubernetes-io-id
 */
export const APPLYSET_METADATA = {
  /** On the parent: the set's id. */
  ID: 'applyset.kubernetes.io/id',
  /** On every member: the id of its set. kubectl adds it and refuses input that has it. */
  PART_OF: 'applyset.kubernetes.io/part-of',
  /** On the parent: the tool that manages the set, `kubectl/<version>`. */
  TOOLING: 'applyset.kubernetes.io/tooling',
  /** On the parent: the group-kinds of the members, kept by kubectl. */
  CONTAINS_GROUP_KINDS: 'applyset.kubernetes.io/contains-group-kinds',
  /** On the parent: the older form of the group-kinds (group-resources), which kubectl reads when the new one is missing. */
  CONTAINS_GROUP_RESOURCES: 'applyset.kubernetes.io/contains-group-resources',
  /** On the parent: the namespaces of the members, kept by kubectl. */
  ADDITIONAL_NAMESPACES: 'applyset.kubernetes.io/additional-namespaces',
  /** On a CRD: its kind may be an ApplySet parent. */
  IS_PARENT_TYPE: 'applyset.kubernetes.io/is-parent-type',
} as const;

/**
 * The field manager of the bootstrap apply: distinct from kubectl's own managers
 * (`kubectl` for the members, `kubectl-applyset` for the parent's record), so that the
 * bootstrap never owns, and never removes, the record kubectl keeps on the parent.
 */
export const APPLYSET_BOOTSTRAP_FIELD_MANAGER = 'cdk8s-microservices-applyset';

/**
 * What the parent says it contains before kubectl's first apply writes the group-kinds:
 * kubectl requires one of the two annotations on an existing parent, and reads the older
 * one only while the newer is absent. kubectl never writes this key, so re-applying the
 * bootstrap never conflicts with kubectl's record.
 */
const BOOTSTRAP_GROUP_RESOURCES = 'namespaces';

/** A rendered Kubernetes object, as much of it as the ApplySet checks read. */
export interface RenderedObject {
  /** `kind` of the object. */
  readonly kind?: string;
  /** `metadata` of the object. */
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: { readonly [key: string]: string };
    readonly annotations?: { readonly [key: string]: string };
  };
}

/**
 * The id kubectl gives the ApplySet of a parent (KEP-3659, kubectl's `ApplySet.ID()`):
 * `applyset-<base64url(sha256(<name>.<namespace>.<kind>.<group>))>-v1`, base64 of the URL-safe
 * alphabet without padding; the namespace is empty for a cluster-scoped parent.
 */
export function applySetId(name: string, namespace: string, kind: string, group: string): string {
  const digest = createHash('sha256').update([name, namespace, kind, group].join('.')).digest('base64url');
  return `applyset-${digest}-v1`;
}

/**
 * The fields of an `ApplySet`.
 */
export interface ApplySetProps {
  /**
   * The platform's name (a DNS-1123 label), the first part of the parent's name.
   */
  readonly platform: string;
  /**
   * The environment's name (a DNS-1123 label, for example 'prod'), the second part of the parent's name.
   */
  readonly environment: string;
  /**
   * The kubectl release that applies the set, as `major.minor.patch`: the bootstrap writes
   * the tooling annotation kubectl writes itself (`kubectl/v<version>`), so re-running the
   * bootstrap changes nothing. Another release works too: kubectl rewrites the annotation
   * on its next apply (the bootstrap and kubectl then take turns at its value, never at
   * the record).
   */
  readonly kubectlVersion: string;
}

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RELEASE = /^\d+\.\d+\.\d+$/;

/**
 * One environment's output as a kubectl ApplySet, pruned by kubectl: the parent (a
 * cluster-scoped custom resource, one per platform and environment), the bootstrap that
 * creates it once per cluster, and the one command per release that applies the
 * environment's directory and prunes what the directory no longer holds.
 *
 * kubectl adds the part-of label to every member itself and refuses input that already has
 * it: the rendered objects carry no `applyset.kubernetes.io/` metadata (`checkApplySetMembers`).
 *
 * @see https://kubernetes.io/docs/tasks/manage-kubernetes-objects/declarative-config/#alternative-kubectl-apply-f-directory-prune
 */
export class ApplySet {
  /** The platform's name. */
  public readonly platform: string;
  /** The environment's name. */
  public readonly environment: string;
  /** The kubectl release the bootstrap names in the tooling annotation. */
  public readonly kubectlVersion: string;
  /** The parent's name: `<platform>-<environment>`. */
  public readonly name: string;
  /** The set's id, the value of the parent's id label and of every member's part-of label. */
  public readonly id: string;
  /** The parent as `kubectl apply --applyset` names it: `<resource>.<group>/<name>`. */
  public readonly parentRef: string;

  /**
   * @param props the platform, environment and kubectl release
   */
  public constructor(props: ApplySetProps) {
    const where = 'ApplySet';
    for (const prop of ['platform', 'environment'] as const) {
      const value: unknown = props?.[prop];
      if (typeof value !== 'string' || value.length > 63 || !DNS_1123_LABEL.test(value)) {
        throw new ConfigurationError({
          path: where, prop, value,
          expected: 'must be a DNS-1123 label: at most 63 characters of lower-case letters, digits and \'-\', starting and ending with a letter or digit',
          fix: `pass the ${prop}'s name`, code: typeof value === 'string' ? ErrorCode.INVALID_NAME : ErrorCode.WRONG_TYPE,
        });
      }
    }
    const version: unknown = props.kubectlVersion;
    if (typeof version !== 'string' || !RELEASE.test(version)) {
      throw new ConfigurationError({
        path: where, prop: 'kubectlVersion', value: version, expected: 'must be a kubectl release as major.minor.patch',
        fix: 'pass the release `kubectl version --client` prints, without the \'v\', for example \'1.37.2\'',
        code: typeof version === 'string' ? ErrorCode.INVALID_VALUE : ErrorCode.WRONG_TYPE,
      });
    }
    this.platform = props.platform;
    this.environment = props.environment;
    this.kubectlVersion = version;
    this.name = `${props.platform}-${props.environment}`;
    this.id = applySetId(this.name, '', APPLYSET_KIND, APPLYSET_GROUP);
    this.parentRef = `${APPLYSET_CRD_NAME}/${this.name}`;
  }

  /**
   * The CustomResourceDefinition of the parent type: cluster-scoped, labelled as a type
   * kubectl may use as an ApplySet parent. The same for every platform and environment.
   */
  public crd(): Record<string, unknown> {
    return {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: {
        name: APPLYSET_CRD_NAME,
        labels: { [APPLYSET_METADATA.IS_PARENT_TYPE]: 'true', [LABEL.MANAGED_BY]: MANAGED_BY },
      },
      spec: {
        group: APPLYSET_GROUP,
        scope: 'Cluster',
        names: { kind: APPLYSET_KIND, listKind: `${APPLYSET_KIND}List`, plural: APPLYSET_RESOURCE, singular: 'applyset' },
        versions: [{
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'The parent of a kubectl ApplySet: kubectl records on it (annotations) which kinds and namespaces the set\'s members have, and prunes members it no longer applies.',
            },
          },
        }],
      },
    };
  }

  /**
   * The parent object, as the bootstrap applies it: the id label, the tooling annotation,
   * and a first contents record kubectl replaces with its own on the first apply. It
   * carries no part-of label (it is no member: a prune never takes it).
   */
  public parent(): Record<string, unknown> {
    return {
      apiVersion: `${APPLYSET_GROUP}/v1`,
      kind: APPLYSET_KIND,
      metadata: {
        name: this.name,
        labels: { [APPLYSET_METADATA.ID]: this.id, [LABEL.MANAGED_BY]: MANAGED_BY },
        annotations: {
          [APPLYSET_METADATA.TOOLING]: `kubectl/v${this.kubectlVersion}`,
          [APPLYSET_METADATA.CONTAINS_GROUP_RESOURCES]: BOOTSTRAP_GROUP_RESOURCES,
        },
      },
    };
  }

  /**
   * The bootstrap, once per cluster and environment (re-running it changes nothing and
   * never conflicts): the parent type, a wait until the API server serves it, then the
   * parent. Two files: kubectl cannot read a document whose type the API server does not
   * serve yet, so a file holding both fails on an empty cluster.
   *
   * @param crdFile the file holding `crd()`, as the command line names it (for example 'dist/applyset-crd.yaml')
   * @param parentFile the file holding `parent()` (for example 'dist/prod.applyset.yaml')
   */
  public bootstrapCommands(crdFile: string, parentFile: string): string[] {
    const apply = `kubectl apply --server-side --force-conflicts --field-manager=${APPLYSET_BOOTSTRAP_FIELD_MANAGER}`;
    return [
      `${apply} -f ${checkPath('crdFile', crdFile)}`,
      `kubectl wait --for=condition=Established --timeout=60s crd/${APPLYSET_CRD_NAME}`,
      `${apply} -f ${checkPath('parentFile', parentFile)}`,
    ];
  }

  /**
   * The one command per release: applies the environment's directory server-side and
   * prunes every member of the set the directory no longer holds (kubectl's ApplySet
   * is alpha in 1.37: `KUBECTL_APPLYSET=true` turns it on).
   *
   * @param dir the environment's directory, as the command line names it (for example 'dist/prod/')
   */
  public applyCommand(dir: string): string {
    return `KUBECTL_APPLYSET=true kubectl apply --server-side --prune --applyset=${this.parentRef} -R -f ${checkPath('dir', dir)}`;
  }
}

/** A path as a shell word: no quoting is needed for it, or the command shown would be wrong. */
function checkPath(prop: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_./-]+$/.test(value)) {
    throw new ConfigurationError({
      path: 'ApplySet', prop, value, expected: 'must be a path of letters, digits, \'_\', \'.\', \'/\' and \'-\'',
      fix: 'pass the path as the command line names it, for example \'dist/prod/\'',
      code: typeof value === 'string' ? ErrorCode.INVALID_VALUE : ErrorCode.WRONG_TYPE,
    });
  }
  return value;
}

/**
 * Refuses rendered objects that carry an `applyset.kubernetes.io/` label or annotation:
 * kubectl adds the part-of label itself and refuses input that has it ("ApplySet label
 * ... already set in input data"), and a member posing as a parent (id label, tooling or
 * contents annotations) would be taken for another set's. The parent type's CRD and the
 * parent (`ApplySet.crd()`, `ApplySet.parent()`) are not members: pass only the environment's objects.
 */
export function checkApplySetMembers(objects: readonly RenderedObject[]): void {
  for (const obj of objects) {
    for (const [field, map] of [['labels', obj?.metadata?.labels], ['annotations', obj?.metadata?.annotations]] as const) {
      const key = Object.keys(map ?? {}).find(k => k.startsWith('applyset.kubernetes.io/'));
      if (key === undefined) continue;
      const md = obj.metadata!;
      throw new ConfigurationError({
        path: `${obj.kind}/${md.namespace ? `${md.namespace}/` : ''}${md.name}`,
        prop: `metadata.${field}['${key}']`,
        value: map![key],
        expected: 'must not be set: kubectl\'s ApplySet writes applyset.kubernetes.io/ metadata itself, and refuses a member that already has it',
        fix: `remove the ${field === 'labels' ? 'label' : 'annotation'}; kubectl adds the part-of label when it applies the environment with its ApplySet`,
        code: ErrorCode.RESERVED_NAME,
      });
    }
  }
}

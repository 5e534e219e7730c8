import { k8s } from '../internal/k8s';
import { IConstruct } from 'constructs';
import { _credentialKind } from '../internal/credentials';
import { _assertInteger, _checkType, _invalid } from '../internal/errors';
import { ErrorCode } from '../internal/configuration-error';

/**
 * The security context every workload's pods run with, the Pod Security
 * `restricted` profile and then some: a non-root user and group of 10000 or more
 * (the group also owns the volumes), the RuntimeDefault seccomp profile, a read-only
 * root filesystem, no privilege escalation and every capability dropped.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
export class ContainerSecurity {
  /**
   * Checks the ids and returns the security of a container running as them.
   * @internal
   */
  public static _of(scope: IConstruct, runAsUser: number, runAsGroup: number, lowUserIdReason?: string, prefix: string = ''): ContainerSecurity {
    // below 10000 only with a reason (an image that hard-codes its user); 0 (root) never: Pod Security restricted refuses it
    const lowest = lowUserIdReason !== undefined ? 1 : 10000;
    const why = lowUserIdReason !== undefined ? '' : ', or set lowUserIdReason to say why the image needs a lower one';
    _assertInteger(scope, `${prefix}runAsUser`, runAsUser, lowest, 2147483647, `use a user id of 10000 or more, clear of the host's users (10001 is the default)${why}`);
    _assertInteger(scope, `${prefix}runAsGroup`, runAsGroup, lowest, 2147483647, `use a group id of 10000 or more (10001 is the default)${why}`);
    if (lowUserIdReason !== undefined) {
      if (runAsUser >= 10000 && runAsGroup >= 10000) {
        throw _invalid(scope, `${prefix}lowUserIdReason`, lowUserIdReason, `must only be set for a user or group id below 10000, but the ids are ${runAsUser} and ${runAsGroup}`,
          'remove lowUserIdReason', ErrorCode.CONFLICT);
      }
      if (lowUserIdReason.trim().length === 0) {
        throw _invalid(scope, `${prefix}lowUserIdReason`, lowUserIdReason, 'must say why the container runs with an id below 10000',
          'write the reason, for example \'the image hard-codes user 999 (postgres) and owns its data directory as that user\'', ErrorCode.MISSING_REQUIRED);
      }
    }
    return new ContainerSecurity(runAsUser, runAsGroup);
  }

  private constructor(
    /** The container's user id. */
    public readonly runAsUser: number,
    /** The container's group id, also the pod's fsGroup. */
    public readonly runAsGroup: number,
  ) {}

  /** @internal */
  public _podSecurityContext(): k8s.PodSecurityContext {
    return {
      runAsNonRoot: true,
      runAsUser: this.runAsUser,
      runAsGroup: this.runAsGroup,
      fsGroup: this.runAsGroup,
      seccompProfile: { type: 'RuntimeDefault' },
    };
  }

  /** @internal */
  public _containerSecurityContext(): k8s.SecurityContext {
    return {
      runAsNonRoot: true,
      runAsUser: this.runAsUser,
      runAsGroup: this.runAsGroup,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    };
  }
}

/**
 * Throws when a word of the container's command line looks like a credential:
 * the pod spec is readable by everyone who may read the workload.
 * @internal
 */
export function _checkCommandLine(scope: IConstruct, prop: string, words: string[] | undefined): void {
  if (words !== undefined) {
    _checkType(scope, prop, words, 'array', `pass the words as an array, for example ['serve', '--port', '8080']`);
  }
  (words ?? []).forEach((word, i) => {
    _checkType(scope, `${prop}[${i}]`, word, 'string', 'pass every word as a string');
    const looksLike = _credentialKind(word);
    if (looksLike) {
      throw _invalid(scope, `${prop}[${i}]`, '(value not shown)', `looks like ${looksLike}, which must not be written into the pod spec`,
        'read the credential from a mounted secret (addSecret) instead of passing it on the command line', ErrorCode.PLAINTEXT_SECRET);
    }
  });
}

import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AccessRule, Subject } from '../access/access';
import { _assertDns1123Label, _invalid } from '../internal/errors';
import { _checkScope } from '../internal/construct';
import { Platform } from './platform';
import { ErrorCode } from '../internal/configuration-error';

/**
 * Properties of a cluster-wide grant.
 */
export interface ClusterAccessProps {
  /** Who is granted. */
  readonly subjects: Subject[];

  /** The rules granted across the whole cluster. Wildcards, `escalate`, `bind`, `impersonate` and shells in pods are refused. */
  readonly rules: AccessRule[];

  /**
   * Why this must be cluster-wide rather than a Role in a bounded context. It is
   * written to the ClusterRole and ClusterRoleBinding for reviewers.
   */
  readonly reason: string;
}

/**
 * The one way to grant access beyond a namespace: a ClusterRole and its
 * ClusterRoleBinding, rendered with the platform's cluster-scoped objects and
 * annotated with the reason it exists.
 *
 * @example
 * new ClusterAccess(platform, 'node-readers', {
 *   subjects: [Subject.group('oidc:sre')],
 *   rules: [AccessRule.read('', ['nodes'])],
 *   reason: 'SREs read node conditions during incidents',
 * });
 */
export class ClusterAccess extends Construct {
  /** The ClusterRole and ClusterRoleBinding name: `<platform>-<id>`. */
  public readonly roleName: string;
  /** Why the access is cluster-wide. */
  public readonly reason: string;

  constructor(scope: Platform, id: string, props: ClusterAccessProps) {
    super(scope, _checkScope('ClusterAccess', scope, id,
      { name: 'Platform', test: Platform.isPlatform, example: 'new ClusterAccess(platform, \'node-readers\', { ... })' }));
    _assertDns1123Label(this, 'id', id);
    this.reason = props.reason.trim();
    if (this.reason.length < 10) {
      throw _invalid(this, 'reason', props.reason, 'must say why the access has to be cluster-wide (at least a short sentence)',
        'write the reason, or grant a Role in the bounded context instead', ErrorCode.MISSING_REQUIRED);
    }
    if (props.subjects.length === 0) {
      throw _invalid(this, 'subjects', [], 'must name at least one subject', 'pass Subject.group(...) or Subject.user(...)', ErrorCode.MISSING_REQUIRED);
    }
    props.subjects.forEach((s, i) => s._check(this, `subjects[${i}]`));
    if (props.rules.length === 0) {
      throw _invalid(this, 'rules', [], 'must hold at least one rule', 'list the rules to grant', ErrorCode.MISSING_REQUIRED);
    }
    props.rules.forEach((r, i) => r._check(this, `rules[${i}]`, false));
    this.roleName = `${scope.platformName}-${id}`;
    const metadata = { name: this.roleName, annotations: { 'cdk8s-microservices.io/reason': this.reason } };
    new k8s.KubeClusterRole(this, 'Resource', { metadata, rules: props.rules.map(r => r._render()) });
    new k8s.KubeClusterRoleBinding(this, 'Binding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: this.roleName },
      subjects: props.subjects.map(s => s._render()),
    });
  }
}

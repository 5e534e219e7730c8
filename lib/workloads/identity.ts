import { Lazy } from 'cdk8s';
import { k8s } from '../internal/k8s';
import { AccessRule, Subject } from '../access/access';
import { _assertDns1123Label, _invalid } from '../internal/errors';
import type { WorkloadConfiguration } from './configuration';
import type { IWorkloadFacetOwner } from './facet-owner';
import { ErrorCode } from '../internal/configuration-error';

/**
 * A workload's identity: its own ServiceAccount (named after it, no token mounted)
 * and the Kubernetes API access granted to it, as a least-privilege Role and
 * RoleBinding named after it. Only a workload granted access gets a token: a
 * short-lived, projected one. Reached through `workload.identity`; the workload's
 * `grantAccess`, `grantLeaderElection` and `grantReadOwnConfig` delegate here.
 */
export class WorkloadIdentity {
  private readonly _grants: AccessRule[] = [];

  /**
   * @param configuration the workload's configuration, whose ConfigMap `grantReadOwnConfig` grants
   * @internal
   */
  constructor(private readonly workload: IWorkloadFacetOwner, private readonly configuration: WorkloadConfiguration) {}

  /** The ServiceAccount's name (the workload's). */
  public get serviceAccountName(): string {
    return this.workload.name;
  }

  /** The identity as an RBAC subject. */
  public get subject(): Subject {
    return Subject.serviceAccount(this.workload.namespace, this.workload.name);
  }

  /** The API access granted (a copy). */
  public get grants(): AccessRule[] {
    return [...this._grants];
  }

  /** Grants API access; see `Workload.grantAccess`. */
  public grantAccess(rule: AccessRule): void {
    const w = this.workload;
    rule._check(w, 'grantAccess(rule)', false);
    if (w.context.platform.apiServerCidrs === undefined) {
      throw _invalid(w, 'grantAccess(rule)', rule.resources.join(', '),
        'needs egress to the API server, whose addresses the platform does not know (the context denies all other egress)',
        'set apiServerCidrs (and apiServerPort) on the Platform', ErrorCode.CONFLICT);
    }
    if (this._grants.length === 0) {
      w.context._claimGrantName(`${w.node.path} grantAccess`, w.name);
      new k8s.KubeRole(w, 'Role', { metadata: w._meta(), rules: Lazy.any({ produce: () => this._grants.map(r => r._render()) }) });
      new k8s.KubeRoleBinding(w, 'RoleBinding', {
        metadata: w._meta(),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: w.name },
        subjects: [this.subject._render()],
      });
    }
    this._grants.push(rule);
  }

  /** Grants leader election; see `Workload.grantLeaderElection`. */
  public grantLeaderElection(leaseName: string): void {
    _assertDns1123Label(this.workload, 'grantLeaderElection(leaseName)', leaseName);
    this.grantAccess(AccessRule.of('coordination.k8s.io', ['leases'], ['get', 'update', 'patch'], [leaseName]));
    this.grantAccess(AccessRule.of('coordination.k8s.io', ['leases'], ['create']));
  }

  /** Grants `get` on the workload's own ConfigMap; see `Workload.grantReadOwnConfig`. */
  public grantReadOwnConfig(): void {
    const w = this.workload;
    if (!this.configuration.hasConfigMap) {
      throw _invalid(w, 'grantReadOwnConfig()', w.name, 'needs configuration to read, but the service has no env values or config files',
        'add configuration first, or remove the grant', ErrorCode.CONFLICT);
    }
    this.grantAccess(AccessRule.of('', ['configmaps'], ['get'], [Lazy.any({ produce: () => this.configuration.configMapName }) as string]));
  }

  /**
   * The ServiceAccount, without a token.
   * @internal
   */
  public _render(): void {
    new k8s.KubeServiceAccount(this.workload, 'ServiceAccount', {
      metadata: this.workload._meta(),
      automountServiceAccountToken: false,
    });
  }

  /**
   * The projected token volume and its mount, for a workload granted API access.
   * @internal
   */
  public _renderToken(): { volume: k8s.Volume; mount: k8s.VolumeMount } | undefined {
    if (this._grants.length === 0) {
      return undefined;
    }
    // what automountServiceAccountToken would mount, made explicit: a short-lived,
    // audience-bound token only for workloads that were granted API access
    return {
      volume: {
        name: 'kube-api-access',
        projected: {
          defaultMode: 0o444,
          sources: [
            { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardApi: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      },
      mount: { name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
    };
  }
}

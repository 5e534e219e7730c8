import { Manifest } from '../_helpers';

/** Metadata in namespace 'shop', or cluster-scoped for `null`. */
export const meta = (name: string, namespace: string | null = 'shop') => ({ name, ...(namespace !== null ? { namespace } : {}) });

const pod = (labels: { [k: string]: string }, image = 'registry.example/app:1', restartPolicy = 'Always') =>
  ({ metadata: { labels }, spec: { restartPolicy, containers: [{ name: 'app', image }] } });

/**
 * Changes of single objects the API server refuses as immutable, each valid on its own:
 * [what, the object before, the fields after, the field the check names, the update
 * validation, a part of the manual step].
 */
export const REFUSED: Array<[string, Manifest, Manifest, string, string, string]> = [
  ['Deployment selector',
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web'), spec: { selector: { matchLabels: { app: 'web' } }, template: pod({ app: 'web' }) } },
    { spec: { selector: { matchLabels: { app: 'web2' } }, template: pod({ app: 'web2' }) } }, 'Deployment shop/web spec.selector.matchLabels.app', 'ValidateDeploymentUpdate',
    'kubectl -n shop delete deployment web --cascade=orphan, apply, and once the new pods are ready kubectl -n shop delete replicaset -l app=web'],
  ['Job template',
    { apiVersion: 'batch/v1', kind: 'Job', metadata: meta('migrate'), spec: { template: pod({}, 'registry.example/app:1', 'Never') } },
    { spec: { template: pod({}, 'registry.example/app:2', 'Never') } }, 'Job shop/migrate spec.template.spec.containers[0].image', 'ValidateJobUpdate',
    'kubectl -n shop delete job migrate, then apply to re-create it (the Job runs again)'],
  ['claim shrink',
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('data'), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } },
    { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } } }, 'PersistentVolumeClaim shop/data spec.resources.requests.storage',
    'ValidatePersistentVolumeClaimUpdate', 'copy the claim\'s data aside, kubectl -n shop delete pvc data, apply to re-create it, then copy the data back'],
  ['claim storage class',
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('data2'), spec: { storageClassName: 'standard', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
    { spec: { storageClassName: 'fast', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }, 'PersistentVolumeClaim shop/data2 spec.storageClassName',
    'ValidatePersistentVolumeClaimUpdate', 'kubectl -n shop delete pvc data2'],
  ['claim access modes',
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('data3'), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
    { spec: { accessModes: ['ReadWriteOncePod'], resources: { requests: { storage: '1Gi' } } } }, 'PersistentVolumeClaim shop/data3 spec.accessModes[0]',
    'ValidatePersistentVolumeClaimUpdate', 'kubectl -n shop delete pvc data3'],
  ['RoleBinding role',
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta('devs'), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'devs' }] },
    { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' } }, 'RoleBinding shop/devs roleRef.name', 'ValidateRoleBindingUpdate',
    'kubectl -n shop delete rolebinding devs, then apply'],
  ['immutable ConfigMap data',
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('settings'), immutable: true, data: { a: '1' } },
    { data: { a: '2' } }, 'ConfigMap shop/settings data.a', 'ValidateConfigMapUpdate', 'kubectl -n shop delete configmap settings, then apply'],
  ['immutable Secret data',
    { apiVersion: 'v1', kind: 'Secret', metadata: meta('token'), immutable: true, data: { a: 'MQ==' } },
    { data: { a: 'Mg==' } }, 'Secret shop/token data.a', 'ValidateSecretUpdate', 'kubectl -n shop delete secret token, then apply'],
  ['StatefulSet service name',
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta('db'), spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: pod({ app: 'db' }) } },
    { spec: { serviceName: 'db-headless', selector: { matchLabels: { app: 'db' } }, template: pod({ app: 'db' }) } }, 'StatefulSet shop/db spec.serviceName',
    'ValidateStatefulSetUpdate', 'kubectl -n shop delete statefulset db --cascade=orphan'],
  ['PriorityClass preemption',
    { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: meta('bulk', null), value: 5 },
    { preemptionPolicy: 'Never' }, 'PriorityClass bulk preemptionPolicy', 'ValidatePriorityClassUpdate', 'kubectl delete priorityclass bulk, then apply'],
];

/** Changes of single objects the API server accepts: [what, the object before, the fields after]. */
export const ACCEPTED: Array<[string, Manifest, Manifest]> = [
  ['a claim that grows (unbound claims refuse it too: the check cannot know, and lets it through)',
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('grows'), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } },
    { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } } }],
  ['a mutable ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('mutable'), data: { a: '1' } }, { data: { a: '2' } }],
  ['a Service whose cluster IP stays allocated', { apiVersion: 'v1', kind: 'Service', metadata: meta('web'), spec: { ports: [{ port: 80 }] } },
    { spec: { ports: [{ port: 8080 }] } }],
  ['a StatefulSet that spells the default pod management policy',
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta('db2'), spec: { serviceName: 'db2', selector: { matchLabels: { app: 'db2' } }, template: pod({ app: 'db2' }) } },
    { spec: { serviceName: 'db2', podManagementPolicy: 'OrderedReady', selector: { matchLabels: { app: 'db2' } }, template: pod({ app: 'db2' }) } }],
  ['a Deployment\'s template',
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web2'), spec: { selector: { matchLabels: { app: 'web2' } }, template: pod({ app: 'web2' }) } },
    { spec: { selector: { matchLabels: { app: 'web2' } }, template: pod({ app: 'web2' }, 'registry.example/app:2') } }],
];

import { Obj, compliantApp, container, found, pod, violations } from './_fixtures';

/** The compliant app with one change made by `breakIt`; returns what the pack finds. */
function broken(breakIt: (app: ReturnType<typeof compliantApp>) => void): string[] {
  const app = compliantApp();
  breakIt(app);
  return found(app.all);
}

const C0 = 'Deployment/web $.spec.template.spec.containers[0]';

test('the compliant fixture passes every rule (the good case of each rule below)', () => {
  expect(found(compliantApp().all)).toEqual([]);
});

describe('CMS-001 pinned-image', () => {
  test.each([
    ['ghcr.io/acme/web:1.4.2'], ['ghcr.io/acme/web:v2.0.0-rc.1'], ['ghcr.io/acme/web:3f2a1bc9'], [`ghcr.io/acme/web@sha256:${'a'.repeat(64)}`],
    ['localhost:5000/web:1.0.0'],
  ])('passes %s', image => {
    expect(broken(app => { pod(app).containers[0].image = image; })).toEqual([]);
  });

  test.each([
    ['ghcr.io/acme/web:latest', 'uses the moving tag \'latest\''], ['ghcr.io/acme/web', 'has no tag and no digest'],
    ['ghcr.io/acme/web:7.2', 'looks like a moving tag'], ['redis:alpine', 'looks like a moving tag'],
  ])('fails when the image is %s', (image, why) => {
    const app = compliantApp();
    pod(app).containers[0].image = image;
    const v = violations(app.all);
    expect(v.map(x => `${x.ruleId} ${x.path}`)).toEqual([`CMS-001 ${C0.split(' ')[1]}.image`]);
    expect(v[0].message).toContain(why);
    expect(v[0].message).not.toContain('imagePolicy');
  });

  test('fails when a container has no image', () => {
    expect(broken(app => { delete pod(app).containers[0].image; })).toEqual([`CMS-001 ${C0}.image`]);
  });

  test('fails for an init container too, and a CronJob\'s pod template', () => {
    const app = compliantApp();
    pod(app).initContainers = [{ ...container('migrate', 'ghcr.io/acme/migrate:latest') }];
    const cron: Obj = { kind: 'CronJob', metadata: { name: 'report', namespace: 'shop' },
      spec: { jobTemplate: { spec: { template: { metadata: { labels: {} }, spec: { ...pod(compliantApp()), serviceAccountName: 'web', containers: [container('report', 'busybox')] } } } } } };
    expect(found([...app.all, cron]).filter(f => f.startsWith('CMS-001'))).toEqual([
      'CMS-001 Deployment/web $.spec.template.spec.initContainers[0].image',
      'CMS-001 CronJob/report $.spec.jobTemplate.spec.template.spec.containers[0].image',
    ]);
  });
});

describe('CMS-002 probes', () => {
  test('fails when a container has no liveness or no readiness probe', () => {
    expect(broken(app => { delete pod(app).containers[0].livenessProbe; })).toEqual([`CMS-002 ${C0}.livenessProbe`]);
    expect(broken(app => { delete pod(app).containers[0].readinessProbe; })).toEqual([`CMS-002 ${C0}.readinessProbe`]);
  });

  test('a native sidecar needs probes, an init container and a Job do not', () => {
    const sidecar: Obj = { ...container('proxy', 'ghcr.io/acme/proxy:1.0.0'), restartPolicy: 'Always' };
    delete sidecar.livenessProbe;
    const init = container('migrate', 'ghcr.io/acme/migrate:1.0.0');
    delete init.livenessProbe;
    expect(broken(app => { pod(app).initContainers = [init, sidecar]; })).toEqual(['CMS-002 Deployment/web $.spec.template.spec.initContainers[1].livenessProbe']);
    const job = { kind: 'Job', metadata: { name: 'once', namespace: 'shop' }, spec: { template: { metadata: { labels: {} }, spec: { ...pod(compliantApp()), containers: [init] } } } };
    expect(found([...compliantApp().all, job]).filter(f => f.startsWith('CMS-002'))).toEqual([]);
  });
});

describe('CMS-003 resources', () => {
  test('fails when a container misses ephemeral-storage requests, or any limit', () => {
    expect(broken(app => { delete pod(app).containers[0].resources.requests['ephemeral-storage']; }))
      .toEqual([`CMS-003 ${C0}.resources.requests`]);
    const app = compliantApp();
    delete pod(app).containers[0].resources.limits;
    expect(violations(app.all).map(v => v.message)).toEqual(['container \'web\' has no limits for cpu, memory, ephemeral-storage']);
  });
});

describe('CMS-004 pod-security-restricted', () => {
  test.each<[string, (p: Obj) => void, string]>([
    ['privilege escalation allowed', p => { delete p.containers[0].securityContext.allowPrivilegeEscalation; }, `${C0}.securityContext.allowPrivilegeEscalation`],
    ['root allowed', p => { delete p.securityContext.runAsNonRoot; }, `${C0}.securityContext.runAsNonRoot`],
    ['no seccomp profile', p => { delete p.securityContext.seccompProfile; }, `${C0}.securityContext.seccompProfile`],
    ['a container seccomp Unconfined', p => { p.containers[0].securityContext.seccompProfile = { type: 'Unconfined' }; }, `${C0}.securityContext.seccompProfile`],
    ['capabilities kept', p => { p.containers[0].securityContext.capabilities = {}; }, `${C0}.securityContext.capabilities.drop`],
    ['NET_ADMIN added', p => { p.containers[0].securityContext.capabilities.add = ['NET_BIND_SERVICE', 'NET_ADMIN']; }, `${C0}.securityContext.capabilities.add`],
    ['privileged', p => { p.containers[0].securityContext.privileged = true; }, `${C0}.securityContext.privileged`],
    ['the host network', p => { p.hostNetwork = true; }, 'Deployment/web $.spec.template.spec.hostNetwork'],
    ['a hostPath volume', p => { p.volumes.push({ name: 'docker', hostPath: { path: '/var/run/docker.sock' } }); }, 'Deployment/web $.spec.template.spec.volumes[1].hostPath'],
    ['a host port', p => { p.containers[0].ports = [{ containerPort: 8080, hostPort: 80 }]; }, `${C0}.ports[0].hostPort`],
    ['user 0', p => { p.containers[0].securityContext.runAsUser = 0; }, `${C0}.securityContext.runAsUser`],
  ])('fails with %s', (_what, breakIt, where) => {
    expect(broken(app => breakIt(pod(app)))).toEqual([`CMS-004 ${where}`]);
  });

  test('a container may set runAsNonRoot and seccomp itself', () => {
    expect(broken(app => {
      delete pod(app).securityContext;
      pod(app).containers[0].securityContext = { ...pod(app).containers[0].securityContext, runAsNonRoot: true, seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } };
    })).toEqual([]);
  });
});

describe('CMS-005 read-only-root-filesystem', () => {
  test('fails when the root filesystem is writable', () => {
    expect(broken(app => { pod(app).containers[0].securityContext.readOnlyRootFilesystem = false; }))
      .toEqual([`CMS-005 ${C0}.securityContext.readOnlyRootFilesystem`]);
  });
});

describe('CMS-006 own-service-account', () => {
  const SA = 'CMS-006 Deployment/web $.spec.template.spec.serviceAccountName';
  test('fails on the default ServiceAccount, one not in the manifests, or one shared with another application', () => {
    expect(broken(app => { delete pod(app).serviceAccountName; })).toEqual([SA]);
    expect(broken(app => { app.all.splice(app.all.indexOf(app.sa), 1); })).toEqual([SA]);
    const other = compliantApp();
    other.deployment.metadata.name = 'api';
    other.deployment.spec.template.metadata.labels['app.kubernetes.io/name'] = 'api';
    const app = compliantApp();
    expect(found([...app.all, other.deployment]).filter(f => f.startsWith('CMS-006'))).toEqual([SA, 'CMS-006 Deployment/api $.spec.template.spec.serviceAccountName']);
  });

  test('the tracks of one application (a canary) share its ServiceAccount', () => {
    const canary = compliantApp().deployment;
    canary.metadata.name = 'web-canary';
    canary.spec.replicas = 1;
    const app = compliantApp();
    expect(found([...app.all, canary])).toEqual([]);
  });
});

describe('CMS-007 service-account-token', () => {
  const TOKEN = 'CMS-007 Deployment/web $.spec.template.spec.automountServiceAccountToken';
  test('fails when the pods or the ServiceAccount mount the token', () => {
    expect(broken(app => { pod(app).automountServiceAccountToken = true; })).toEqual([TOKEN]);
    expect(broken(app => { delete app.sa.automountServiceAccountToken; })).toEqual(['CMS-007 ServiceAccount/web $.automountServiceAccountToken']);
    expect(broken(app => { delete pod(app).automountServiceAccountToken; delete app.sa.automountServiceAccountToken; }))
      .toEqual(['CMS-007 ServiceAccount/web $.automountServiceAccountToken', TOKEN]);
  });

  test('passes when the pod leaves it to a ServiceAccount that does not mount it', () => {
    expect(broken(app => { delete pod(app).automountServiceAccountToken; })).toEqual([]);
  });
});

describe('CMS-008 disruption-budget and CMS-009 spread', () => {
  test('fail for a replicated workload without a budget or spread', () => {
    expect(broken(app => { app.all.splice(app.all.indexOf(app.pdb), 1); })).toEqual(['CMS-008 Deployment/web $.spec.template.metadata.labels']);
    expect(broken(app => { app.pdb.spec.selector = { matchLabels: { 'app.kubernetes.io/name': 'api' } }; })).toHaveLength(1);
    expect(broken(app => { pod(app).topologySpreadConstraints.pop(); })).toEqual(['CMS-009 Deployment/web $.spec.template.spec.topologySpreadConstraints']);
  });

  test('count the replicas an autoscaler may run, and accept anti-affinity for spreading', () => {
    const hpa = { kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'shop' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 4 } };
    expect(broken(app => { delete app.deployment.spec.replicas; app.all.splice(app.all.indexOf(app.pdb), 1, hpa); })).toHaveLength(1);
    expect(broken(app => { delete app.deployment.spec.replicas; app.all.splice(app.all.indexOf(app.pdb), 1); pod(app).topologySpreadConstraints = []; })).toEqual([]);
    expect(broken(app => {
      pod(app).topologySpreadConstraints.pop();
      pod(app).affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname' } }] } };
    })).toEqual([]);
  });

  test('a budget selects with matchExpressions too', () => {
    expect(broken(app => { app.pdb.spec.selector = { matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend'] }, { key: 'canary', operator: 'DoesNotExist' }] }; })).toEqual([]);
    expect(broken(app => { app.pdb.spec.selector = { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['frontend'] }] }; })).toHaveLength(1);
  });
});

describe('CMS-010 priority-class', () => {
  test('fails without a class, or with a system class outside kube-system', () => {
    expect(broken(app => { delete pod(app).priorityClassName; })).toEqual(['CMS-010 Deployment/web $.spec.template.spec.priorityClassName']);
    expect(broken(app => { pod(app).priorityClassName = 'system-node-critical'; })).toEqual(['CMS-010 Deployment/web $.spec.template.spec.priorityClassName']);
  });
});

describe('Argo Rollouts', () => {
  test('a Rollout with its own template is checked as a Deployment; one with a workloadRef runs the Deployment\'s pods, checked there', () => {
    const app = compliantApp();
    const rollout: Obj = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'web', namespace: 'shop' }, spec: { ...app.deployment.spec } };
    expect(found([app.sa, app.pdb, app.deny, rollout])).toEqual([]);
    rollout.spec = { ...rollout.spec, template: { ...rollout.spec.template, spec: { ...pod(app), priorityClassName: undefined } } };
    expect(found([app.sa, app.pdb, app.deny, rollout])).toEqual(['CMS-010 Rollout/web $.spec.template.spec.priorityClassName']);
    const ref: Obj = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'web', namespace: 'shop' },
      spec: { replicas: 3, workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } } };
    expect(found([...compliantApp().all, ref])).toEqual([]);
  });
});

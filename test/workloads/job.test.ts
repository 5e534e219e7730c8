import { Duration, Size } from 'cdk8s';
import { ArgoCdHook, BackingService, CronJob, CronSchedule, HelmHook, Image, Job, JobProps, KubernetesVersion, PreStopSleep, RemoteRef, SecretSource, SecretStore, Volume } from '../../lib';
import { Manifest, objects, setup } from '../_helpers';

function props(overrides: Partial<JobProps> = {}): JobProps {
  return { image: Image.fromTag('ghcr.io/acme/orders', '4.0.3'), args: ['migrate', 'up'], ...overrides };
}

function job(manifests: Manifest[]): Manifest {
  const jobs = manifests.filter(m => m.kind === 'Job');
  expect(jobs).toHaveLength(1);
  return jobs[0];
}

const SUPPRESS = 'conformance.cdk8s-microservices.io/suppress';

describe('Job', () => {
  describe('defaults', () => {
    test('3 retries, a one-hour deadline, one pod, no TTL (kept until pruned, and kube-linter is told why)', () => {
      const { context } = setup();

      const migrate = new Job(context, 'migrate', props());

      expect([migrate.backoffLimit, migrate.activeDeadline.toSeconds(), migrate.ttlAfterFinished, migrate.parallelism, migrate.completions])
        .toEqual([3, 3600, undefined, 1, 1]);
      const j = job(objects(context));
      expect(j.spec).toMatchObject({ backoffLimit: 3, activeDeadlineSeconds: 3600, parallelism: 1, completions: 1 });
      expect(j.spec).not.toHaveProperty('ttlSecondsAfterFinished');
      expect(j.metadata.annotations['ignore-check.kube-linter.io/job-ttl-seconds-after-finished'])
        .toEqual('no TTL on purpose: a Job deleted by a TTL would run again on the next apply of the same manifest; this hash-named Job goes when its manifest is pruned');
    });

    test('a replacement pod waits until the pod it replaces has terminated (podReplacementPolicy Failed) from Kubernetes 1.29; below, the field is left out', () => {
      const { context } = setup();
      const migrate = new Job(context, 'migrate', props());
      expect(migrate.waitForTerminatingPods).toBe(true);
      expect(job(objects(context)).spec.podReplacementPolicy).toBe('Failed');

      const old = setup({}, { kubernetesVersion: KubernetesVersion.V1_28 });
      const oldJob = new Job(old.context, 'migrate', props());
      expect(oldJob.waitForTerminatingPods).toBe(false);
      expect(job(objects(old.context)).spec).not.toHaveProperty('podReplacementPolicy');

      const optOut = setup();
      expect(new Job(optOut.context, 'migrate', props({ waitForTerminatingPods: false })).waitForTerminatingPods).toBe(false);
      expect(job(objects(optOut.context)).spec).not.toHaveProperty('podReplacementPolicy');
    });

        test('pods never restart in place, do not spread, get no preStop delay, and run restricted under their own account', () => {
      const { context } = setup();

      const migrate = new Job(context, 'migrate', props());

      expect(migrate.component).toEqual('job');
      const manifests = objects(context);
      const pod = job(manifests).spec.template.spec;
      expect(pod.restartPolicy).toEqual('Never');
      expect(pod).not.toHaveProperty('topologySpreadConstraints');
      expect(pod.containers[0]).not.toHaveProperty('lifecycle');
      expect(pod.serviceAccountName).toEqual('migrate');
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
      expect(pod.containers[0].resources.limits).toEqual({ 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '512Mi' });
      expect(manifests.find(m => m.kind === 'NetworkPolicy' && m.metadata.name === 'migrate')!.spec).toEqual({
        podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'migrate' } }, policyTypes: ['Ingress', 'Egress'],
      });
      expect(JSON.parse(job(manifests).metadata.annotations[SUPPRESS]).map((s: { check: string }) => s.check))
        .toEqual(['no-readiness-probe', 'no-liveness-probe', 'job-ttl-seconds-after-finished', 'missingNetworkPolicy']);
    });
  });

  test('is named after the hash of its spec; the instance label follows the name, the pods keep the workload\'s', () => {
    const { context } = setup();

    const migrate = new Job(context, 'migrate', props());

    const j = job(objects(context));
    expect(migrate.jobName).toMatch(/^migrate-[0-9a-f]{10}$/);
    expect(j.metadata.name).toEqual(migrate.jobName);
    expect(j.metadata.labels['app.kubernetes.io/instance']).toEqual(migrate.jobName);
    expect(j.spec.template.metadata.labels['app.kubernetes.io/instance']).toEqual('migrate');
  });

  test('the same spec gives the same name; a changed image, argument or configuration a new one', () => {
    const name = (extra: Partial<JobProps>, env?: string) => {
      const { context } = setup();
      const j = new Job(context, 'migrate', props(extra));
      if (env) {
        j.addEnv('MODE', env);
      }
      objects(context);
      return j.jobName;
    };

    const base = name({});
    expect(name({})).toEqual(base);
    expect(name({ image: Image.fromTag('ghcr.io/acme/orders', '4.0.4') })).not.toEqual(base);
    expect(name({ args: ['migrate', 'down'] })).not.toEqual(base);
    expect(name({}, 'strict')).not.toEqual(name({}, 'lenient'));
  });

  test('renders the run settings given', () => {
    const { context } = setup();

    new Job(context, 'reindex', props({ backoffLimit: 0, activeDeadline: Duration.minutes(10), parallelism: 3, completions: 6 }));

    expect(job(objects(context)).spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 600, parallelism: 3, completions: 6 });
  });

  test('a hook may set its own TTL', () => {
    const { context } = setup();

    new Job(context, 'smoke', props({ argoCdHook: ArgoCdHook.POST_SYNC, ttlAfterFinished: Duration.hours(2) }));

    expect(job(objects(context)).spec.ttlSecondsAfterFinished).toEqual(7200);
  });

  test.each([
    ['no hook', {}],
    ['only a sync wave (not a hook: the Job stays in the synced state)', { argoCdSyncWave: 1 }],
  ])('fails when a TTL is set on a Job with %s: it would run again after every apply', (_what, extra) => {
    const { context } = setup();

    expect(() => new Job(context, 'reindex', props({ ttlAfterFinished: Duration.hours(2), ...extra })))
      .toThrow("catalog/reindex: 'ttlAfterFinished' ('7200s') would make the Job run again after every apply: no Argo CD or Helm hook owns it, so once the TTL controller deletes it, "
        + 'the next kubectl apply or GitOps sync of the same manifest creates it again; '
        + 'run it as a hook (argoCdHook: ArgoCdHook.PRE_SYNC or POST_SYNC, or helmHooks: [...]), which Argo CD and Helm delete and recreate themselves, '
        + 'or leave ttlAfterFinished out: the Job is deleted when its manifest is pruned');
  });

  test('fails when backoffLimit is Infinity, showing it as written', () => {
    const { context } = setup();

    expect(() => new Job(context, 'migrate', props({ backoffLimit: Infinity })))
      .toThrow("catalog/migrate: 'backoffLimit' (Infinity) must be a whole number between 0 and 10000; allow a few retries, such as 3, or 0 for none");
  });

  test('an Argo CD PreSync hook annotates the Job and everything it needs, and is cleaned up after a day', () => {
    const { context } = setup();

    const migrate = new Job(context, 'migrate', props({ argoCdHook: ArgoCdHook.PRE_SYNC, argoCdSyncWave: -1 }));
    migrate.addBackingService('DATABASE_URL', BackingService.fromUrl('postgresql://db.internal:5432/orders', { cidrs: ['10.0.0.0/24'] }));
    migrate.addSecret('db', SecretSource.fromExternalSecret({ store: SecretStore.cluster('vault'), data: { password: RemoteRef.of('orders/db') } }),
      { env: { DB_PASSWORD: 'password' } });

    expect(migrate.ttlAfterFinished?.toSeconds()).toEqual(86400);
    const manifests = objects(context).filter(m => m.metadata.labels?.['app.kubernetes.io/name'] === 'migrate');
    // the Secret the Job reads is a hook too: it exists before the Job runs
    expect(manifests.map(m => m.kind).sort()).toEqual(['ConfigMap', 'ExternalSecret', 'Job', 'NetworkPolicy', 'ServiceAccount']);
    for (const m of manifests) {
      expect(m.metadata.annotations).toMatchObject({
        'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation', 'argocd.argoproj.io/sync-wave': '-1',
      });
    }
    expect(job(manifests).spec.ttlSecondsAfterFinished).toEqual(86400);
    expect(job(manifests).metadata.annotations).not.toHaveProperty('ignore-check.kube-linter.io/job-ttl-seconds-after-finished');
  });

  test('Helm hooks are listed in one annotation, on the Job and the Secret it reads', () => {
    const { context } = setup();

    const migrate = new Job(context, 'migrate', props({ helmHooks: [HelmHook.PRE_INSTALL, HelmHook.PRE_UPGRADE] }));
    migrate.addSecret('db', SecretSource.fromExternalSecret({ store: SecretStore.cluster('vault'), data: { password: RemoteRef.of('orders/db') } }));

    expect(migrate.helmHooks).toEqual([HelmHook.PRE_INSTALL, HelmHook.PRE_UPGRADE]);
    const hook = { 'helm.sh/hook': 'pre-install,pre-upgrade', 'helm.sh/hook-delete-policy': 'before-hook-creation' };
    expect(job(objects(context)).metadata.annotations).toMatchObject(hook);
    expect(objects(context).find(m => m.kind === 'ExternalSecret')?.metadata.annotations).toEqual(hook);
    expect(migrate.ttlAfterFinished?.toSeconds()).toEqual(86400);
  });

  test('the quota check counts its parallel pods', () => {
    const { context } = setup({ quota: { pods: 4 } });

    new Job(context, 'reindex', props({ parallelism: 5, completions: 5 }));

    expect(() => objects(context)).toThrow(/'quota\.pods' \('4'\) is below the pods the context's services need at maximum scale during a rolling update \(reindex 5 pods x 1 = 5\)/);
  });

  test.each([
    ['activeDeadline', Duration.seconds(0), '0s', 'give the longest a run may take, for example Duration.minutes(30)'],
    ['ttlAfterFinished', Duration.seconds(0), '0s', 'keep finished Jobs for a while, for example Duration.days(1), or leave ttlAfterFinished out'],
    ['activeDeadline', Duration.millis(1500), '1.5s', 'give the longest a run may take, for example Duration.minutes(30)'],
  ])('fails when %s is not a positive whole number of seconds', (prop, value, shown, fix) => {
    const { context } = setup();

    expect(() => new Job(context, 'migrate', props({ [prop]: value })))
      .toThrow(`catalog/migrate: '${prop}' ('${shown}') must be a positive whole number of seconds; ${fix}`);
  });

  test('fails when the name leaves no room for the hash', () => {
    const { context } = setup();

    expect(() => new Job(context, 'm'.repeat(53), props()))
      .toThrow(/'id' \('m{53}'\) must be at most 52 characters: the Job's name adds '-' and a 10-digit hash/);
  });

  describe('the name covers what the Job runs, not the target Kubernetes version', () => {
    /** A Job with a volume, configuration, a variable, a backing service and (from 1.29, unless told) a native sidecar, built for `version`. */
    const build = (version: KubernetesVersion, extra: Partial<JobProps> = {}, change: (j: Job) => void = () => undefined, sidecar = true) => {
      const { context } = setup({}, { kubernetesVersion: version });
      const j = new Job(context, 'migrate', props({ configFiles: { 'migrate.yaml': 'lock: true' }, env: { MODE: 'strict' }, ...extra }));
      j.addVolume(Volume.emptyDir('work', { sizeLimit: Size.mebibytes(64) }), { mountPath: '/work', writable: true });
      if (sidecar && version.isAtLeast(KubernetesVersion.V1_29)) {
        j.addSidecar('proxy', { image: Image.fromTag('ghcr.io/acme/proxy', '1.2.3'), withoutProbes: 'a plain TCP forwarder' });
      }
      j.addBackingService('DATABASE_URL', BackingService.fromUrl('postgresql://orders-db.example.com:5432/orders', { cidrs: ['10.0.3.0/24'] }));
      change(j);
      return { job: j, manifest: job(objects(context)) };
    };
    const buildWithoutSidecar = (version: KubernetesVersion) => build(version, {}, () => undefined, false);
    const without = (m: Manifest, field: string) => {
      const spec = { ...m.spec };
      delete spec[field];
      return spec;
    };

    test.each(KubernetesVersion.ALL.filter(v => v !== KubernetesVersion.NEWEST).map(v => [v.name, v]))(
      'raising kubernetesVersion from %s to the newest keeps the name, and the rendered Job differs at most in podReplacementPolicy (which may change on a Job)',
      (_name, version) => {
        // a native sidecar needs 1.29: below, the same Job without it
        const sidecar = version.isAtLeast(KubernetesVersion.V1_29);
        const older = build(version, {}, () => undefined, sidecar);
        const newest = build(KubernetesVersion.NEWEST, {}, () => undefined, sidecar);

        expect(older.job.jobName).toEqual(newest.job.jobName);
        expect(without(older.manifest, 'podReplacementPolicy')).toEqual(without(newest.manifest, 'podReplacementPolicy'));
        expect(newest.manifest.spec.template.spec.initContainers?.length ?? 0).toEqual(sidecar ? 1 : 0);
      });

    test('the podReplacementPolicy a version adds is the one the name was hashed with: 1.28 and 1.29 render differently, same name', () => {
      const v128 = buildWithoutSidecar(KubernetesVersion.V1_28);
      const v129 = buildWithoutSidecar(KubernetesVersion.V1_29);

      expect(v128.manifest.spec).not.toHaveProperty('podReplacementPolicy');
      expect(v129.manifest.spec.podReplacementPolicy).toEqual('Failed');
      expect(v128.job.jobName).toEqual(v129.job.jobName);
    });

    test('waitForTerminatingPods: false is hashed as set, on every version', () => {
      const at = (v: KubernetesVersion) => {
        const { context } = setup({}, { kubernetesVersion: v });
        const j = new Job(context, 'migrate', props({ waitForTerminatingPods: false }));
        objects(context);
        return j.jobName;
      };
      const defaulted = (() => {
        const { context } = setup();
        const j = new Job(context, 'migrate', props());
        objects(context);
        return j.jobName;
      })();

      expect(at(KubernetesVersion.V1_28)).toEqual(at(KubernetesVersion.NEWEST));
      expect(at(KubernetesVersion.NEWEST)).not.toEqual(defaulted);
    });

    test('a preStop sleep pinned to a form keeps the name across 1.30 (EXEC) and across later releases (NATIVE, AUTO from 1.30)', () => {
      const name = (v: KubernetesVersion, sleep: PreStopSleep) => build(v, { preStopDelay: Duration.seconds(3), preStopSleep: sleep }).job.jobName;

      expect(name(KubernetesVersion.V1_29, PreStopSleep.EXEC)).toEqual(name(KubernetesVersion.NEWEST, PreStopSleep.EXEC));
      expect(name(KubernetesVersion.V1_30, PreStopSleep.NATIVE)).toEqual(name(KubernetesVersion.NEWEST, PreStopSleep.NATIVE));
      expect(name(KubernetesVersion.V1_30, PreStopSleep.AUTO)).toEqual(name(KubernetesVersion.NEWEST, PreStopSleep.AUTO));
    });

    test.each<[string, Partial<JobProps>, (j: Job) => void]>([
      ['the image', { image: Image.fromTag('ghcr.io/acme/orders', '4.0.4') }, () => undefined],
      ['the command', { command: ['/bin/migrate'] }, () => undefined],
      ['the arguments', { args: ['migrate', 'down'] }, () => undefined],
      ['a variable', { env: { MODE: 'lenient' } }, () => undefined],
      ['the configuration content', { configFiles: { 'migrate.yaml': 'lock: false' } }, () => undefined],
      ['a mounted volume', {}, (j) => j.addVolume(Volume.emptyDir('cache', { sizeLimit: Size.mebibytes(32) }), { mountPath: '/cache', writable: true })],
      ['an init container', {}, (j) => j.addInitContainer('wait', { image: Image.fromTag('ghcr.io/acme/wait', '1.0.0') })],
    ])('changing %s renames the Job, at the newest version and at 1.29 alike', (_what, extra, change) => {
      for (const v of [KubernetesVersion.NEWEST, KubernetesVersion.V1_29]) {
        expect(build(v, extra, change).job.jobName).not.toEqual(build(v).job.jobName);
      }
    });

    test('a CronJob is not hashed: its name stays whatever the version, and its Jobs follow the template as it renders', () => {
      const names = [KubernetesVersion.V1_27, KubernetesVersion.NEWEST].map(v => {
        const { context } = setup({}, { kubernetesVersion: v });
        new CronJob(context, 'cleanup', { image: Image.fromTag('ghcr.io/acme/orders', '4.0.3'), schedule: CronSchedule.DAILY });
        return objects(context).filter(m => m.kind === 'CronJob').map(m => m.metadata.name);
      });

      expect(names).toEqual([['cleanup'], ['cleanup']]);
    });

    test('fails when a Job\'s preStop sleep would switch forms when kubernetesVersion reaches 1.30', () => {
      const { context } = setup({}, { kubernetesVersion: KubernetesVersion.V1_29 });

      expect(() => new Job(context, 'migrate', props({ preStopDelay: Duration.seconds(3) }))).toThrow(
        "catalog/migrate: 'preStopSleep' ('auto') must be PreStopSleep.EXEC for a Job with a preStopDelay (3s) while the platform targets Kubernetes 1.29: "
        + 'AUTO runs sleep in the container before 1.30 and the kubelet\'s native sleep from 1.30, a change to the Job\'s immutable pod template, '
        + 'so raising kubernetesVersion would need a new Job, which runs again; '
        + 'set preStopSleep: PreStopSleep.EXEC (what it renders now), or leave preStopDelay out (a Job serves no traffic to drain)');
    });
  });

  test('fails when waitForTerminatingPods is asked of a Kubernetes release without podReplacementPolicy', () => {
    const { context } = setup({}, { kubernetesVersion: KubernetesVersion.V1_28 });
    expect(() => new Job(context, 'migrate', props({ waitForTerminatingPods: true }))).toThrow(
      "catalog/migrate: 'waitForTerminatingPods' (true) needs a Job's podReplacementPolicy, which Kubernetes has from 1.29, but the platform targets 1.28; "
      + 'raise the Platform\'s kubernetesVersion to KubernetesVersion.V1_29 or later if every cluster runs it, or leave waitForTerminatingPods unset');
  });

  test('fails when helmHooks is empty', () => {
    const { context } = setup();

    expect(() => new Job(context, 'migrate', props({ helmHooks: [] })))
      .toThrow(/^catalog\/migrate: 'helmHooks' \(\[\]\) must list at least one hook when given/);
  });

  test('fails when backoffLimit is negative', () => {
    const { context } = setup();

    expect(() => new Job(context, 'migrate', props({ backoffLimit: -1 })))
      .toThrow(/^catalog\/migrate: 'backoffLimit' \(-1\) must be a whole number between 0 and 10000/);
  });
});

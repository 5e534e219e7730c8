import { Duration, Lazy, Size } from 'cdk8s';
import type { WorkloadConfiguration } from './configuration';
import type { WorkloadContainer } from './container';
import type { IWorkloadFacetOwner } from './facet-owner';
import type { WorkloadIdentity } from './identity';
import { k8s } from '../internal/k8s';
import { LABEL, MANAGED_BY } from '../internal/labels';
import { _bytes, _formatBytes } from '../internal/quantity';
import { _ProbeSet } from '../pod/probe';
import { _renderResources } from '../pod/resources';
import type { Volume } from '../pod/volume';
import type { ContainerSecurity } from '../pod/container-security';
import type { Port } from '../pod/port';
import type { PreStopSleep } from '../pod/pre-stop';
import type { _Resources } from '../platform/context-quota';
import type { Image, ImagePullPolicy } from '../platform/image';
import type { PriorityTier } from '../platform/priority-tier';
import type { WorkloadScheduling } from './scheduling';
import { _nonEmpty } from './workload-connections';

/**
 * What the pod template reads of the workload beyond what every facet knows: the
 * main container, its shutdown, and the facets that render into the pod.
 * @internal
 */
export interface IPodTemplateOwner extends IWorkloadFacetOwner {
  /** The main container's image. */
  readonly image: Image;
  /** When the kubelet pulls it. */
  readonly imagePullPolicy: ImagePullPolicy;
  /** The main container's name. */
  readonly containerName: string;
  /** The main container's ports (a copy). */
  readonly ports: Port[];
  /** The scheduling tier. */
  readonly priority: PriorityTier;
  /** The main container's security context. */
  readonly security: ContainerSecurity;
  /** The grace period after SIGTERM. */
  readonly terminationGracePeriod: Duration;
  /** The delay before SIGTERM. */
  readonly preStopDelay: Duration;
  /** How the preStop delay sleeps. */
  readonly preStopSleep: PreStopSleep;
  /** The size of /tmp. */
  readonly tmpSize: Size;
  /** The main container's resolved requests and limits. */
  readonly _resources: _Resources;
  /** The environment, configuration files and secrets. */
  readonly configuration: WorkloadConfiguration;
  /** The ServiceAccount and its token. */
  readonly identity: WorkloadIdentity;
  /** The priority class and spread. */
  readonly scheduling: WorkloadScheduling;
}

/**
 * What a kind adds to the core's pod template.
 * @internal
 */
export interface _PodTemplateOptions {
  readonly command?: string[];
  readonly args?: string[];
  readonly probes: _ProbeSet;
  /** Volumes and mounts the kind added (claims, scratch space). */
  readonly extraMounts: () => Array<{ volume?: k8s.Volume; mount: k8s.VolumeMount }>;
  /** The revision label to spread by; no spread without it (run-to-completion pods). */
  readonly spreadBy?: string;
  /** The pods' restart policy, for Jobs. */
  readonly restartPolicy?: string;
  /** Labels beyond the workload's own. */
  readonly labels?: { [key: string]: string };
  /** Volumes added with addVolume, each once. */
  readonly volumes: () => Volume[];
  /** Init containers and sidecars, in order. */
  readonly initContainers: () => WorkloadContainer[];
  /** The user's pod labels and annotations. */
  readonly podLabels: { [key: string]: string };
  readonly podAnnotations: { [key: string]: string };
  /** Secrets to pull the images with. */
  readonly pullSecrets: string[];
}

/**
 * The pod template every workload kind runs: its own ServiceAccount with no token
 * (a projected one only when granted API access), no service links, the priority
 * tier, a graceful shutdown (a preStop sleep inside the grace period), the
 * `restricted` security context, one container with requests and limits, the
 * configuration from the immutable ConfigMap, secrets as files or variables, and a
 * writable /tmp on a read-only root filesystem.
 * @internal
 */
export function _renderPodTemplate(w: IPodTemplateOwner, o: _PodTemplateOptions): k8s.PodTemplateSpec {
  const lifecycle = w.preStopSleep._render(w.context.platform.kubernetesVersion, w.preStopDelay.toSeconds());
  const ports = w.ports;
  const annotations = Object.keys(o.podAnnotations).length > 0 ? { annotations: { ...o.podAnnotations } } : {};
  return {
    metadata: { labels: { ...o.podLabels, ...w._labels, [LABEL.CONTEXT]: w.namespace, [LABEL.TIER]: w.priority.name, ...o.labels }, ...annotations },
    spec: {
      serviceAccountName: w.identity.serviceAccountName,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      priorityClassName: w.scheduling.priorityClassName,
      terminationGracePeriodSeconds: w.terminationGracePeriod.toSeconds(),
      ...(o.restartPolicy !== undefined ? { restartPolicy: o.restartPolicy } : {}),
      securityContext: w.security._podSecurityContext(),
      ...(o.spreadBy !== undefined ? w.scheduling._renderSpread(o.spreadBy) : {}),
      ...(o.pullSecrets.length > 0 ? { imagePullSecrets: o.pullSecrets.map(name => ({ name })) } : {}),
      initContainers: Lazy.any({ produce: () => _nonEmpty(o.initContainers().map(c => c._render())) }),
      containers: [{
        name: w.containerName,
        image: w.image.reference,
        imagePullPolicy: w.imagePullPolicy.value,
        ...(o.command ? { command: [...o.command] } : {}),
        ...(o.args ? { args: [...o.args] } : {}),
        ports: ports.length > 0 ? ports.map(p => ({ name: p.name, containerPort: p.containerPort, protocol: 'TCP' })) : undefined,
        env: Lazy.any({ produce: () => _nonEmpty(w.configuration._renderEnv()) }),
        resources: _renderResources(w._resources),
        securityContext: w.security._containerSecurityContext(),
        ...(o.probes.readiness ? { readinessProbe: o.probes.readiness } : {}),
        ...(o.probes.liveness ? { livenessProbe: o.probes.liveness } : {}),
        ...(o.probes.startup ? { startupProbe: o.probes.startup } : {}),
        ...(lifecycle ? { lifecycle } : {}),
        volumeMounts: Lazy.any({ produce: () => volumes(w, o).mounts }),
      }],
      volumes: Lazy.any({ produce: () => volumes(w, o).volumes }),
    },
  };
}

function volumes(w: IPodTemplateOwner, o: _PodTemplateOptions): { volumes: k8s.Volume[]; mounts: k8s.VolumeMount[] } {
  const vols: k8s.Volume[] = [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString(_formatBytes(_bytes(w.tmpSize))) } }];
  const mounts: k8s.VolumeMount[] = [{ name: 'tmp', mountPath: '/tmp' }];
  const add = (entry: { volume?: k8s.Volume; mount: k8s.VolumeMount } | undefined) => {
    if (entry) {
      if (entry.volume) {
        vols.push(entry.volume);
      }
      mounts.push(entry.mount);
    }
  };
  add(w.configuration._renderFiles());
  add(w.identity._renderToken());
  for (const secret of w.configuration.secrets) {
    if (secret.mountPath !== undefined) {
      add({ volume: { name: `secret-${secret.id}`, secret: { secretName: secret.secretName, defaultMode: 0o440 } },
        mount: { name: `secret-${secret.id}`, mountPath: secret.mountPath, readOnly: true } });
    }
  }
  o.extraMounts().forEach(add);
  const labels = { ...w.selectorLabels, [LABEL.PART_OF]: w.context.platform.platformName, [LABEL.MANAGED_BY]: MANAGED_BY };
  vols.push(...o.volumes().map(v => v._render(w, `addVolume(${v.name})`, labels)), ...o.initContainers().map(c => c._renderTmp()));
  return { volumes: vols, mounts };
}

import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { k8s } from '../internal/k8s';
import { LABEL } from '../internal/labels';
import { _invalid } from '../internal/errors';
import { _copySuppressions, _resuppress, _suppress } from '../internal/suppressions';
import { ErrorCode } from '../internal/configuration-error';
import type { BoundedContext } from '../platform/bounded-context';
import type { Image } from '../platform/image';
import type { Port } from '../pod/port';
import type { IWorkloadFacetOwner } from './facet-owner';
import { ScalingProps, _Scaling, _renderDisruptionBudget } from './scaling';
import { UpdateStrategy } from './update-strategy';

/** The label that names the track of a release on the track's pods and objects (`canary`, `green`, `variant`, `shadow`). */
export const TRACK_LABEL = 'cdk8s-microservices.io/track';

/**
 * What a microservice needs to know of a release (`Release.canary(...)`,
 * `Release.blueGreen(...)`, `Release.abTest(...)`, `Release.shadow(...)` in
 * lib/release/): the second track it runs beside the stable one. Implemented in
 * lib/release/; a workload never sees those classes.
 */
export interface IRelease {
  /** The strategy's name, as errors show it: 'canary', 'blue-green', 'a/b', 'shadow'. */
  readonly strategy: string;
  /**
   * Checks the release against the service (`scope`, naming `prop` in errors) and
   * resolves what it renders.
   * @internal
   */
  _plan(scope: IReleaseOwner, prop: string): _ReleasePlan;
}

/** What a release checks of the service it runs on. @internal */
export interface IReleaseOwner extends IConstruct {
  /** The service's name. */
  readonly name: string;
  /** The stable track's image. */
  readonly image: Image;
  /** The stable track's version label. */
  readonly version: string;
  /** The stable track's fewest replicas. */
  readonly minReplicas: number;
  /** The stable track's most replicas. */
  readonly maxReplicas: number;
  /** The stable track's autoscaler target, in percent of the CPU request. */
  readonly targetCpuUtilization: number;
  /** How the stable track's rollouts replace its pods; the track's do the same. */
  readonly updateStrategy: UpdateStrategy;
  /** The stable track's surge; the track's is the same. */
  readonly maxSurge: number;
}

/** Which tracks the service's own Service (the name in-cluster callers use) selects. @internal */
export type _ServiceSelects = 'all' | 'stable' | 'track';

/** A request match that sends a request to the track (A/B). @internal */
export interface _TrackMatch {
  readonly type: 'header' | 'cookie' | 'query';
  readonly name: string;
  readonly value: string;
}

/**
 * A release, resolved: the track beside the stable one, which tracks the in-cluster
 * Service selects, and how the gateway's routes reach the track.
 * @internal
 */
export interface _ReleasePlan {
  /** The strategy's name, for messages. */
  readonly strategy: string;
  /** The track's name, a DNS label: the track's objects are named `<service>-<track>`. */
  readonly track: string;
  /** The track's image. */
  readonly image: Image;
  /** The track's `app.kubernetes.io/version` label. */
  readonly version: string;
  /** The track's scaling (its own autoscaler); minReplicas 0 runs the track at zero without an autoscaler. */
  readonly scaling: ScalingProps;
  /** Which tracks the service's Service selects. */
  readonly serviceSelects: _ServiceSelects;
  /** Whether the strategy works only through a gateway route. */
  readonly needsRoute: boolean;
  /** The share of routed requests (0-100) the track gets; the stable track gets the rest. */
  readonly routeWeight: number;
  /** Requests that match any of these go to the track (A/B); none for the other strategies. */
  readonly matches: _TrackMatch[];
  /** The percent of routed requests mirrored to the track (shadow), if any. */
  readonly mirrorPercent?: number;
  /**
   * Why the stable track may run the track's image, if it may: a blue-green pair
   * whose green serves while blue rolls to the new version, the step before the
   * release ends.
   */
  readonly sameImage?: string;
  /**
   * The controller that moves the canary through its steps (Argo Rollouts), if any:
   * then no track Deployment is rendered (the controller makes the canary's
   * ReplicaSet from the stable Deployment's pod template, which carries the release's
   * image), and the service's autoscaler scales the controller's workload.
   */
  readonly progression?: _ReleaseProgression;
}

/** What a progression controller's objects are rendered against. @internal */
export interface _ProgressionTarget {
  /** The service, which errors name. */
  readonly service: IConstruct;
  /** Where the controller's objects are rendered (the track's construct). */
  readonly scope: Construct;
  /** The service's name: the stable Deployment's, and the controller's workload's. */
  readonly name: string;
  /** The service's namespace, where its routes live too. */
  readonly namespace: string;
  /** The labels of the service's objects. */
  readonly labels: { [key: string]: string };
  /** The labels that select the stable Deployment's pods. */
  readonly selectorLabels: { [key: string]: string };
  /** The Service that selects the stable pods (`<service>-stable`). */
  readonly stableService: string;
  /** The Service that selects the canary's pods (`<service>-canary`). */
  readonly canaryService: string;
  /** How the stable track replaces its pods. */
  readonly updateStrategy: UpdateStrategy;
  /** The stable track's surge. */
  readonly maxSurge: number;
}

/** A release's automated progression (lib/release/progression.ts). @internal */
export interface _ReleaseProgression {
  /** The controller's name, for messages and reasons. */
  readonly controller: string;
  /** The workload the service's autoscaler scales instead of the stable Deployment. */
  readonly scaleTarget: { readonly apiVersion: string; readonly kind: string };
  /** Renders the controller's objects; returns the workload that runs the pods. */
  _render(target: _ProgressionTarget): ApiObject;
}

/** What the track needs of its service. @internal */
export interface ITrackOwner extends IWorkloadFacetOwner {
  /** The container ports (a copy). */
  readonly ports: Port[];
}

/**
 * The second track of a microservice's release: a Deployment named
 * `<service>-<track>` whose pods carry `app.kubernetes.io/instance: <service>-<track>`
 * (so that neither the stable Deployment's selector, its autoscaler nor its
 * disruption budget ever matches them), the track's own version label and the
 * `cdk8s-microservices.io/track` label; its own HorizontalPodAutoscaler and
 * PodDisruptionBudget; and a Service per track (`<service>-stable`,
 * `<service>-<track>`) that the gateway's routes split traffic over.
 * @internal
 */
export class _ReleaseTrack extends Construct implements IWorkloadFacetOwner {
  public readonly name: string;
  public readonly namespace: string;
  public readonly context: BoundedContext;
  public readonly selectorLabels: { [key: string]: string };
  /** The track's scaling, resolved (undefined when it runs at zero). */
  public readonly scaling?: _Scaling;
  /** The track's Deployment, or under a progression the controller's workload (the Rollout). */
  private readonly controller: ApiObject;

  /**
   * @param template the stable track's pod template, made the track's
   * @param strategy the stable track's rollout, which the track keeps at zero replicas too
   * @param stable the stable Deployment
   */
  constructor(private readonly service: ITrackOwner, public readonly plan: _ReleasePlan, template: k8s.PodTemplateSpec, strategy: k8s.DeploymentStrategy, stable: ApiObject) {
    super(service, plan.track);
    this.name = `${service.name}-${plan.track}`;
    const longest = [this.name, `${service.name}-stable`].sort((a, b) => b.length - a.length)[0];
    if (longest.length > 63) {
      throw _invalid(service, 'release', plan.strategy, `must leave room for the names of the release's objects, such as '${longest}' (${longest.length} characters, at most 63)`,
        `shorten the service's name to at most ${63 - (longest.length - service.name.length)} characters`, ErrorCode.INVALID_NAME);
    }
    this.namespace = service.namespace;
    this.context = service.context;
    this.selectorLabels = { ...service.selectorLabels, [LABEL.INSTANCE]: this.name };
    const atZero = plan.scaling.minReplicas === 0 && plan.scaling.maxReplicas === 0;
    this.scaling = atZero ? undefined : new _Scaling(this, plan.scaling);
    if (plan.progression) {
      // the controller runs the canary from the stable Deployment's template: the quota still counts it at its maximum
      this.controller = this.renderProgression(plan.progression, stable);
      return;
    }
    const deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: this._meta(),
      spec: {
        ...(atZero ? { replicas: 0 } : {}),
        // a track is rolled back by ending the release, not by `kubectl rollout undo`
        revisionHistoryLimit: 0,
        selector: { matchLabels: this.selectorLabels },
        strategy: this.scaling?.renderStrategy() ?? strategy,
        template: this.trackTemplate(template),
      },
    });
    this.controller = deployment;
    // after the stable Deployment: every object the stable pods read (the ConfigMap, the Secrets) comes first
    deployment.node.addDependency(stable);
    _copySuppressions(stable, deployment, ['polaris/deploymentMissingReplicas']);
    if (this.scaling) {
      this.scaling.suppressReplicas(deployment, 'one replica of the track by choice (minReplicas = maxReplicas = 1)');
      const hpa = this.scaling.renderAutoscaler();
      if (this.scaling.minReplicas === 1 && plan.serviceSelects !== 'track') {
        // the stable track serves beside it: a single pod of the track is a deliberate, small first step
        const why = `a ${plan.strategy} track with minReplicas 1 by choice (release.minReplicas): the stable track, which the service's Service selects, serves beside it`;
        _suppress(hpa, 'polaris', 'hpaMinAvailability', why);
        _suppress(hpa, 'kube-score', 'horizontalpodautoscaler-replicas', why);
      }
      _renderDisruptionBudget(this, this.scaling.disruptionBudget);
    } else {
      const why = `the idle colour of a ${plan.strategy} release, at zero replicas by choice (IdleScale.ZERO): it takes no traffic until it is scaled WARM and made active`;
      _suppress(deployment, 'polaris', 'deploymentMissingReplicas', why);
      _suppress(deployment, 'kube-score', 'deployment-replicas', why);
    }
    this.renderTrackService('Stable', `${service.name}-stable`, { ...service.selectorLabels });
    this.renderTrackService('Service', this.name, this.selectorLabels);
  }

  /**
   * A progression: the stable Deployment becomes the template of the controller's
   * workload (its pod template runs the release's image), the service's autoscaler
   * scales that workload, and both per-track Services select the stable pods' labels
   * (the controller adds its pod-template-hash to each selector). No track Deployment,
   * autoscaler or budget: the controller makes the canary's ReplicaSet, and the
   * service's budget selects the pods of both.
   */
  private renderProgression(progression: _ReleaseProgression, stable: ApiObject): ApiObject {
    const service = this.service;
    const main = '/spec/template/spec/containers/0/image';
    const version = 'app.kubernetes.io~1version';
    stable.addJsonPatch(JsonPatch.replace(main, this.plan.image.reference),
      JsonPatch.replace(`/spec/template/metadata/labels/${version}`, this.plan.version), JsonPatch.replace(`/metadata/labels/${version}`, this.plan.version));
    const template = `the template of the ${progression.controller} workload '${service.name}', which runs the pods, scales this Deployment to zero and owns its count; spec.replicas is left out so that an apply never scales it back up`;
    _resuppress(stable, 'polaris', 'deploymentMissingReplicas', template);
    _resuppress(stable, 'kube-score', 'deployment-replicas', template);
    const autoscaler = service.node.tryFindChild('Autoscaler');
    if (autoscaler instanceof ApiObject) {
      autoscaler.addJsonPatch(JsonPatch.replace('/spec/scaleTargetRef', { ...progression.scaleTarget, name: service.name }));
      _suppress(autoscaler, 'kube-score', 'horizontalpodautoscaler-has-target',
        `scales the ${progression.scaleTarget.kind} '${service.name}' (${progression.scaleTarget.apiVersion}) rendered beside it, a kind kube-score does not read`);
    }
    this.renderTrackService('Stable', `${service.name}-stable`, { ...service.selectorLabels });
    this.renderTrackService('Service', this.name, { ...service.selectorLabels });
    const workload = progression._render({
      service, scope: this, name: service.name, namespace: this.namespace,
      labels: { ...service._labels }, selectorLabels: { ...service.selectorLabels },
      stableService: `${service.name}-stable`, canaryService: this.name,
      updateStrategy: this.plan.scaling.updateStrategy ?? UpdateStrategy.SURGE, maxSurge: this.plan.scaling.maxSurge ?? 0,
    });
    workload.node.addDependency(stable);
    return workload;
  }

  /** The track's labels: the service's, with the track's instance, version and track name. */
  public get _labels(): { [key: string]: string } {
    return { ...this.service._labels, [LABEL.INSTANCE]: this.name, [LABEL.VERSION]: this.plan.version, [TRACK_LABEL]: this.plan.track };
  }

  public _meta(extraLabels: { [key: string]: string } = {}): k8s.ObjectMeta {
    return { name: this.name, namespace: this.namespace, labels: { ...this._labels, ...extraLabels } };
  }

  public get _controller(): ApiObject {
    return this.controller;
  }

  public _beforeController(reads: IConstruct): void {
    this.controller.node.addDependency(...reads.node.findAll().filter(c => c instanceof ApiObject));
  }

  /** Pods the quota must hold for the track at its peak (its maximum and the surge of a rollout). */
  public get peakPods(): number {
    return this.scaling?.peakPods ?? 0;
  }

  /** The stable pod template, made the track's: its labels, image and spread. */
  private trackTemplate(stable: k8s.PodTemplateSpec): k8s.PodTemplateSpec {
    const selector = { matchLabels: this.selectorLabels };
    const spec = stable.spec!;
    const [main, ...rest] = spec.containers;
    return {
      metadata: { ...stable.metadata, labels: { ...stable.metadata?.labels, ...this._labels } },
      spec: {
        ...spec,
        ...(spec.topologySpreadConstraints ? { topologySpreadConstraints: spec.topologySpreadConstraints.map(c => ({ ...c, labelSelector: selector })) } : {}),
        ...(spec.affinity ? {
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: (spec.affinity.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
                .map(t => ({ ...t, podAffinityTerm: { ...t.podAffinityTerm, labelSelector: selector } })),
            },
          },
        } : {}),
        containers: [{ ...main, image: this.plan.image.reference }, ...rest],
      },
    };
  }

  private renderTrackService(id: string, name: string, selector: { [key: string]: string }): void {
    const labels = id === 'Stable' ? { ...this.service._labels, [LABEL.INSTANCE]: name, [TRACK_LABEL]: 'stable' } : this._labels;
    new k8s.KubeService(this, id, {
      metadata: { name, namespace: this.namespace, labels },
      spec: {
        type: 'ClusterIP',
        selector,
        ports: this.service.ports.map(p => ({
          name: p.name,
          port: p.servicePort,
          targetPort: k8s.IntOrString.fromString(p.name),
          protocol: 'TCP',
          ...(p.protocol.appProtocol !== undefined ? { appProtocol: p.protocol.appProtocol } : {}),
        })),
      },
    });
  }
}

import { ApiObject, Lazy } from 'cdk8s';
import { IConstruct } from 'constructs';
import { AnalysisTemplate, AnalysisTemplateSpecMetricsCount, AnalysisTemplateSpecMetricsFailureLimit, Rollout, RolloutSpecStrategyCanaryMaxSurge,
  RolloutSpecStrategyCanaryMaxUnavailable, RolloutSpecStrategyCanarySteps, RolloutSpecStrategyCanaryStepsPauseDuration } from '../imports/argoproj.io';
import { _addValidation } from '../internal/chart';
import { _invalid } from '../internal/errors';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';
import { _GATEWAY_API_LIMITS } from '../gateway/gateway-api-limits';
import { UpdateStrategy } from '../workloads/update-strategy';
import type { _ProgressionTarget } from '../workloads/release-track';
import type { _ResolvedAnalysis } from './progression-analysis';

/** A step, resolved: the Rollout's step, with the analysis step's template named when rendered. @internal */
export interface _ResolvedStep {
  readonly setWeight?: number;
  readonly pause?: { readonly duration?: string };
  readonly analysis?: boolean;
}

/** The name Argo Rollouts knows the Gateway API traffic router plugin by (its `argo-rollouts-config` ConfigMap entry). */
export const GATEWAY_API_PLUGIN = 'argoproj-labs/gatewayAPI';

/** The route kinds the plugin moves weights on, and the key of its config that lists them. */
const DRIVEN: { [kind: string]: string } = { HTTPRoute: 'httpRoutes', GRPCRoute: 'grpcRoutes' };

/**
 * A route that reaches the service's canary Service.
 * @internal
 */
export interface _CanaryRoute {
  readonly kind: string;
  readonly name: string;
}

/**
 * The Gateway API routes in `namespace` with a backendRef to `canaryService`, read
 * from the finished tree (routes are added after the service), by kind and name.
 * @internal
 */
export function _canaryRoutes(root: IConstruct, namespace: string, canaryService: string): _CanaryRoute[] {
  const out: _CanaryRoute[] = [];
  for (const c of root.node.findAll()) {
    if (!(c instanceof ApiObject) || !c.apiVersion.startsWith('gateway.networking.k8s.io/') || c.metadata.namespace !== namespace) {
      continue;
    }
    const rules: Array<{ backendRefs?: Array<{ name?: string; kind?: string }> }> = c.toJson().spec?.rules ?? [];
    if (rules.some(r => (r.backendRefs ?? []).some(b => b.name === canaryService && (b.kind ?? 'Service') === 'Service'))) {
      out.push({ kind: c.kind, name: c.name });
    }
  }
  return out.sort((a, b) => (a.kind + a.name).localeCompare(b.kind + b.name));
}

/**
 * Renders the Argo Rollouts objects of a progressing canary: a `Rollout` named after
 * the service whose workloadRef is the service's Deployment, its canary steps and the
 * Gateway API plugin's routes; and the error-ratio `AnalysisTemplate` its analysis
 * steps run. Nothing the controller makes itself (ReplicaSets, AnalysisRuns).
 * @internal
 */
export function _renderArgoRollout(t: _ProgressionTarget, steps: _ResolvedStep[], analysis?: _ResolvedAnalysis): ApiObject {
  const templateName = `${t.name}-error-ratio`;
  if (analysis) {
    new AnalysisTemplate(t.scope, 'Analysis', {
      metadata: { name: templateName, namespace: t.namespace, labels: t.labels },
      spec: {
        metrics: [{
          name: 'error-ratio',
          interval: `${analysis.intervalSeconds}s`,
          count: AnalysisTemplateSpecMetricsCount.fromNumber(analysis.count),
          failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(analysis.failureLimit),
          successCondition: `result[0] <= ${analysis.maxErrorRatio}`,
          provider: { prometheus: { address: analysis.prometheusAddress, query: analysis.query } },
        }],
      },
    });
  }
  const routes = () => _canaryRoutes(t.scope.node.root, t.namespace, t.canaryService);
  const surge = t.updateStrategy === UpdateStrategy.SURGE;
  const rollout = new Rollout(t.scope, 'Rollout', {
    metadata: { name: t.name, namespace: t.namespace, labels: t.labels },
    spec: {
      // no replicas: the service's HorizontalPodAutoscaler scales the Rollout
      selector: { matchLabels: t.selectorLabels },
      workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: t.name, scaleDown: 'onsuccess' },
      strategy: {
        canary: {
          stableService: t.stableService,
          canaryService: t.canaryService,
          // never below the desired count, as the service's own rollouts (with traffic routing these only pace the scale-down of old pods)
          maxSurge: RolloutSpecStrategyCanaryMaxSurge.fromNumber(surge ? t.maxSurge : 0),
          maxUnavailable: RolloutSpecStrategyCanaryMaxUnavailable.fromNumber(surge ? 0 : 1),
          trafficRouting: {
            plugins: Lazy.any({
              produce: () => {
                const config: { [key: string]: unknown } = { namespace: t.namespace };
                for (const [kind, key] of Object.entries(DRIVEN)) {
                  const names = routes().filter(r => r.kind === kind).map(r => ({ name: r.name }));
                  if (names.length > 0) config[key] = names;
                }
                return { [GATEWAY_API_PLUGIN]: config };
              },
            }),
          },
          steps: steps.map((s): RolloutSpecStrategyCanarySteps => {
            if (s.analysis) return { analysis: { templates: [{ templateName }] } };
            if (s.pause) return { pause: s.pause.duration ? { duration: RolloutSpecStrategyCanaryStepsPauseDuration.fromString(s.pause.duration) } : {} };
            return { setWeight: s.setWeight };
          }),
        },
      },
    },
  });
  _addValidation(t.service, () => checkRoutes(t.service, routes()));
  return rollout;
}

/** Refuses a route the plugin cannot drive (a service no route reaches is refused by the release itself). */
function checkRoutes(service: IConstruct, routes: _CanaryRoute[]): ConfigurationError[] {
  return routes.filter(r => DRIVEN[r.kind] === undefined).map(r => _invalid(service, 'release.progression', `${r.kind} ${r.name}`,
    `must not be a progression of a service that a ${r.kind} reaches: the ${GATEWAY_API_PLUGIN} plugin drives a ${r.kind} through its v1alpha2 API, which Gateway API ${_GATEWAY_API_LIMITS.version} no longer serves, so its weights would never move`,
    'route the service\'s HTTP or gRPC port only (addRoute, addGrpcRoute), or move this release with Release.canary({ weight }) steps in code', ErrorCode.UNSUPPORTED_BY_IMPLEMENTATION));
}

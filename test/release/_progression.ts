import { Duration } from 'cdk8s';
import { ErrorRatioQuery, Image, Microservice, Port, Probe, Progression, ProgressionAnalysis, ProgressionStep, Release } from '../../lib';
import { composition } from './_release';

/** The error ratio of 'ratings', as its team writes it until observability (issue 22) declares it. */
export const RATINGS_ERROR_RATIO = ErrorRatioQuery.promql(
  'sum(rate(http_requests_total{namespace="catalog",service="ratings",code=~"5.."}[2m])) / sum(rate(http_requests_total{namespace="catalog",service="ratings"}[2m]))');

/**
 * The composition of one release per strategy, with a service 'ratings' (routed over
 * HTTP by the same gateway) whose canary Argo Rollouts moves: 10%, five minutes, the
 * error-ratio analysis, 50%, then a person promotes.
 */
export function progressionComposition() {
  const c = composition();
  const ratings = new Microservice(c.catalog, 'ratings', {
    image: Image.fromTag('ghcr.io/acme/ratings', '2.3.0'), ports: [Port.http(8080)],
    readiness: Probe.http('/ready'), liveness: Probe.http('/live'), env: { LOG_LEVEL: 'info' },
    release: Release.canary({
      image: Image.fromTag('ghcr.io/acme/ratings', '2.4.0'),
      progression: Progression.argoRollouts({
        steps: [ProgressionStep.setWeight(10), ProgressionStep.pause(Duration.minutes(5)), ProgressionStep.analysis(),
          ProgressionStep.setWeight(50), ProgressionStep.pauseUntilPromoted()],
        analysis: ProgressionAnalysis.errorRatio({ prometheusAddress: 'http://prometheus.monitoring.svc.cluster.local:9090', query: RATINGS_ERROR_RATIO, maxErrorRatio: 0.01 }),
      }),
    }),
  });
  c.gateway.addRoute({ host: 'api.example.com', path: '/ratings', service: ratings });
  return { ...c, ratings };
}

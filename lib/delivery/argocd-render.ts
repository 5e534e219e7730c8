import { ApiObject, App, Chart, Names, YamlOutputType } from 'cdk8s';
import { Construct } from 'constructs';
import { Application, AppProject, ApplicationSpecIgnoreDifferences } from '../imports/argoproj.io';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';
import { BoundedContext } from '../platform/bounded-context';

/** What `ArgoCdDelivery` resolved, for the rendering. @internal */
export interface _ArgoCdSettings {
  /** The delivery's construct path, for errors. */
  readonly path: string;
  readonly platformName: string;
  readonly repoURL: string;
  readonly targetRevision: string;
  /** The environment's directory in the repository. */
  readonly directory: string;
  readonly namespace: string;
  readonly server: string;
  readonly prune: boolean;
  readonly selfHeal: boolean;
  readonly retryLimit: number;
}

/**
 * The sync options of every application:
 * - ServerSideApply: the API server merges (as `kubectl apply --server-side` of the
 *   ApplySet route does), no last-applied annotation (too small for large CRs), field
 *   ownership shared with the controllers;
 * - CreateNamespace=false: the charts render their namespaces, with their labels;
 * - PruneLast: objects no longer rendered go after the rest of the sync is healthy;
 * - RespectIgnoreDifferences: a sync leaves the ignored fields (replicas an autoscaler owns) as they are;
 * - FailOnSharedResource: an object another application already tracks fails the sync rather than changing owner.
 * @internal
 */
export const _SYNC_OPTIONS = ['ServerSideApply=true', 'CreateNamespace=false', 'PruneLast=true', 'RespectIgnoreDifferences=true', 'FailOnSharedResource=true'];

/** The API objects a chart renders itself (not those of charts nested in it). @internal */
export function _chartObjects(chart: Chart): ApiObject[] {
  return chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart);
}

/** The file `synthesizeEnvironments` writes each chart to (cdk8s' one file per chart naming, `0000-` indexed once charts depend on each other). */
function chartFiles(app: App, settings: _ArgoCdSettings): Map<Chart, string> {
  if (app.yamlOutputType !== YamlOutputType.FILE_PER_CHART) {
    throw new ConfigurationError({ path: settings.path, prop: 'yamlOutputType', value: app.yamlOutputType,
      expected: 'must be one file per chart: each application reads its chart\'s file', fix: 'leave the app\'s yamlOutputType at its default (FILE_PER_CHART)', code: ErrorCode.CONFLICT });
  }
  const indexed = app.charts.some(c => c.node.dependencies.some(d => d instanceof Chart));
  return new Map(app.charts.map((c, i) => [c, `${indexed ? `${i.toString().padStart(4, '0')}-` : ''}${Names.toDnsLabel(c)}${app.outputFileExtension}`]));
}

const groupOf = (apiVersion: string) => apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
const byText = (a: string, b: string) => a < b ? -1 : a > b ? 1 : 0;

interface GroupKind { readonly group: string; readonly kind: string }

/** The distinct group/kinds of objects, sorted. */
function kindsOf(objects: ApiObject[]): GroupKind[] {
  const keys = [...new Set(objects.map(o => `${groupOf(o.apiVersion)}/${o.kind}`))].sort(byText);
  return keys.map(k => ({ group: k.slice(0, k.lastIndexOf('/')), kind: k.slice(k.lastIndexOf('/') + 1) }));
}

/**
 * The replicas of each Deployment or StatefulSet a HorizontalPodAutoscaler of the chart
 * scales: the autoscaler owns them, and Argo CD neither reports nor reverts them.
 */
function ignoredReplicas(objects: ApiObject[]): ApplicationSpecIgnoreDifferences[] {
  return objects.filter(o => o.kind === 'HorizontalPodAutoscaler').map(o => {
    const ref = o.toJson().spec.scaleTargetRef as { apiVersion: string; kind: string; name: string };
    return { group: groupOf(ref.apiVersion), kind: ref.kind, namespace: o.metadata.namespace, name: ref.name, jsonPointers: ['/spec/replicas'] };
  }).sort((a, b) => byText(`${a.namespace}/${a.kind}/${a.name}`, `${b.namespace}/${b.kind}/${b.name}`));
}

/** The namespace an application's namespaced objects share, if they share one (and there are any). */
function targetNamespace(p: AppPlan): string | undefined {
  const namespaces = new Set(p.objects.map(o => o.metadata.namespace).filter((n): n is string => n !== undefined));
  return namespaces.size === 1 ? [...namespaces][0] : undefined;
}

/** One application: a chart, its project, its objects. */
interface AppPlan { readonly name: string; readonly file: string; readonly project: string; readonly objects: ApiObject[] }

/**
 * The AppProjects and Applications that deliver one environment's app. Each chart is one
 * application reading only its file; a bounded context's application is in its team's
 * project, the platform-level charts' in the platform's.
 * @internal
 */
export function _renderArgoCd(s: _ArgoCdSettings, app: App): any[] {
  const files = chartFiles(app, s);
  const platformProject = `${s.platformName}-platform`;
  const plans: AppPlan[] = app.charts.map(chart => {
    const label = Names.toDnsLabel(chart);
    return {
      name: label === s.platformName ? label : `${s.platformName}-${label}`,
      file: files.get(chart)!,
      project: BoundedContext.isBoundedContext(chart) ? chart.team : platformProject,
      objects: _chartObjects(chart),
    };
  });
  const projects = [...new Set(plans.map(p => p.project))].sort(byText);
  if (projects.includes(platformProject) && app.charts.some(c => BoundedContext.isBoundedContext(c) && c.team === platformProject)) {
    throw new ConfigurationError({ path: s.path, prop: 'team', value: platformProject,
      expected: `must not be '${platformProject}': that AppProject holds the platform-level applications`, fix: 'name the team otherwise', code: ErrorCode.RESERVED_NAME });
  }
  const seen = new Map<string, string>();
  for (const p of plans) {
    if (seen.has(p.name)) {
      throw new ConfigurationError({ path: s.path, prop: 'charts', value: p.name,
        expected: `must give each chart its own application name (${seen.get(p.name)} and ${p.file} both make '${p.name}')`, fix: 'rename one of the charts', code: ErrorCode.DUPLICATE });
    }
    seen.set(p.name, p.file);
  }

  const scratch = new Chart(new App(), 'argocd');
  const meta = (name: string) => ({ name, namespace: s.namespace, labels: { 'app.kubernetes.io/part-of': s.platformName, 'app.kubernetes.io/managed-by': 'cdk8s' } });
  const out: any[] = [];
  for (const project of projects) {
    const mine = plans.filter(p => p.project === project);
    const objects = mine.flatMap(p => p.objects);
    const namespaces = [...new Set(objects.map(o => o.metadata.namespace).filter((n): n is string => n !== undefined))].sort(byText);
    const cluster = objects.filter(o => o.metadata.namespace === undefined);
    const team = project !== platformProject;
    out.push(new AppProject(scratch as Construct, `project-${project}`, {
      metadata: meta(project),
      spec: {
        description: team ? `Team ${project}: the namespaces of its bounded contexts (${namespaces.join(', ')})` : `Platform ${s.platformName}: the platform-level charts`,
        sourceRepos: [s.repoURL],
        // an application whose objects span namespaces names none: Argo CD then matches its destination against namespace '' exactly
        destinations: [...(mine.some(p => targetNamespace(p) === undefined) ? [''] : []), ...namespaces].map(namespace => ({ server: s.server, namespace })),
        // a team's cluster-scoped objects are its own Namespaces, each allowed by name
        clusterResourceWhitelist: team
          ? cluster.map(o => ({ group: groupOf(o.apiVersion), kind: o.kind, name: o.name })).sort((a, b) => byText(a.name, b.name))
          : kindsOf(cluster),
        namespaceResourceWhitelist: kindsOf(objects.filter(o => o.metadata.namespace !== undefined)),
      },
    }).toJson());
  }
  for (const p of plans) {
    const namespace = targetNamespace(p);
    const ignore = ignoredReplicas(p.objects);
    out.push(new Application(scratch as Construct, `app-${p.name}`, {
      metadata: meta(p.name),
      spec: {
        project: p.project,
        source: { repoUrl: s.repoURL, targetRevision: s.targetRevision, path: s.directory, directory: { include: p.file, recurse: false } },
        // the default namespace of the chart's namespaced objects when they share one (they all name theirs)
        destination: { server: s.server, ...(namespace === undefined ? {} : { namespace }) },
        syncPolicy: {
          automated: { enabled: true, prune: s.prune, selfHeal: s.selfHeal },
          syncOptions: [..._SYNC_OPTIONS],
          retry: { limit: s.retryLimit, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
        },
        ...(ignore.length > 0 ? { ignoreDifferences: ignore } : {}),
      },
    }).toJson());
  }
  return out;
}

import { ApiObject, App } from 'cdk8s';
import { Construct } from 'constructs';
import { _addValidation } from '../internal/chart';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';
import { _assertDns1123Label, _checkType, _invalid, _requireProp } from '../internal/errors';
import { _YamlEmitter } from '../internal/yaml';
import { BoundedContext } from '../platform/bounded-context';
import { Platform } from '../platform/platform';
import type { BuiltEnvironment } from '../platform/synthesize';
import { _ArgoCdSettings, _chartObjects, _renderArgoCd } from './argocd-render';
import { SYNC_WAVE_ANNOTATION, argoCdSyncWaveOf } from './argocd-sync-wave';

/**
 * Props of `ArgoCdDelivery`.
 */
export interface ArgoCdDeliveryProps {
  /**
   * The git repository Argo CD reads the committed manifests from: `https://...`,
   * `ssh://...` or `git@host:path`. The one that holds this platform's `dist/`.
   */
  readonly repoURL: string;

  /**
   * The revision (branch, tag or commit) of `repoURL` Argo CD delivers.
   *
   * @default 'HEAD' (the repository's default branch)
   */
  readonly targetRevision?: string;

  /**
   * The environment's directory in the repository: where `synthesizeEnvironments`
   * writes this environment's manifests (what `kubectl apply -f dist/<env>/` reads).
   * Its last element must be the environment's name.
   *
   * @default - 'dist/<environment>' (or 'dist' for a platform without an environment)
   */
  readonly path?: string;

  /**
   * The namespace Argo CD runs in, where its Applications and AppProjects live.
   *
   * @default 'argocd'
   */
  readonly namespace?: string;

  /**
   * The API server Argo CD applies to, as registered in Argo CD.
   *
   * @default 'https://kubernetes.default.svc' (the cluster Argo CD runs in)
   */
  readonly server?: string;

  /**
   * Whether an automated sync deletes the objects that are no longer rendered.
   *
   * @default true
   */
  readonly prune?: boolean;

  /**
   * Whether Argo CD reverts a change made in the cluster by hand to what git says.
   *
   * @default true
   */
  readonly selfHeal?: boolean;

  /**
   * How often a failed sync is tried again (with a backoff from 10 s to 3 min), which
   * also orders applications among themselves: the gateway's routes in the contexts'
   * namespaces succeed once the contexts have created them.
   *
   * @default 5
   */
  readonly retryLimit?: number;
}

/**
 * GitOps delivery of a platform with Argo CD. Declared once on the `Platform`, it
 * renders per environment one `Application` per chart (each bounded context and the
 * platform-level charts: the platform's own and the gateway's), each reading exactly
 * its chart's file of the committed `dist/<env>/`, and one `AppProject` per team that
 * allows exactly its namespaces and the kinds its charts render (the platform-level
 * charts in a project of the platform team). It also annotates every rendered object
 * with its sync wave (`argoCdSyncWaveOf`), unless it names one itself (a Job's `argoCdSyncWave`).
 *
 * The Argo CD objects are written beside the environments (`ArgoCdDelivery.files`, for
 * `synthesizeEnvironments`' `extraFiles`): `dist/argocd/<env>.yaml`, outside what
 * `kubectl apply -f dist/<env>/` reads. Deliver an environment either with Argo CD or
 * with `kubectl apply --prune --applyset`, not both (see the README, GitOps).
 *
 * @example
 * new ArgoCdDelivery(platform, 'argocd', { repoURL: 'https://github.com/acme-sales/platform.git' });
 */
export class ArgoCdDelivery extends Construct {
  /**
   * The Argo CD files of the built environments, by path relative to the output
   * directory (`argocd/<env>.yaml`): for `SynthesizeEnvironmentsOptions.extraFiles`.
   * Environments whose platform declares no `ArgoCdDelivery` get none.
   */
  public static files(built: readonly BuiltEnvironment[]): Record<string, string> {
    const files: Record<string, string> = {};
    const emitter = new _YamlEmitter();
    for (const b of built) {
      const delivery = ArgoCdDelivery.of(b.app);
      if (delivery !== undefined) files[`argocd/${b.directory}.yaml`] = emitter.stringify(delivery._render(b.app));
    }
    return files;
  }

  /** The `ArgoCdDelivery` of the platform in `app`, if it declares one. */
  public static of(app: App): ArgoCdDelivery | undefined {
    return app.node.findAll().find((c): c is ArgoCdDelivery => c instanceof ArgoCdDelivery);
  }

  /** The repository Argo CD reads. */
  public readonly repoURL: string;
  /** The revision it reads. */
  public readonly targetRevision: string;
  /** The environment's directory in the repository. */
  public readonly path: string;
  /** Argo CD's namespace. */
  public readonly namespace: string;
  /** The destination API server. */
  public readonly server: string;
  /** Whether automated syncs prune. */
  public readonly prune: boolean;
  /** Whether automated syncs self-heal. */
  public readonly selfHeal: boolean;
  /** Retries of a failed sync. */
  public readonly retryLimit: number;
  /** The platform delivered. */
  public readonly platform: Platform;

  constructor(scope: Construct, id: string, props: ArgoCdDeliveryProps) {
    super(scope, id);
    if (!Platform.isPlatform(scope)) {
      throw _invalid(this, 'scope', scope.node.path || '(app)', 'must be the Platform: one Argo CD delivery per platform',
        'declare it as new ArgoCdDelivery(platform, \'argocd\', { repoURL })', ErrorCode.WRONG_SCOPE);
    }
    this.platform = scope;
    const other = scope.node.children.find(c => c instanceof ArgoCdDelivery && c !== this);
    if (other !== undefined) {
      throw _invalid(this, 'scope', scope.platformName, `must declare one Argo CD delivery per platform ('${other.node.path}' already does): two would render every application twice`,
        'remove one of them', ErrorCode.DUPLICATE);
    }
    const p = _requireProp(this, 'props', props, 'pass { repoURL: \'https://github.com/acme-sales/platform.git\' }');
    this.repoURL = _requireProp(this, 'repoURL', p.repoURL, 'name the git repository that holds dist/, e.g. \'https://github.com/acme-sales/platform.git\'');
    _checkType(this, 'repoURL', this.repoURL, 'string', 'name the git repository as a string');
    if (!GIT_URL.test(this.repoURL)) {
      throw _invalid(this, 'repoURL', this.repoURL, 'must be a git repository URL (https://host/path, ssh://user@host/path or user@host:path), without spaces or credentials',
        'use the clone URL of the repository, e.g. \'https://github.com/acme-sales/platform.git\'');
    }
    this.targetRevision = p.targetRevision ?? 'HEAD';
    _checkType(this, 'targetRevision', this.targetRevision, 'string', 'name a branch, tag or commit');
    if (!REVISION.test(this.targetRevision)) {
      throw _invalid(this, 'targetRevision', this.targetRevision, 'must be a branch, tag or commit (no spaces, no \'..\')', 'e.g. \'main\', \'v1.4.0\' or \'HEAD\'');
    }
    const env = scope.environment?.name;
    this.path = p.path ?? (env === undefined ? 'dist' : `dist/${env}`);
    _checkType(this, 'path', this.path, 'string', 'name the environment\'s directory, e.g. \'dist/prod\'');
    const parts = this.path.split('/');
    if (this.path.startsWith('/') || parts.some(s => s === '' || s === '.' || s === '..') || (env !== undefined && parts[parts.length - 1] !== env)) {
      throw _invalid(this, 'path', this.path, `must be the environment's directory relative to the repository root${env === undefined ? '' : `, ending in '${env}'`}: each application reads its chart's file there`,
        `leave it out (dist/${env ?? ''}) or name where synthesizeEnvironments writes it`.replace('dist/)', 'dist)'));
    }
    this.namespace = p.namespace ?? 'argocd';
    _checkType(this, 'namespace', this.namespace, 'string', 'name Argo CD\'s namespace');
    _assertDns1123Label(this, 'namespace', this.namespace);
    this.server = p.server ?? 'https://kubernetes.default.svc';
    _checkType(this, 'server', this.server, 'string', 'name the API server as Argo CD registered it');
    if (!/^https:\/\/[^\s/]+(\/[^\s]*)?$/.test(this.server)) {
      throw _invalid(this, 'server', this.server, 'must be an https:// URL of an API server registered in Argo CD', 'leave it out for the cluster Argo CD runs in');
    }
    this.prune = p.prune ?? true;
    _checkType(this, 'prune', this.prune, 'boolean', 'pass true or false');
    this.selfHeal = p.selfHeal ?? true;
    _checkType(this, 'selfHeal', this.selfHeal, 'boolean', 'pass true or false');
    this.retryLimit = p.retryLimit ?? 5;
    _checkType(this, 'retryLimit', this.retryLimit, 'number', 'pass a number of retries');
    if (!Number.isInteger(this.retryLimit) || this.retryLimit < 0 || this.retryLimit > 100) {
      throw _invalid(this, 'retryLimit', this.retryLimit, 'must be an integer from 0 to 100', 'e.g. 5', ErrorCode.OUT_OF_RANGE);
    }
    // before any chart renders (the app is validated first): the waves on every object, and the projects' scope
    _addValidation(this, () => {
      this._annotateWaves();
      return this._checkScopes();
    });
  }

  /** Every API object of the app, annotated with its sync wave, unless it names its own (a Job's `argoCdSyncWave`). @internal */
  private _annotateWaves(): void {
    for (const o of this.node.root.node.findAll()) {
      if (o instanceof ApiObject && o.metadata.toJson().annotations?.[SYNC_WAVE_ANNOTATION] === undefined) {
        o.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(argoCdSyncWaveOf(o.apiVersion, o.kind)));
      }
    }
  }

  /**
   * A bounded context's application is in its team's project, which allows its own
   * namespace and nothing cluster-wide but that Namespace: an object of its chart
   * elsewhere would widen the team's project. @internal
   */
  private _checkScopes(): ConfigurationError[] {
    const errors: ConfigurationError[] = [];
    for (const chart of (this.node.root as App).charts) {
      if (!BoundedContext.isBoundedContext(chart)) continue;
      for (const o of _chartObjects(chart)) {
        // Argo CD runs PreSync hooks before the Sync phase, which creates the context's Namespace: on the first sync the hook has no namespace to run in
        if ((o.metadata.toJson().annotations?.[HOOK_ANNOTATION] ?? '').split(',').map((h: string) => h.trim()).includes('PreSync')) {
          errors.push(_invalid(this, 'platform', `${o.kind} ${o.metadata.namespace}/${o.name} (${o.node.path})`,
            `must not be a PreSync hook: Argo CD runs PreSync hooks before the Sync phase that creates namespace '${chart.namespaceName}' (its Namespace is in the same application), so the first sync of an environment fails and every retry with it`,
            'make it a Sync hook ordered after its secrets and before the workloads: argoCdHook: ArgoCdHook.SYNC, argoCdSyncWave: ArgoCdSyncWave.STORES', ErrorCode.CONFLICT));
        }
        const ns = o.metadata.namespace;
        const own = ns === chart.namespaceName || (ns === undefined && o.kind === 'Namespace' && o.apiVersion === 'v1' && o.name === chart.namespaceName);
        if (!own) {
          errors.push(_invalid(this, 'platform', `${o.kind} ${ns === undefined ? '' : `${ns}/`}${o.name} (${o.node.path})`,
            `must render a bounded context's objects in its own namespace ('${chart.namespaceName}'): team '${chart.team}'s AppProject allows that namespace only, and no cluster-scoped kind but its Namespace`,
            'render the object in a platform-level chart (the Platform or the gateway), whose project the platform team owns', ErrorCode.WRONG_SCOPE));
        }
      }
    }
    return errors;
  }

  /** The Argo CD objects of this environment, from its synthesized app. @internal */
  public _render(app: App): any[] {
    return _renderArgoCd(this._settings(), app);
  }

  /** @internal */
  private _settings(): _ArgoCdSettings {
    return {
      path: this.node.path, platformName: this.platform.platformName, repoURL: this.repoURL, targetRevision: this.targetRevision,
      directory: this.path, namespace: this.namespace, server: this.server, prune: this.prune, selfHeal: this.selfHeal, retryLimit: this.retryLimit,
    };
  }
}

/** The annotation that makes an object an Argo CD hook. */
const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';

/** https://, http://, ssh://, git:// URLs without credentials, or scp-like user@host:path. */
const GIT_URL = /^(?:(?:https?|ssh|git):\/\/(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9.-]+(?::\d+)?\/[^\s@:]+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s@:/][^\s@:]*)$/;
/** A git ref name: no spaces, no '..', no leading '-' or '/'. */
const REVISION = /^(?!.*\.\.)(?![-/])[A-Za-z0-9._/-]+$/;

import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, Chart, Helm, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { _addValidation } from '../internal/chart';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';
import { _assertDns1123Label, _invalid } from '../internal/errors';
import { BoundedContext } from '../platform/bounded-context';
import { _Footprint, IContextMember } from '../platform/members';
import { POLICY_RULES, PolicyPack, formatViolation, policySuppressionAnnotation } from '../policy/policy-pack';
import { PolicyManifest } from '../policy/policy-rule';
import { _chartFootprints, _checkScope, _objectName } from './third-party-chart-checks';

/** A rule of the policy pack a third-party chart is let off, and why. */
export interface PolicyAcknowledgement {
  /** The rule, by id (`CMS-011`) or slug (`priority-class`). */
  readonly rule: string;
  /** Why the chart may break it: written beside each of its objects as the rule's suppression annotation. */
  readonly reason: string;
}

/** Options of a `ThirdPartyChart`. */
export interface ThirdPartyChartProps {
  /** The chart: a local chart directory (no repository is fetched at synth time). */
  readonly chart: string;
  /**
   * The Helm release name, which most charts put in their objects' names.
   *
   * @default - the construct id
   */
  readonly releaseName?: string;
  /**
   * Values for the chart (as `helm template --values`).
   *
   * @default - the chart's own values.yaml
   */
  readonly values?: { readonly [key: string]: unknown };
  /**
   * The helm binary that renders the chart (`helm template`).
   *
   * @default 'helm' (found on PATH)
   */
  readonly helmExecutable?: string;
  /**
   * Rules of the policy pack the chart may break, each with its reason; any other
   * violation refuses the synth. An acknowledgement no object of the chart needs is refused too.
   *
   * @default - none: the chart is held to every rule
   */
  readonly acknowledge?: readonly PolicyAcknowledgement[];
}

/**
 * A chart made by someone else (an off-the-shelf Helm chart) installed in a bounded
 * context and held to the rules of the context's own workloads.
 *
 * The chart is rendered with cdk8s' `Helm` construct (`helm template`, at synth time)
 * into the context's namespace. Then:
 * - an object without a namespace is given the context's; a cluster-scoped object, or one
 *   in another namespace, is refused, naming the object;
 * - every object is checked by the policy pack (lib/policy), beside the context's own
 *   objects (its default-deny NetworkPolicy counts); a violation refuses the synth with
 *   the rule and the object, unless `acknowledge` names the rule with a reason;
 * - its pods count against the context's ResourceQuota like the context's workloads:
 *   every container must set CPU and memory requests and limits, and the quota check of
 *   the context sums the chart's pods at their peak (surge, autoscaler maximum) with its own.
 *
 * The context's namespace denies all traffic by default: the NetworkPolicies the chart's
 * pods need (who may call them, what they call) are the user's to declare.
 *
 * @example
 * new ThirdPartyChart(orders, 'echo', { chart: './charts/echo', values: { replicas: 2 } });
 */
export class ThirdPartyChart extends Construct {
  /** The bounded context the chart is installed in. */
  public readonly context: BoundedContext;
  /** The release name. */
  public readonly releaseName: string;
  /** The helm binary used. */
  public readonly helmExecutable: string;
  /** The rules the chart is let off. */
  public readonly acknowledged: readonly PolicyAcknowledgement[];
  private readonly helm: Helm;

  public constructor(scope: BoundedContext, id: string, props: ThirdPartyChartProps) {
    super(scope, id);
    if (!(scope instanceof BoundedContext)) {
      throw _invalid(this, 'scope', String(scope), 'must be a BoundedContext: a third-party chart is installed in a context\'s namespace, under its quota',
        'create it with new ThirdPartyChart(context, id, { chart })', ErrorCode.WRONG_SCOPE);
    }
    this.context = scope;
    if (typeof props?.chart !== 'string' || !fs.existsSync(path.join(props.chart, 'Chart.yaml'))) {
      throw _invalid(this, 'chart', props?.chart, 'must be a local chart directory (with a Chart.yaml)',
        'pass the path of the unpacked chart, e.g. helm pull REPO/CHART --version X --untar, and commit it', ErrorCode.UNKNOWN_REFERENCE);
    }
    this.releaseName = props.releaseName ?? id;
    _assertDns1123Label(this, 'releaseName', this.releaseName);
    this.helmExecutable = props.helmExecutable ?? 'helm';
    this.acknowledged = [...(props.acknowledge ?? [])];
    this.checkAcknowledgements();
    const namespace = scope.namespaceName;
    this.helm = new Helm(this, 'Resource', {
      chart: path.resolve(props.chart), releaseName: this.releaseName, namespace, values: props.values as { [key: string]: any },
      helmExecutable: this.helmExecutable,
    });
    const objects = this.helm.apiObjects;
    const manifests = objects.map(o => o.toJson() as PolicyManifest);
    const scopeErrors = _checkScope(this.node.path, namespace, manifests);
    if (scopeErrors.length > 0) throw scopeErrors[0];
    for (const o of objects) {
      if (o.metadata.namespace === undefined) o.addJsonPatch(JsonPatch.add('/metadata/namespace', namespace));
      for (const a of this.acknowledged) o.metadata.addAnnotation(policySuppressionAnnotation(this.ruleOf(a.rule)), a.reason);
    }
    const { workloads, errors } = _chartFootprints(this.node.path, objects.map(o => o.toJson() as PolicyManifest), scope._defaults);
    if (errors.length > 0) throw errors[0];
    for (const w of workloads) {
      scope._registerWorkload(new _ChartWorkload(this, w.name, `${this.releaseName}: ${w.name}`, w.footprint), 'chart workload');
    }
    _addValidation(this, () => this.checkPolicy());
  }

  /** The objects the chart rendered (in the context's namespace). */
  public get apiObjects(): ApiObject[] {
    return [...this.helm.apiObjects];
  }

  private ruleOf(rule: string) {
    return POLICY_RULES.find(r => r.id === rule || r.slug === rule)!;
  }

  private checkAcknowledgements(): void {
    for (const [i, a] of this.acknowledged.entries()) {
      if (POLICY_RULES.find(r => r.id === a?.rule || r.slug === a?.rule) === undefined) {
        throw _invalid(this, `acknowledge[${i}].rule`, a?.rule, 'must name a rule of the policy pack by id or slug',
          `use one of ${POLICY_RULES.map(r => r.slug).join(', ')}`, ErrorCode.UNKNOWN_REFERENCE);
      }
      if (typeof a.reason !== 'string' || a.reason.trim() === '') {
        throw _invalid(this, `acknowledge[${i}].reason`, a.reason, 'must say why the chart may break the rule', 'write the reason a reviewer needs', ErrorCode.MISSING_REQUIRED);
      }
    }
  }

  /** The policy pack over the chart's objects, beside the context's own (its NetworkPolicies, budgets, accounts). */
  private checkPolicy(): ConfigurationError[] {
    const mine = this.helm.apiObjects.map(o => o.toJson() as PolicyManifest);
    const own = new Set(this.helm.apiObjects);
    const others = Chart.of(this).node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && !own.has(c)).map(o => o.toJson() as PolicyManifest);
    const report = new PolicyPack().check([...mine, ...others]);
    const names = new Set(mine.map(_objectName));
    const errors = report.violations.filter(v => names.has(`${v.kind} ${v.namespace === '' ? '' : `${v.namespace}/`}${v.name}`)).map(v =>
      new ConfigurationError({ path: this.node.path, prop: 'chart', value: `${v.kind} ${v.namespace}/${v.name}`,
        expected: `breaks policy rule ${v.ruleId} ${v.rule}: ${formatViolation(v)}`,
        fix: `set the chart's values so it complies, or acknowledge the rule with its reason: acknowledge: [{ rule: '${v.ruleId}', reason: '...' }]`,
        code: ErrorCode.UNSAFE }));
    for (const a of this.acknowledged) {
      const rule = this.ruleOf(a.rule);
      if (!report.suppressed.some(s => s.ruleId === rule.id && names.has(`${s.kind} ${s.namespace === '' ? '' : `${s.namespace}/`}${s.name}`))) {
        errors.push(_invalid(this, 'acknowledge', a.rule, `acknowledges ${rule.id} ${rule.slug}, which no object of the chart breaks`,
          'remove the acknowledgement', ErrorCode.CONFLICT));
      }
    }
    return errors;
  }
}

/** One workload of a third-party chart, as its context's quota check counts it. @internal */
class _ChartWorkload extends Construct implements IContextMember {
  public readonly _kindNoun = 'chart workload';
  public constructor(scope: Construct, id: string, public readonly name: string, private readonly footprint: _Footprint) {
    super(scope, id.replace(/\//g, '-'));
  }

  public _footprint(): _Footprint {
    return this.footprint;
  }
}

import { Construct } from 'constructs';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';
import { _invalid, _oneOf } from '../internal/errors';
import { BoundedContext } from '../platform/bounded-context';
import { Workload } from '../workloads/workload';
import { _attachOnce } from './attachment';

/**
 * How a service writes its log records to stdout, one record per line: what a log
 * collector must parse them as.
 */
export class LogFormat {
  /**
   * One JSON object per line ('json'): parsed by the OpenTelemetry Collector's
   * `filelog` receiver with a `json_parser` operator, Fluent Bit's `json` parser,
   * Vector's `parse_json`, Grafana Alloy's `stage.json`.
   */
  public static readonly JSON = new LogFormat('json');
  /**
   * `key=value` pairs per line ('logfmt'): the OpenTelemetry Collector's
   * `key_value_parser`, Fluent Bit's `logfmt` parser, Vector's `parse_logfmt`, Alloy's
   * `stage.logfmt`.
   */
  public static readonly LOGFMT = new LogFormat('logfmt');
  /** Free text for people ('text'): a collector keeps each line whole. */
  public static readonly TEXT = new LogFormat('text');

  private constructor(
    /** The value of the format variable. */
    public readonly value: string,
  ) {}
}

/** The least severe records a service writes (the value of the level variable). */
export class LogLevel {
  /** Everything, down to debugging detail ('debug'). */
  public static readonly DEBUG = new LogLevel('debug');
  /** Normal operation and above ('info'). */
  public static readonly INFO = new LogLevel('info');
  /** Warnings and errors ('warn'). */
  public static readonly WARN = new LogLevel('warn');
  /** Errors alone ('error'). */
  public static readonly ERROR = new LogLevel('error');

  private constructor(
    /** The value of the level variable. */
    public readonly value: string,
  ) {}
}

/**
 * Properties of a workload's logging.
 */
export interface WorkloadLoggingProps {
  /**
   * The format of the log records.
   *
   * @default LogFormat.JSON
   */
  readonly format?: LogFormat;

  /**
   * The least severe records written.
   *
   * @default LogLevel.INFO
   */
  readonly level?: LogLevel;

  /**
   * The environment variable the service reads its log format from (runtimes and
   * logging libraries name it differently).
   *
   * @default 'LOG_FORMAT'
   */
  readonly formatVariable?: string;

  /**
   * The environment variable the service reads its log level from.
   *
   * @default 'LOG_LEVEL'
   */
  readonly levelVariable?: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A workload's logging, as 12-factor configuration: the log format and level in two
 * environment variables of the workload's ConfigMap (`LOG_FORMAT` and `LOG_LEVEL`
 * unless told), which the service's logging library reads at start. A change of level
 * renames the ConfigMap, so the pods roll with the new level.
 *
 * Nothing else is rendered: the records go to stdout, one per line, where the
 * cluster's log collector reads them from the container log files, and there is no
 * pod annotation every collector reads a format from. Configure the collector to
 * parse the format chosen (`WorkloadLogging.of(workload).format`), per namespace or
 * pod label: the README names each format's parser in the common collectors.
 *
 * @example
 * new WorkloadLogging(checkout, 'logging', { format: LogFormat.JSON, level: LogLevel.INFO });
 */
export class WorkloadLogging extends Construct {
  /** The logging declared on `workload`, if any. */
  public static of(workload: Workload): WorkloadLogging | undefined {
    return workload.node.children.find((c): c is WorkloadLogging => c instanceof WorkloadLogging);
  }

  /**
   * Declares the logging of every workload of `context` without one yet, with
   * `props`, and returns what it declares: call it once the context's workloads are
   * declared, after the `WorkloadLogging` of any service that logs otherwise.
   *
   * @example
   * new WorkloadLogging(search, 'logging', { level: LogLevel.DEBUG });
   * WorkloadLogging.forEveryWorkload(catalog);
   */
  public static forEveryWorkload(context: BoundedContext, props: WorkloadLoggingProps = {}): WorkloadLogging[] {
    if (!(context instanceof BoundedContext)) {
      throw new ConfigurationError({ path: '', prop: 'context', value: String(context), expected: 'must be a BoundedContext',
        fix: 'pass the bounded context whose workloads to configure', code: ErrorCode.WRONG_TYPE });
    }
    return Workload.all(context).filter(w => !WorkloadLogging.of(w)).map(w => new WorkloadLogging(w, 'logging', props));
  }

  /** The workload configured. */
  public readonly workload: Workload;
  /** The format of the log records. */
  public readonly format: LogFormat;
  /** The least severe records written. */
  public readonly level: LogLevel;
  /** The variable that holds the format. */
  public readonly formatVariable: string;
  /** The variable that holds the level. */
  public readonly levelVariable: string;

  constructor(scope: Workload, id: string, props: WorkloadLoggingProps = {}) {
    super(scope, id);
    _attachOnce(this, scope, id, {
      accepts: s => s instanceof Workload, scopeKind: 'a workload (a Microservice, Worker, StatefulService, Job or CronJob)',
      example: 'new WorkloadLogging(workload, \'logging\')', only: 'the workload\'s only logging', per: 'workload',
    });
    this.workload = scope;
    this.format = props?.format === undefined ? LogFormat.JSON : _oneOf(this, 'format', props.format, LogFormat);
    this.level = props?.level === undefined ? LogLevel.INFO : _oneOf(this, 'level', props.level, LogLevel);
    this.formatVariable = this.variable('formatVariable', props?.formatVariable ?? 'LOG_FORMAT');
    this.levelVariable = this.variable('levelVariable', props?.levelVariable ?? 'LOG_LEVEL');
    if (this.formatVariable === this.levelVariable) {
      throw _invalid(this, 'levelVariable', this.levelVariable, 'must differ from formatVariable: one variable cannot hold both',
        'name the two variables apart, such as \'LOG_FORMAT\' and \'LOG_LEVEL\'', ErrorCode.CONFLICT);
    }
    this.set('formatVariable', this.formatVariable, this.format.value);
    this.set('levelVariable', this.levelVariable, this.level.value);
  }

  /** `name` when it is an environment variable name. */
  private variable(prop: string, name: string): string {
    if (typeof name !== 'string' || !ENV_NAME.test(name)) {
      throw _invalid(this, prop, name, 'must be an environment variable name: letters, digits and \'_\', not starting with a digit',
        'name the variable your logging library reads, such as \'LOG_LEVEL\'', ErrorCode.INVALID_NAME);
    }
    return name;
  }

  /** Sets `name` to `value` in the workload's configuration; refuses a variable the workload sets already. */
  private set(prop: string, name: string, value: string): void {
    try {
      this.workload.configuration.addEnv(name, value);
    } catch (e) {
      if (e instanceof ConfigurationError && e.code === ErrorCode.DUPLICATE) {
        throw _invalid(this, prop, name, `must be a variable ${this.workload.node.path} does not set already (or a configuration file's name)`,
          `set ${prop} to the variable your logging library reads, or remove the workload's own ${name}`, ErrorCode.DUPLICATE);
      }
      throw e;
    }
  }
}

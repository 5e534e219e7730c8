import { App, AppProps } from 'cdk8s';
import { _acknowledgements } from '../change/acknowledge';
import { PreviousOutput } from '../change/previous-output';
import { _checkSafeChange } from '../change/safe-change';
import { _instanceOf } from '../internal/errors';
import { _writeApp, _writesLikeCdk8s } from '../internal/synth';

/**
 * Props of a `MicroservicesApp`: those of a cdk8s `App`, which it honours as cdk8s does
 * (`outdir`, `outputFileExtension`, `yamlOutputType`, `resolvers`,
 * `recordConstructMetadata`), and the previous output the safe-change check compares with.
 */
export interface MicroservicesAppProps extends AppProps {
  /**
   * The last synthesized output, which `synth()` compares the new output with before
   * it writes anything: a change the API server would refuse as immutable, or one that
   * loses data, is refused unless acknowledged in code (`Acknowledge.change`); the
   * earlier revisions of each workload's hashed ConfigMap are carried over from it
   * (see `CONFIG_REVISIONS_KEPT`). `PreviousOutput.NONE` compares nothing.
   *
   * @default - `PreviousOutput.defaultFor(outdir)`: the output directory as committed
   * in git at HEAD when it lies inside the repository of the current directory, else
   * none (a first synth, said in one progress line)
   */
  readonly previous?: PreviousOutput;
}

/**
 * A cdk8s `App` whose `synth()` writes the same files as cdk8s' `App.synth()`, with the
 * same names, in the same order, byte for byte, in about half the time on a large
 * platform (see the README, Scale): the app is validated once, before any file is
 * written, and every manifest is printed by the library's YAML emitter instead of
 * cdk8s' serializer. Nothing of cdk8s is patched: the files are written from cdk8s'
 * public API (`charts`, each chart's `toJson()`, `outdir`, `outputFileExtension`,
 * `yamlOutputType`).
 *
 * After validation and before any file is written, `synth()` runs the safe-change
 * check against `previous` (see the README, Safe change), and carries the earlier
 * ConfigMap revisions a rollback can use over from it.
 *
 * Where the emitter's layout does not match the installed cdk8s, or for an output
 * type the library does not know, `synth()` is cdk8s' own (without the safe-change
 * check).
 *
 * @example
 * const app = new MicroservicesApp();
 * const platform = new Platform(app, 'shop');
 * // ... bounded contexts and services
 * app.synth();
 */
export class MicroservicesApp extends App {
  /**
   * Whether `synth()` also writes `construct-metadata.json` (what `cdk8s synth` asks
   * for through `$CDK8S_RECORD_CONSTRUCT_METADATA`, for its validation plugins).
   */
  public readonly recordsConstructMetadata: boolean;

  /** The previous output the safe-change check compares with. */
  public readonly previous: PreviousOutput;

  /**
   * @param props the props of a cdk8s `App`, and `previous`
   */
  constructor(props: MicroservicesAppProps = {}) {
    super(props);
    this.recordsConstructMetadata = props.recordConstructMetadata ?? process.env.CDK8S_RECORD_CONSTRUCT_METADATA === 'true';
    this.previous = props.previous === undefined ? PreviousOutput.defaultFor(this.outdir)
      : _instanceOf(this, 'previous', props.previous, PreviousOutput, 'use PreviousOutput.committed, PreviousOutput.fromDirectory or PreviousOutput.NONE');
  }

  /**
   * Synthesizes all manifests to `outdir`, as cdk8s' `App.synth()` does.
   *
   * @throws `Validation failed with the following errors: ...` (cdk8s' message) when a
   * construct's validation fails, or when the safe-change check refuses a change; no
   * manifest is written then
   */
  public override synth(): void {
    if (!_writesLikeCdk8s(this)) {
      super.synth();
      return;
    }
    _writeApp(this, {
      recordConstructMetadata: this.recordsConstructMetadata,
      review: (files, pathOf) => _checkSafeChange({
        files, pathOf, previous: this.previous, acknowledgements: _acknowledgements(this), extension: this.outputFileExtension,
        log: line => process.stderr.write(`${line}\n`),
      }),
    });
  }
}

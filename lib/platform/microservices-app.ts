import { App, AppProps } from 'cdk8s';
import { _writeApp, _writesLikeCdk8s } from '../internal/synth';

/**
 * Props of a `MicroservicesApp`: those of a cdk8s `App`, which it honours as cdk8s does
 * (`outdir`, `outputFileExtension`, `yamlOutputType`, `resolvers`,
 * `recordConstructMetadata`).
 */
export interface MicroservicesAppProps extends AppProps {}

/**
 * A cdk8s `App` whose `synth()` writes the same files as cdk8s' `App.synth()`, with the
 * same names, in the same order, byte for byte, in about half the time on a large
 * platform (see the README, Scale): the app is validated once, before any file is
 * written, and every manifest is printed by the library's YAML emitter instead of
 * cdk8s' serializer. Nothing of cdk8s is patched: the files are written from cdk8s'
 * public API (`charts`, each chart's `toJson()`, `outdir`, `outputFileExtension`,
 * `yamlOutputType`).
 *
 * Where the emitter's layout does not match the installed cdk8s, or for an output
 * type the library does not know, `synth()` is cdk8s' own.
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

  /**
   * @param props the props of a cdk8s `App`
   */
  constructor(props: MicroservicesAppProps = {}) {
    super(props);
    this.recordsConstructMetadata = props.recordConstructMetadata ?? process.env.CDK8S_RECORD_CONSTRUCT_METADATA === 'true';
  }

  /**
   * Synthesizes all manifests to `outdir`, as cdk8s' `App.synth()` does.
   *
   * @throws `Validation failed with the following errors: ...` (cdk8s' message) when a
   * construct's validation fails; no manifest is written then
   */
  public override synth(): void {
    if (!_writesLikeCdk8s(this)) {
      super.synth();
      return;
    }
    _writeApp(this, { recordConstructMetadata: this.recordsConstructMetadata });
  }
}

import { AbTest, AbTestProps } from './ab-test';
import { BlueGreen, BlueGreenProps } from './blue-green';
import { Canary, CanaryProps } from './canary';
import { Shadow, ShadowProps } from './shadow';

/**
 * The releases a `Microservice` runs with its `release` prop, one at a time: each
 * a second track beside the stable one, named `<service>-<track>`.
 *
 * @example
 * new Microservice(catalog, 'products', {
 *   image: Image.fromTag('ghcr.io/acme/products', '1.8.2'),
 *   ports: [Port.http(8080)],
 *   release: Release.canary({ image: Image.fromTag('ghcr.io/acme/products', '1.9.0'), weight: 10 }),
 * });
 */
export class Release {
  /** A canary that the gateway's routes send `weight` percent of the requests. */
  public static canary(props: CanaryProps): Canary {
    return new Canary(props);
  }

  /** A blue-green pair: all traffic on the `active` colour. */
  public static blueGreen(props: BlueGreenProps): BlueGreen {
    return new BlueGreen(props);
  }

  /** An A/B test: the requests that match go to the variant. */
  public static abTest(props: AbTestProps): AbTest {
    return new AbTest(props);
  }

  /** A shadow that receives a copy of `percent` of the routed requests. */
  public static shadow(props: ShadowProps): Shadow {
    return new Shadow(props);
  }

  private constructor() {}
}

/**
 * What a gateway policy attaches to: the Gateway, or a route whose requests must not
 * be buffered. Its own file, so that the routes and the implementations that render
 * policies for them both import it and neither imports the other for it.
 * @internal
 */
export interface _PolicyTarget {
  readonly name: string;
  readonly namespace: string;
  readonly labels: { [key: string]: string };
  /** The labels of the gateway's data-plane pods (a Gateway target; the implementation sets them). */
  readonly proxyLabels?: { [key: string]: string };
}

import { BoundedContext, Image, MicroserviceProps, Port, Probe } from '../../lib';
import { find, Manifest, objects } from '../_helpers';

export const DIGEST = 'sha256:0f3c5a1b2c3d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789ab';

/** Valid props for an HTTP service; a test overrides only what it is about. */
export function props(overrides: Partial<MicroserviceProps> = {}): MicroserviceProps {
  return {
    image: Image.fromTag('ghcr.io/acme/products', '1.8.2'),
    ports: [Port.http(8080)],
    readiness: Probe.http('/ready'),
    liveness: Probe.http('/live'),
    ...overrides,
  };
}

/** The Deployment `name` that `context` renders. */
export function deployment(context: BoundedContext, name: string): Manifest {
  return find(objects(context), 'Deployment', name);
}

/** The one container of the Deployment `name`; fails the test when there are more. */
export function container(context: BoundedContext, name: string): Manifest {
  const containers = deployment(context, name).spec.template.spec.containers;
  expect(containers).toHaveLength(1);
  return containers[0];
}

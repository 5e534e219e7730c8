import { Duration } from 'cdk8s';
import { _fmt } from '../../lib/internal/errors';
import { microservice, objects, setup } from '../_helpers';

describe('pod annotations Pod Security refuses', () => {
  test.each([
    ['container.apparmor.security.beta.kubernetes.io/products', 'unconfined'],
    ['container.apparmor.security.beta.kubernetes.io/products', 'docker-default'],
  ])('fails when %s is %s', (key, value) => {
    const { context } = setup();
    expect(() => microservice(context, 'products', { podAnnotations: { [key]: value } }))
      .toThrow(new RegExp(`^catalog/products: 'podAnnotations\\.${key.replace(/\./g, '\\.')}' \\('${value}'\\) must be 'runtime/default' or 'localhost/<profile>': Pod Security \\(baseline and restricted\\) refuses any other AppArmor profile, such as unconfined, and the pods are never created; remove the annotation`));
  });

  test.each([
    ['seccomp.security.alpha.kubernetes.io/pod', 'unconfined', /must be 'runtime\/default': Pod Security \(baseline and restricted\) refuses an unconfined or unknown seccomp profile/],
    ['container.seccomp.security.alpha.kubernetes.io/products', 'unconfined', /must be 'runtime\/default'/],
    ['seccomp.security.alpha.kubernetes.io/pod', 'localhost/audit.json', /must agree with the RuntimeDefault seccomp profile the library sets on the pod and its containers, or the API server refuses the pod/],
  ])('fails when %s is %s', (key, value, message) => {
    const { context } = setup();
    expect(() => microservice(context, 'products', { podAnnotations: { [key]: value } })).toThrow(message);
  });

  test('accepts the profiles Pod Security allows', () => {
    const { context } = setup();
    microservice(context, 'products', { podAnnotations: {
      'container.apparmor.security.beta.kubernetes.io/products': 'localhost/k8s-apparmor-products',
      'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default',
    } });
    microservice(context, 'orders', { podAnnotations: { 'container.apparmor.security.beta.kubernetes.io/orders': 'runtime/default' } });
    expect(() => objects(context)).not.toThrow();
  });
});

describe('messages show values as written', () => {
  test('Infinity and NaN are not JSON null', () => {
    expect(_fmt(Infinity)).toEqual('Infinity');
    expect(_fmt(-Infinity)).toEqual('-Infinity');
    expect(_fmt(NaN)).toEqual('NaN');
    expect(_fmt([1, Infinity])).toEqual('[1,Infinity]');
    expect(_fmt(3)).toEqual('3');
    expect(_fmt([1, 2])).toEqual('[1,2]');
  });

  test('fails when a workload gets Infinity replicas, showing Infinity', () => {
    const { context } = setup();
    expect(() => microservice(context, 'products', { replicas: Infinity })).toThrow(/^catalog\/products: 'replicas' \(Infinity\) must be a whole number/);
    expect(() => microservice(context, 'orders', { terminationGracePeriod: Duration.seconds(1), preStopDelay: Duration.seconds(0) })).not.toThrow();
  });
});

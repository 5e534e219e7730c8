import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { Microservice } from '../../lib';
import { setup } from '../_helpers';
import { container, props } from './_microservice';

describe('Microservice', () => {
  describe('resources', () => {
    test('default to the context\'s container defaults', () => {
      const { context } = setup();

      new Microservice(context, 'products', props());

      expect(container(context, 'products').resources).toEqual({
        requests: { 'cpu': '100m', 'memory': '256Mi', 'ephemeral-storage': '128Mi' },
        limits: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '512Mi' },
      });
    });

    test('default to the container defaults the context was given', () => {
      const { context } = setup({
        containerLimits: {
          defaultCpuRequest: Cpu.millis(250),
          defaultCpuLimit: Cpu.units(1),
          defaultMemoryRequest: Size.mebibytes(128),
          defaultMemoryLimit: Size.mebibytes(384),
          defaultEphemeralStorageRequest: Size.mebibytes(64),
          defaultEphemeralStorageLimit: Size.gibibytes(1),
        },
      });

      new Microservice(context, 'products', props());

      expect(container(context, 'products').resources).toEqual({
        requests: { 'cpu': '250m', 'memory': '128Mi', 'ephemeral-storage': '64Mi' },
        limits: { 'cpu': '1', 'memory': '384Mi', 'ephemeral-storage': '1Gi' },
      });
    });

    test('render the requests and limits given', () => {
      const { context } = setup();

      new Microservice(context, 'products', props({
        resources: {
          cpu: { request: Cpu.millis(200), limit: Cpu.millis(1500) },
          memory: { request: Size.mebibytes(512), limit: Size.gibibytes(1) },
          ephemeralStorage: { request: Size.mebibytes(256), limit: Size.gibibytes(1) },
        },
      }));

      expect(container(context, 'products').resources).toEqual({
        requests: { 'cpu': '200m', 'memory': '512Mi', 'ephemeral-storage': '256Mi' },
        limits: { 'cpu': '1500m', 'memory': '1Gi', 'ephemeral-storage': '1Gi' },
      });
    });

    test('a missing request defaults to the context default, capped at the limit given', () => {
      const { context } = setup();

      new Microservice(context, 'products', props({
        resources: {
          cpu: { limit: Cpu.millis(50) },
          memory: { limit: Size.mebibytes(128) },
          ephemeralStorage: { limit: Size.mebibytes(100) },
        },
        tmpSize: Size.mebibytes(32),
      }));

      expect(container(context, 'products').resources.requests).toEqual({ 'cpu': '50m', 'memory': '128Mi', 'ephemeral-storage': '100Mi' });
    });

    test('a missing request defaults to the context default when the limit given is higher', () => {
      const { context } = setup();

      new Microservice(context, 'products', props({ resources: { cpu: { limit: Cpu.units(1) }, memory: { limit: Size.gibibytes(1) } } }));

      expect(container(context, 'products').resources).toMatchObject({
        requests: { cpu: '100m', memory: '256Mi' },
        limits: { cpu: '1', memory: '1Gi' },
      });
    });

    test('a missing limit defaults to the context default, raised to the request given', () => {
      const { context } = setup();

      new Microservice(context, 'products', props({
        resources: {
          cpu: { request: Cpu.units(1) },
          memory: { request: Size.mebibytes(768) },
          ephemeralStorage: { request: Size.gibibytes(1) },
        },
      }));

      expect(container(context, 'products').resources.limits).toEqual({ 'cpu': '1', 'memory': '768Mi', 'ephemeral-storage': '1Gi' });
    });

    test('a missing limit defaults to the context default when the request given is lower', () => {
      const { context } = setup();

      new Microservice(context, 'products', props({ resources: { cpu: { request: Cpu.millis(50) } } }));

      expect(container(context, 'products').resources).toMatchObject({ requests: { cpu: '50m' }, limits: { cpu: '500m' } });
    });

    test.each([
      ['cpu', { cpu: { request: Cpu.units(1), limit: Cpu.millis(500) } }, /^catalog\/products: 'resources\.cpu\.request' \('1'\) must not exceed resources\.cpu\.limit \(500m\); lower the request or raise the limit to at least 1$/],
      ['memory', { memory: { request: Size.gibibytes(1), limit: Size.mebibytes(512) } }, /^catalog\/products: 'resources\.memory\.request' \('1Gi'\) must not exceed resources\.memory\.limit \(512Mi\); lower the request or raise the limit to at least 1Gi$/],
      ['ephemeralStorage', { ephemeralStorage: { request: Size.gibibytes(1), limit: Size.mebibytes(512) } }, /^catalog\/products: 'resources\.ephemeralStorage\.request' \('1Gi'\) must not exceed resources\.ephemeralStorage\.limit \(512Mi\); lower the request or raise the limit to at least 1Gi$/],
    ])('fails when the %s request exceeds its limit', (_name, resources, message) => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ resources }))).toThrow(message);
    });

    test.each([
      ['cpu', { cpu: { limit: Cpu.units(3) } }, /^catalog\/products: 'resources\.cpu\.limit' \('3'\) must not exceed the bounded context's containerLimits\.maxCpu \(2\), or admission rejects the pods; lower the limit, or raise containerLimits\.maxCpu of catalog$/],
      ['memory', { memory: { limit: Size.gibibytes(8) } }, /^catalog\/products: 'resources\.memory\.limit' \('8Gi'\) must not exceed the bounded context's containerLimits\.maxMemory \(4Gi\), or admission rejects the pods; lower the limit, or raise containerLimits\.maxMemory of catalog$/],
      ['ephemeralStorage', { ephemeralStorage: { limit: Size.gibibytes(3) } }, /^catalog\/products: 'resources\.ephemeralStorage\.limit' \('3Gi'\) must not exceed the bounded context's containerLimits\.maxEphemeralStorage \(2Gi\), or admission rejects the pods; lower the limit, or raise containerLimits\.maxEphemeralStorage of catalog$/],
    ])('fails when the %s limit exceeds the context\'s maximum', (_name, resources, message) => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ resources }))).toThrow(message);
    });

    test('fails when the limit exceeds a maximum the context was given', () => {
      const { context } = setup({ containerLimits: { maxCpu: Cpu.units(1) } });

      expect(() => new Microservice(context, 'products', props({ resources: { cpu: { limit: Cpu.millis(1500) } } })))
        .toThrow(/^catalog\/products: 'resources\.cpu\.limit' \('1500m'\) must not exceed the bounded context's containerLimits\.maxCpu \(1\)/);
    });

    test('fails when a request is zero', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ resources: { memory: { request: Size.mebibytes(0) } } })))
        .toThrow(/^catalog\/products: 'resources\.memory\.request' \('0'\) must be greater than zero; request what the service needs at rest$/);
    });

    test('fails when tmpSize exceeds the ephemeral storage limit', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ tmpSize: Size.gibibytes(1) })))
        .toThrow(/^catalog\/products: 'tmpSize' \('1Gi'\) must fit in resources\.ephemeralStorage\.limit \(512Mi\); shrink tmpSize or raise the ephemeral storage limit$/);
    });
  });
});

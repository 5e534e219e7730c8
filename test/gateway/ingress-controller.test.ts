import { IngressGateway, GatewayTls, IngressController, NginxIngressControllerOptions } from '../../lib';
import { setup } from '../_helpers';

function gatewayWith(options: NginxIngressControllerOptions): IngressGateway {
  const { app, platform } = setup();
  return new IngressGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls'), controller: IngressController.nginx(options) });
}

describe('IngressController', () => {
  describe('defaults', () => {
    test('nginx: namespace ingress-nginx, class nginx, the controller pods of the official chart', () => {
      const controller = IngressController.nginx();
      expect(controller.name).toBe('ingress-nginx');
      expect(controller.namespace).toBe('ingress-nginx');
      expect(controller.className).toBe('nginx');
      expect(controller.podLabels).toEqual({ 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' });
    });

    test('a gateway without a controller uses nginx', () => {
      const { app, platform } = setup();
      const gateway = new IngressGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
      expect(gateway.controller.name).toBe('ingress-nginx');
      expect(gateway.controller.namespace).toBe('ingress-nginx');
    });
  });

  test('options override namespace, class and pod labels, and podLabels returns a copy', () => {
    const labels = { app: 'edge' };
    const controller = IngressController.nginx({ namespace: 'edge', className: 'nginx-public', podLabels: labels });
    labels.app = 'changed';
    controller.podLabels.app = 'changed';
    expect(controller.namespace).toBe('edge');
    expect(controller.className).toBe('nginx-public');
    expect(controller.podLabels).toEqual({ app: 'edge' });
  });

  describe('errors', () => {
    test('fails when the namespace is not a DNS label', () => {
      expect(() => gatewayWith({ namespace: 'Ingress_Nginx' })).toThrow(
        "public: 'controller.namespace' ('Ingress_Nginx') must be a DNS-1123 label");
    });

    test('fails when the class name is not a DNS label', () => {
      expect(() => gatewayWith({ className: 'NGINX' })).toThrow("public: 'controller.className' ('NGINX') must be a DNS-1123 label");
    });

    test('fails when the pod labels are empty', () => {
      expect(() => gatewayWith({ podLabels: {} })).toThrow(
        "public: 'controller.podLabels' ({}) must select the controller pods with at least one label; pass the labels of the ingress-nginx controller pods, for example { 'app.kubernetes.io/name': 'ingress-nginx' }");
    });

    test('fails when a pod label key or value is invalid', () => {
      expect(() => gatewayWith({ podLabels: { 'bad key': 'x' } })).toThrow(
        "public: 'controller.podLabels' ('bad key') must be a label key: an optional DNS prefix and '/', then a name of at most 63 characters; use the label keys of the controller pods as `kubectl get pods --show-labels` prints them");
      expect(() => gatewayWith({ podLabels: { app: 'not valid' } })).toThrow(
        "public: 'controller.podLabels[app]' ('not valid') must be a valid label value");
    });
  });
});

import { App } from 'cdk8s';
import { BoundedContext, Platform, PlatformMonitoring, PlatformMonitoringProps } from '../../lib';
import { setup } from '../_helpers';

/** The test platform 'shop' with its monitoring declared, and the context 'catalog'. */
export function observed(monitoring: PlatformMonitoringProps = {}): { app: App; platform: Platform; context: BoundedContext; monitoring: PlatformMonitoring } {
  const { app, platform, context } = setup();
  return { app, platform, context, monitoring: new PlatformMonitoring(platform, 'monitoring', monitoring) };
}

import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { BoundedContext, DisruptionBudget, Image, Microservice, Platform, Port, PriorityTier, Probe } from '../lib';

/**
 * The accounts context: customer accounts, and the auth service every other
 * context calls to check tokens.
 */
export class AccountsContext extends BoundedContext {
  /** Issues and verifies tokens; called by every context. */
  public readonly auth: Microservice;
  /** Customer accounts and profiles. */
  public readonly accounts: Microservice;

  constructor(scope: Construct, platform: Platform) {
    super(scope, 'accounts', {
      platform,
      team: 'accounts-team',
      quota: { cpuRequests: Cpu.units(4), cpuLimits: Cpu.units(12), memoryRequests: Size.gibibytes(8), memoryLimits: Size.gibibytes(16), pods: 30 },
    });

    this.auth = new Microservice(this, 'auth', {
      image: Image.fromDigest('ghcr.io/acme-sales/auth', 'sha256:3b0a8c1f9e2d4c5b6a7f8e9d0c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b'),
      version: '3.2.0',
      ports: [Port.http(8080), Port.grpc(9090)],
      readiness: Probe.grpc(),
      liveness: Probe.http('/live'),
      startup: Probe.http('/started', { period: Duration.seconds(5) }),
      priority: PriorityTier.CRITICAL,
      minReplicas: 3,
      maxReplicas: 8,
      resources: {
        cpu: { request: Cpu.millis(250), limit: Cpu.millis(1000) },
        memory: { request: Size.mebibytes(384), limit: Size.mebibytes(384) },
      },
      disruptionBudget: DisruptionBudget.maxUnavailable(1),
      env: {
        DATABASE_URL: 'postgresql://auth-db.accounts.sales.internal:5432/auth?sslmode=verify-full',
        TOKEN_TTL: '15m',
        LOG_FORMAT: 'json',
      },
    });

    this.accounts = new Microservice(this, 'accounts', {
      image: Image.fromTag('ghcr.io/acme-sales/accounts', '2.4.1'),
      ports: [Port.http(8080)],
      readiness: Probe.http('/ready'),
      liveness: Probe.http('/live'),
      env: {
        DATABASE_URL: 'postgresql://accounts-db.accounts.sales.internal:5432/accounts?sslmode=verify-full',
        LOG_FORMAT: 'json',
      },
    });
    this.accounts.connectTo(this.auth, { port: 'grpc' });
  }
}

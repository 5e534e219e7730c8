import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  BackingService, BoundedContext, CronJob, CronSchedule, DisruptionBudget, Image, Instrumentation, Microservice, Platform, Port, PriorityTier, Probe, SecretSource,
  ServiceAlerts, WorkloadMetrics,
} from '../lib';

/** The private subnet of the accounts context's managed databases. */
const DATABASE_SUBNET = '10.20.1.0/24';

/**
 * The auth service's token signing key (an EC P-256 private key in PEM), sealed with
 * kubeseal's hybrid encryption (RSA-OAEP + AES-GCM, strict scope accounts/auth-signing-key)
 * for the reference cluster's sealing key. Reseal it for your cluster:
 * `kubeseal --raw --namespace accounts --name auth-signing-key --from-file=signing-key.pem`.
 */
const SEALED_SIGNING_KEY =
  'AgBqNFX43/31aidCdw2Vi0TTLMEVx1wSxyeWX9O4TkOMmd6BScvHZoiIe0wAZQsmpKFQ8pPGoQ0w0C6Jg++hkUmmY9Tk/E6c3wcpIsxX5Cr9SuTGiSjqIEVTwZBwtv9XFpUTTJzHCX0ljq/NRN+kDToVpxQStUpR+RCakV71H7AaDXyBA08FBxiQJ1SqxYwQhpZZJKdc2VpYbtuJWrN3rqaguKSMRg92H/dwYIzfWiJVP0igQcvRFH+uBTWx1vAP/QWNKLlKL3gqJ1FiVnD9t6of+MmngVFVIvu6rdbtIIPT3/lJzNb4C28bih175pzMJg3VsZDPNFtSLRntnt18rHiuDAI5khwa946ZxovZ9Dupbq72qJhH5umrWhRdwafn37AFciWnwXbh/TpxDDkdPEJnYI7MUW2Frloeo6cP2ztJTOq4cU6j/IKLArBMjRk6c4gdBLtfBqwT7w10k8FmsFd98QMdMCXgP/C/oH72MryO8IOdVO//rQQziXnUMVorIj146M2nF/+eKM+MWoRC/J39T1drKexK8aOK3gioZcAOEBBNcOfiS0Wr60t7lZGH8PuQ4K7k1WOBpC2rMXoFMLWhrtzgzJ/SAT07ls1rjacuT3AIY0AsdlDaZ7gmB9ewgmkhsDb53UnkP8ehZgYg2Bv1LhMNZqZKD8VfjII45TVDg9q8/6R9YN0xslNbZWzbrlgQTQp2kcoOR1rOFTrfEI+f87EaCcR/dqorjqvbhBC1+Yg7VJFkO+Td/uCAXKOxgIfqC4cGtqa5MQhweL86OTf/QavqsmlE/X2gZnUOgNkBo0vYxwhsWNNX71m9Qkw6w7KJ9Aatn5HQLrnPWYDLL0wVwHjN92WOJfsOwCz+pcHw2zYJKbRIelYGgaGZBzERLAymXVtcSaqL0wAKV0OV+VoKpJx3zWdx4o24oep4eFm9rfGYjFBB7emdJYw2K/cGxqP+c0Po9DqiGb5OW8x6wry6nOiDpKiTWuLjIjgsM5z09fYQ3StpIp56qwjJCaJzRWQ6';

/**
 * The accounts context: customer accounts, and the auth service every other
 * context calls to check tokens.
 */
export class AccountsContext extends BoundedContext {
  /** Issues and verifies tokens; called by every context. */
  public readonly auth: Microservice;
  /** Customer accounts and profiles. */
  public readonly accounts: Microservice;
  /** Purges expired sessions every night. */
  public readonly sessionCleanup: CronJob;

  constructor(scope: Construct, platform: Platform) {
    super(scope, 'accounts', {
      platform,
      team: 'accounts-team',
      quota: { cpuRequests: Cpu.units(4), cpuLimits: Cpu.units(14), memoryRequests: Size.gibibytes(8), memoryLimits: Size.gibibytes(16), pods: 30 },
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
        SESSION_TTL: '15m',
        SIGNING_KEY_FILE: '/var/run/secrets/signing-key/signing-key.pem',
      },
    });
    this.auth.addBackingService('DATABASE_URL', BackingService.fromUrl(
      'postgresql://auth-db.accounts.sales.internal:5432/auth?sslmode=verify-full', { cidrs: [DATABASE_SUBNET] }));

    this.auth.addSecret('signing-key', SecretSource.fromSealedSecret({
      encryptedData: { 'signing-key.pem': SEALED_SIGNING_KEY },
    }));

    this.accounts = new Microservice(this, 'accounts', {
      image: Image.fromTag('ghcr.io/acme-sales/accounts', '2.4.1'),
      ports: [Port.http(8080)],
      readiness: Probe.http('/ready'),
      liveness: Probe.http('/live'),
    });
    this.accounts.addBackingService('DATABASE_URL', BackingService.fromUrl(
      'postgresql://accounts-db.accounts.sales.internal:5432/accounts?sslmode=verify-full', { cidrs: [DATABASE_SUBNET] }));
    this.accounts.connectTo(this.auth, { port: 'grpc' });

    this.sessionCleanup = new CronJob(this, 'session-cleanup', {
      image: Image.fromDigest('ghcr.io/acme-sales/auth', 'sha256:3b0a8c1f9e2d4c5b6a7f8e9d0c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b'),
      version: '3.2.0',
      args: ['sessions', 'purge', '--older-than', '30d'],
      schedule: CronSchedule.expression('30 3 * * *'),
      timeZone: 'Europe/Berlin',
      priority: PriorityTier.BATCH,
      activeDeadline: Duration.minutes(30),
    });
    this.sessionCleanup.addBackingService('DATABASE_URL', BackingService.fromUrl(
      'postgresql://auth-db.accounts.sales.internal:5432/auth?sslmode=verify-full', { cidrs: [DATABASE_SUBNET] }));

    // scraped on their HTTP port; auth is called over gRPC, so its alerts read the RPC server metrics
    // (the nightly CronJob is not scraped: it is traced, and its Job's status is the cluster's)
    new WorkloadMetrics(this.auth, 'metrics', { port: 'http' });
    new ServiceAlerts(this.auth, 'alerts', { instrumentation: Instrumentation.openTelemetryGrpc() });
    new WorkloadMetrics(this.accounts, 'metrics', { port: 'http' });
    new ServiceAlerts(this.accounts, 'alerts', { instrumentation: Instrumentation.openTelemetryHttp() });
  }
}

/**
 * Synthesis benchmark: time and memory to build and render platforms of growing
 * size, in-process (no CLI start-up). Run with `npm run bench`.
 *
 * Each size is built and rendered `RUNS` times after one warm-up; the median wall
 * time and the heap growth of the last run are reported.
 */
import { performance } from 'perf_hooks';
import { App, Size, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { buildSalesPlatform } from '../../charts';
import { BoundedContext, Image, Microservice, Platform, Port, Probe } from '../../lib';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** A synthetic platform: `contexts` contexts of `services` services, each calling the next two. */
function buildSynthetic(app: App, contexts: number, services: number): void {
  const platform = new Platform(app, 'bench');
  const all: Microservice[] = [];
  for (let c = 0; c < contexts; c++) {
    const ctx = new BoundedContext(app, `ctx-${c}`, { platform, team: `team-${c}`, quota: {
        cpuRequests: Cpu.units(1000), cpuLimits: Cpu.units(4000), memoryRequests: Size.tebibytes(1), memoryLimits: Size.tebibytes(1),
        ephemeralStorageRequests: Size.tebibytes(1), ephemeralStorageLimits: Size.tebibytes(1), pods: 10000, services: 1000,
      }, });
    for (let s = 0; s < services; s++) {
      all.push(new Microservice(ctx, `svc-${s}`, {
        image: Image.fromTag(`ghcr.io/bench/svc-${s}`, '1.0.0'),
        ports: [Port.http(8080), Port.grpc(9090)],
        readiness: Probe.http('/ready'),
        liveness: Probe.http('/live'),
        env: { LOG_FORMAT: 'json' },
      }));
    }
  }
  all.forEach((svc, i) => {
    svc.connectTo(all[(i + 1) % all.length]);
    svc.connectTo(all[(i + 7) % all.length], { port: 'grpc' });
  });
}

function measure(label: string, build: (app: App) => void): void {
  const times: number[] = [];
  let objects = 0;
  let heapMb = 0;
  for (let i = 0; i <= RUNS; i++) {
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const app = Testing.app();
    build(app);
    objects = app.synthYaml().split(/^---$/m).length;
    const elapsed = performance.now() - t0;
    heapMb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
    if (i > 0) {
      times.push(elapsed);
    }
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`${label.padEnd(34)} ${String(objects).padStart(6)} objects  median ${median.toFixed(1).padStart(8)} ms  ` +
    `(${(median / objects * 1000).toFixed(0)} us/object)  heap +${heapMb.toFixed(1)} MiB`);
}

console.log(`synth benchmark: median of ${RUNS} runs after a warm-up, Node ${process.version}`);
measure('reference platform (7 services)', app => { buildSalesPlatform(app); });
measure('synthetic 5 contexts x 10 services', app => buildSynthetic(app, 5, 10));
measure('synthetic 10 contexts x 20 services', app => buildSynthetic(app, 10, 20));
measure('synthetic 20 contexts x 25 services', app => buildSynthetic(app, 20, 25));
console.log(`peak RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB`);

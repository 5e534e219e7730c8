import { ensureTools } from './test/conformance/harness';
import { releaseSelfTest } from './test/simulation/release-phase';
import { releaseTable } from './test/simulation/release-report';
(async () => {
  const tools = ensureTools(undefined, ['etcd', 'simulation']);
  const r = await releaseSelfTest(tools, '1.37.2');
  console.log(releaseTable(r.result).join('\n'));
  console.log(r.lines.join('\n'), r.passed, r.failed);
  process.exit(0);
})();

// Compile once before the tests, so that end-to-end tests run the real bin/ launchers on dist/.
// Type errors are reported but do not stop the run here: scripts/install-deps (CI) refuses them.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const r = spawnSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, '-p', `${root}/tsconfig.json`], {
    stdio: 'inherit',
    cwd: root,
  });
  if (r.status !== 0) process.stderr.write('global-setup: tsc reported errors (dist/ was emitted anyway)\n');
}

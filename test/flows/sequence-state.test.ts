// The state file written by several processes at once (the jobs of a Slurm or make run): every change lands.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { newState, writeState } from '../../src/flows/sequence-run.js';
import type { Plan } from '../../src/lib/plan.js';
import { ROOT } from '../support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'xdeb-state-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('updateState: 12 processes changing their own step at once lose none of the changes', async () => {
  const file = join(work, 'state.json');
  const steps = Array.from({ length: 12 }, (_, i) => ({ n: i + 1, source: `s${i + 1}`, arch: 'arm64', stage: null, after: [] }));
  writeState(file, newState({ hostArch: 'arm64', steps } as unknown as Plan, work, file));
  // Each process: read-modify-write of its own step under the lock, from compiled dist (as a job runs it).
  const script = `import { updateState } from ${JSON.stringify(join(ROOT, 'dist/flows/sequence-run.js'))};
    const n = Number(process.argv[1]);
    await updateState(${JSON.stringify(file)}, (st) => { st.steps[n - 1].status = 'done'; st.steps[n - 1].note = 'by ' + n; });`;
  const codes = await Promise.all(
    steps.map(
      (s) =>
        new Promise<number>((resolve) =>
          spawn(process.execPath, ['--input-type=module', '-e', script, String(s.n)], { stdio: 'inherit' }).on('close', (c) =>
            resolve(c ?? -1),
          ),
        ),
    ),
  );
  expect(codes.every((c) => c === 0)).toBe(true);
  const st = JSON.parse(readFileSync(file, 'utf8'));
  expect(st.steps.map((x: { status: string; note: string }) => `${x.status} ${x.note}`)).toEqual(steps.map((s) => `done by ${s.n}`));
});

// The test Slurm (test/support/slurm.ts) is a real one: jobs run, dependencies hold, sacct -c reads
// the finished jobs, two slurmd on this machine run two jobs at once, and stop() leaves nothing.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunSlurm, isRunning, startSlurm, type SlurmCluster } from './slurm.js';

/** `scontrol show job -o ID` as its key=value pairs (values with spaces are cut, none read here has one). */
function showJob(c: SlurmCluster, id: string): Record<string, string> {
  const r = c.run('scontrol', ['show', 'job', '-o', id]);
  expect(r.status, r.stderr).toBe(0);
  return Object.fromEntries([...r.stdout.matchAll(/(?:^|\s)(\w+)=(\S*)/g)].map((m) => [m[1]!, m[2]!]));
}

function sbatch(c: SlurmCluster, jobs: string, args: string[], script: string): string {
  const r = c.run('sbatch', ['--parsable', `--chdir=${jobs}`, `--output=${jobs}/%j.out`, ...args, '--wrap', script]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout.trim()).toMatch(/^\d+$/);
  return r.stdout.trim();
}

async function until(what: string, cond: () => boolean, c: SlurmCluster, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${c.logs()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const state = (c: SlurmCluster, id: string): string => showJob(c, id)['JobState']!;

/** The processes whose environment mentions dir (the daemons, slurmscriptd, slurmstepd, a job's processes). */
function processesOf(dir: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .filter((name) => {
      try {
        return readFileSync(`/proc/${name}/environ`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe.skipIf(!canRunSlurm())('a Slurm on this machine', () => {
  describe('one node', () => {
    let c: SlurmCluster;
    let jobs: string;
    beforeAll(async () => {
      c = await startSlurm();
      jobs = join(c.dir, 'jobs');
      mkdirSync(jobs);
    }, 120_000);
    afterAll(() => c?.stop());

    it('is one idle node', () => {
      expect(c.nodes).toEqual(['n1']);
      const r = c.run('sinfo', ['--noheader', '--Node', '--format=%N %t %P']);
      expect(r.stdout.trim()).toBe('n1 idle test*');
    });

    it('runs a job, then the one that depends on it (afterok), and sacct -c reads both', async () => {
      const first = sbatch(c, jobs, [], 'sleep 3; date +%s.%N > first');
      const second = sbatch(c, jobs, [`--dependency=afterok:${first}`, '--kill-on-invalid-dep=yes'], 'date +%s.%N > second');
      const pending = showJob(c, second);
      expect(pending['Dependency']).toBe(`afterok:${first}(unfulfilled)`);
      expect(pending['JobState']).toBe('PENDING');
      expect(pending['Reason']).toBe('Dependency');

      await until('both jobs completed', () => state(c, first) === 'COMPLETED' && state(c, second) === 'COMPLETED', c);
      const t1 = Number(readFileSync(join(jobs, 'first'), 'utf8'));
      const t2 = Number(readFileSync(join(jobs, 'second'), 'utf8'));
      expect(t2).toBeGreaterThanOrEqual(t1);
      expect(showJob(c, second)['Dependency']).toBe('(null)');

      // No slurmdbd: sacct refuses ("accounting storage is disabled") unless told to read the completion file.
      expect(c.run('sacct', ['--noheader', '-j', first]).status).not.toBe(0);
      const r = c.run('sacct', ['-c', '-j', `${first},${second}`, '--noheader', '--parsable2', '--format=JobID,State,ExitCode,NodeList']);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim().split('\n').sort()).toEqual([`${first}|COMPLETED|0:0|n1`, `${second}|COMPLETED|0:0|n1`].sort());
    }, 120_000);

    it('a failing job: what depends on it (afterok) never runs, and scancel leaves nothing queued', async () => {
      const bad = sbatch(c, jobs, [], 'sleep 1; exit 1');
      const killed = sbatch(c, jobs, [`--dependency=afterok:${bad}`, '--kill-on-invalid-dep=yes'], 'touch killed-ran');
      const kept = sbatch(c, jobs, [`--dependency=afterok:${bad}`, '--kill-on-invalid-dep=no'], 'touch kept-ran');

      await until('the first job failed', () => state(c, bad) === 'FAILED', c);
      expect(showJob(c, bad)['ExitCode']).toBe('1:0');
      await until('the dependent job cancelled', () => state(c, killed) === 'CANCELLED', c);
      expect(showJob(c, killed)).toMatchObject({ Reason: 'DependencyNeverSatisfied', Dependency: `afterok:${bad}(failed)` });
      await until('the other one seen never satisfied', () => showJob(c, kept)['Reason'] === 'DependencyNeverSatisfied', c);
      expect(state(c, kept)).toBe('PENDING');
      expect(c.run('squeue', ['--noheader', '--format=%i']).stdout.trim()).toBe(kept);

      expect(c.run('scancel', [kept]).status).toBe(0);
      await until('nothing queued', () => c.run('squeue', ['--noheader', '--format=%i']).stdout.trim() === '', c);
      expect(state(c, kept)).toBe('CANCELLED');
      expect(existsSync(join(jobs, 'killed-ran'))).toBe(false);
      expect(existsSync(join(jobs, 'kept-ran'))).toBe(false);
    }, 120_000);

    it('stop() ends every daemon and the processes of a job still running, and removes its directory', async () => {
      const id = sbatch(c, jobs, [], 'echo $$ > running.pid; exec sleep 600');
      await until('the job running', () => state(c, id) === 'RUNNING' && existsSync(join(jobs, 'running.pid')), c);
      const jobPid = Number(readFileSync(join(jobs, 'running.pid'), 'utf8'));
      const daemons = [c.pids.munged, c.pids.slurmctld, ...Object.values(c.pids.slurmd)];
      expect(daemons).toHaveLength(3);
      for (const pid of [...daemons, jobPid]) expect(isRunning(pid), `pid ${pid}`).toBe(true);
      // The daemons, slurmctld's slurmscriptd, the job's slurmstepd, its shell's sleep.
      expect(processesOf(c.dir).length).toBeGreaterThanOrEqual(6);

      await c.stop();
      for (const pid of [...daemons, jobPid]) expect(isRunning(pid), `pid ${pid}`).toBe(false);
      expect(processesOf(c.dir)).toEqual([]);
      expect(existsSync(c.dir)).toBe(false);
    }, 60_000);
  });

  describe('two nodes: two slurmd on this machine', () => {
    let c: SlurmCluster;
    let jobs: string;
    beforeAll(async () => {
      c = await startSlurm({ nodes: 2, features: [['alpha'], ['beta']] });
      jobs = join(c.dir, 'jobs');
      mkdirSync(jobs);
    }, 120_000);
    afterAll(() => c?.stop());

    it('are two idle nodes, with their features', () => {
      const r = c.run('sinfo', ['--noheader', '--Node', '--format=%N %t %f']);
      expect(r.stdout.trim().split('\n')).toEqual(['n1 idle alpha', 'n2 idle beta']);
    });

    it('listens on loopback only', () => {
      const conf = readFileSync(join(c.dir, 'slurm.conf'), 'utf8');
      const ports = [...conf.matchAll(/(?:SlurmctldPort|\bPort)=(\d+)/g)].map((m) => Number(m[1]));
      expect(ports).toHaveLength(3);
      // /proc/net/tcp{,6}: local address as hex address:port, state 0A is LISTEN.
      const listening = ['/proc/net/tcp', '/proc/net/tcp6']
        .flatMap((f) => readFileSync(f, 'utf8').trim().split('\n').slice(1))
        .map((l) => l.trim().split(/\s+/))
        .filter((f) => f[3] === '0A')
        .map((f) => f[1]!.split(':'))
        .filter(([, port]) => ports.includes(parseInt(port!, 16)));
      expect(listening.map(([, port]) => parseInt(port!, 16)).sort()).toEqual([...ports].sort());
      expect(listening.map(([addr]) => addr)).toEqual(['0100007F', '0100007F', '0100007F']);
    });

    it('runs two independent jobs at the same time, one on each node', async () => {
      const script = 'echo "$SLURMD_NODENAME $(date +%s.%N)" > $SLURM_JOB_ID.run; sleep 4; date +%s.%N >> $SLURM_JOB_ID.run';
      const a = sbatch(c, jobs, ['--exclusive'], script);
      const b = sbatch(c, jobs, ['--exclusive'], script);
      await until('both jobs completed', () => state(c, a) === 'COMPLETED' && state(c, b) === 'COMPLETED', c);
      const [ra, rb] = [a, b].map((id) => {
        const [first, end] = readFileSync(join(jobs, `${id}.run`), 'utf8')
          .trim()
          .split('\n');
        const [node, start] = first!.split(' ');
        return { node, start: Number(start), end: Number(end) };
      });
      expect([ra!.node, rb!.node].sort()).toEqual(['n1', 'n2']);
      // The two ran at the same time: each started before the other ended.
      expect(ra!.start).toBeLessThan(rb!.end);
      expect(rb!.start).toBeLessThan(ra!.end);
      expect(showJob(c, a)['NodeList']).toBe(ra!.node);
    }, 120_000);

    it('--constraint picks the node with that feature', async () => {
      const onBeta = sbatch(c, jobs, ['--constraint=beta'], 'echo $SLURMD_NODENAME > beta.node');
      const onAlpha = sbatch(c, jobs, ['--constraint=alpha'], 'echo $SLURMD_NODENAME > alpha.node');
      await until('both jobs completed', () => state(c, onBeta) === 'COMPLETED' && state(c, onAlpha) === 'COMPLETED', c);
      expect(readFileSync(join(jobs, 'beta.node'), 'utf8').trim()).toBe('n2');
      expect(readFileSync(join(jobs, 'alpha.node'), 'utf8').trim()).toBe('n1');
    }, 120_000);

    it('stop() ends the four daemons', async () => {
      const daemons = [c.pids.munged, c.pids.slurmctld, c.pids.slurmd['n1']!, c.pids.slurmd['n2']!];
      for (const pid of daemons) expect(isRunning(pid), `pid ${pid}`).toBe(true);
      await c.stop();
      for (const pid of daemons) expect(isRunning(pid), `pid ${pid}`).toBe(false);
      expect(processesOf(c.dir)).toEqual([]);
      expect(existsSync(c.dir)).toBe(false);
    }, 60_000);
  });
});

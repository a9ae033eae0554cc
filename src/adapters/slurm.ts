// The Slurm commands xdeb-sequence drives (slurm-client): scontrol ping, sbatch, scontrol release,
// scontrol show job, scancel. They find the cluster through slurm.conf (SLURM_CONF or /etc/slurm).

import { EnvironmentError } from '../lib/errors.js';
import { parseScontrolJobs, type SlurmJob } from '../lib/slurm-jobs.js';
import { runTool } from './run-tool.js';

/** Is the controller there? An EnvironmentError saying what to install or that slurmctld does not answer. */
export async function checkSlurm(): Promise<void> {
  for (const tool of ['sbatch', 'scancel']) {
    const r = await runTool('sh', ['-c', `command -v ${tool}`]);
    if (r.code !== 0)
      throw new EnvironmentError(
        `the slurm executor needs ${tool}, which is not installed (install the slurm-client package, and slurm.conf)`,
      );
  }
  const r = await runTool('scontrol', ['ping']);
  if (r.code !== 0 || !/\bis UP\b/.test(r.stdout))
    throw new EnvironmentError(
      `slurmctld does not answer (scontrol ping: ${(r.stdout + r.stderr).trim().split('\n').join('; ') || `exit status ${r.code}`}): nothing was submitted`,
    );
}

/** Submit a batch job; its id. */
export async function submitJob(args: readonly string[]): Promise<string> {
  const r = await runTool('sbatch', ['--parsable', ...args]);
  const id = /^(\d+)/.exec(r.stdout.trim())?.[1];
  if (r.code !== 0 || !id) throw new EnvironmentError(`sbatch failed: ${r.stderr.trim() || r.stdout.trim() || `exit status ${r.code}`}`);
  return id;
}

/** Release held jobs. */
export async function releaseJobs(ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  const r = await runTool('scontrol', ['release', ids.join(',')]);
  if (r.code !== 0) throw new EnvironmentError(`scontrol release failed: ${r.stderr.trim() || `exit status ${r.code}`}`);
}

/** Cancel jobs (those already ended are no error). */
export async function cancelJobs(ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  const r = await runTool('scancel', [...ids]);
  if (r.code !== 0 && !/already completed|Invalid job id/i.test(r.stderr))
    throw new EnvironmentError(`scancel failed: ${r.stderr.trim() || `exit status ${r.code}`}`);
}

/** Every job the controller knows (running, queued, and the ones that ended in the last MinJobAge seconds). */
export async function showJobs(): Promise<Map<string, SlurmJob>> {
  const r = await runTool('scontrol', ['show', 'job', '-o']);
  if (r.code !== 0 && !/No jobs in the system/.test(r.stdout + r.stderr))
    throw new EnvironmentError(`scontrol show job failed: ${r.stderr.trim() || `exit status ${r.code}`}`);
  return parseScontrolJobs(r.stdout);
}

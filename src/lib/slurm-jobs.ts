// What xdeb-sequence says to Slurm and reads back from it, as data: the dependency of a step's job
// (afterok on what it needs, afterany on what the repositories could stand in for), the records
// of `scontrol show job -o`, and what a job that ended tells about its step.

/** One job as `scontrol show job -o` reports it. */
export interface SlurmJob {
  id: string;
  /** PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY… */
  state: string;
  reason: string;
  /** The Dependency field: afterok:12(unfulfilled),afterany:13(unfulfilled); '' once satisfied. */
  dependency: string;
  nodes: string;
  exitCode: string;
  stdout: string;
  name: string;
}

/** The job states in which a job is over. */
const ENDED = new Set([
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'NODE_FAIL',
  'OUT_OF_MEMORY',
  'BOOT_FAIL',
  'DEADLINE',
  'PREEMPTED',
  'REVOKED',
]);

export function jobEnded(job: SlurmJob): boolean {
  return ENDED.has(job.state);
}

/** The records of `scontrol show job -o` (one job a line, Key=Value fields; "No jobs in the system" when there are none). */
export function parseScontrolJobs(text: string): Map<string, SlurmJob> {
  const jobs = new Map<string, SlurmJob>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('JobId=')) continue;
    const f = new Map<string, string>();
    // Values have no spaces except Command= and the like at the end, which are not read here.
    for (const m of line.matchAll(/(?:^|\s)([A-Za-z/:]+)=(\S*)/g)) if (!f.has(m[1]!)) f.set(m[1]!, m[2]!);
    const get = (k: string) => {
      const v = f.get(k) ?? '';
      return v === '(null)' ? '' : v;
    };
    const id = get('JobId');
    jobs.set(id, {
      id,
      state: get('JobState'),
      reason: get('Reason'),
      dependency: get('Dependency'),
      nodes: get('NodeList'),
      exitCode: get('ExitCode'),
      stdout: get('StdOut'),
      name: get('JobName'),
    });
  }
  return jobs;
}

/** One term of a Dependency field: afterok:12(unfulfilled) → { type: 'afterok', id: '12', status: 'unfulfilled' }. */
export interface DependencyTerm {
  type: string;
  id: string;
  status?: string;
}

/** The terms of a Dependency field, as sbatch takes it (afterok:1:2,afterany:3) or scontrol shows it (afterok:1(unfulfilled),…). */
export function parseDependency(dep: string): DependencyTerm[] {
  const terms: DependencyTerm[] = [];
  for (const part of dep.split(/[,?]/)) {
    const m = /^(\w+):(.*)$/.exec(part.trim());
    if (!m) continue;
    for (const idPart of m[2]!.split(':')) {
      const j = /^(\d+)(?:_\*)?(?:\((\w+)\))?$/.exec(idPart);
      if (j) terms.push({ type: m[1]!, id: j[1]!, ...(j[2] ? { status: j[2] } : {}) });
    }
  }
  return terms;
}

/**
 * The sbatch --dependency of a step's job: afterok on the jobs of the steps it needs, afterany on
 * those it needs softly (the repositories' binaries serve if that step fails). Steps built already
 * have no job to wait for. Undefined when the job waits for nothing.
 */
export function stepDependency(
  step: { after: readonly number[]; soft?: readonly number[] },
  jobOf: (n: number) => string | undefined,
): string | undefined {
  const ok: string[] = [];
  const any: string[] = [];
  for (const a of step.after) {
    const id = jobOf(a);
    if (id === undefined) continue;
    (step.soft?.includes(a) ? any : ok).push(id);
  }
  const parts = [ok.length ? `afterok:${ok.join(':')}` : '', any.length ? `afterany:${any.join(':')}` : ''].filter(Boolean);
  return parts.length ? parts.join(',') : undefined;
}

/** What a job that ended says about its step, when the step did not record its own end (it never started, or was killed). */
export type JobVerdict =
  | { status: 'skipped'; failedDependency?: string }
  | { status: 'pending'; why: string }
  | { status: 'failed'; why: string; launch: boolean };

export function verdictOfEndedJob(job: SlurmJob): JobVerdict {
  if (job.state === 'CANCELLED' && job.reason === 'DependencyNeverSatisfied') {
    const failed = parseDependency(job.dependency).find((t) => t.status === 'failed');
    return { status: 'skipped', ...(failed ? { failedDependency: failed.id } : {}) };
  }
  if (job.state === 'CANCELLED') return { status: 'pending', why: `cancelled (Slurm job ${job.id})` };
  const where = job.nodes ? ` on ${job.nodes}` : '';
  if (job.reason === 'JobLaunchFailure')
    return { status: 'failed', launch: true, why: `Slurm job ${job.id} could not be started${where} (JobLaunchFailure)` };
  return {
    status: 'failed',
    launch: false,
    why: `Slurm job ${job.id} ended ${job.state}${where} (${job.reason !== 'None' && job.reason ? `${job.reason}, ` : ''}exit ${job.exitCode}) before the step said how it went`,
  };
}

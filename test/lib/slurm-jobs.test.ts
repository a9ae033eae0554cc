import { describe, expect, it } from 'vitest';
import {
  jobEnded,
  parseDependency,
  parseScontrolJobs,
  stepDependency,
  verdictOfEndedJob,
  type SlurmJob,
} from '../../src/lib/slurm-jobs.js';
import { planMakefile, stampName } from '../../src/lib/plan-makefile.js';
import type { Plan } from '../../src/lib/plan.js';

// Lines as Slurm 22.05's `scontrol show job -o` prints them (shortened; the fields read are all there).
const SHOW = [
  'JobId=7 JobName=xdeb:1:xdebloop-a:stage1 UserId=root(0) JobState=COMPLETED Reason=None Dependency=(null) ExitCode=0:0 NodeList=n2 BatchHost=n2 StdOut=/r/steps/0001-xdebloop-a-stage1/slurm-7.out Power=',
  'JobId=8 JobName=xdeb:2:xdebloop-b UserId=root(0) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) ExitCode=1:0 NodeList=n1 StdOut=/r/s/slurm-8.out',
  'JobId=9 JobName=xdeb:3:xdebloop-a UserId=root(0) JobState=CANCELLED Reason=DependencyNeverSatisfied Dependency=afterok:7(unfulfilled),afterok:8(failed) ExitCode=0:0 NodeList= StdOut=/r/s/slurm-9.out',
  'JobId=10 JobName=wrap JobState=FAILED Reason=JobLaunchFailure Dependency=(null) ExitCode=0:53 NodeList=n1 StdOut=/hidden/slurm-10.out',
  'JobId=11 JobName=wrap JobState=PENDING Reason=Dependency Dependency=afterok:9(unfulfilled),afterany:10(unfulfilled) ExitCode=0:0 NodeList= StdOut=/x',
  'JobId=12 JobName=wrap JobState=CANCELLED Reason=None Dependency=(null) ExitCode=0:15 NodeList=n1 StdOut=/x',
  'JobId=13 JobName=wrap JobState=TIMEOUT Reason=TimeLimit Dependency=(null) ExitCode=0:15 NodeList=n2 StdOut=/x',
].join('\n');

describe('scontrol show job -o', () => {
  const jobs = parseScontrolJobs(SHOW + '\n');
  it('reads each job: state, reason, dependency (null as empty), nodes, exit code, output, name', () => {
    expect(jobs.size).toBe(7);
    expect(jobs.get('7')).toEqual({
      id: '7',
      state: 'COMPLETED',
      reason: 'None',
      dependency: '',
      nodes: 'n2',
      exitCode: '0:0',
      stdout: '/r/steps/0001-xdebloop-a-stage1/slurm-7.out',
      name: 'xdeb:1:xdebloop-a:stage1',
    });
    expect(jobs.get('11')!.dependency).toBe('afterok:9(unfulfilled),afterany:10(unfulfilled)');
  });
  it('no jobs', () => expect(parseScontrolJobs('No jobs in the system\n').size).toBe(0));
  it('ended or not', () => {
    expect([...jobs.values()].filter(jobEnded).map((j) => j.id)).toEqual(['7', '8', '9', '10', '12', '13']);
  });
});

describe('dependencies', () => {
  it.each([
    [
      'afterok:1:2,afterany:3',
      [
        ['afterok', '1'],
        ['afterok', '2'],
        ['afterany', '3'],
      ],
    ],
    [
      'afterok:7(unfulfilled),afterok:8(failed)',
      [
        ['afterok', '7', 'unfulfilled'],
        ['afterok', '8', 'failed'],
      ],
    ],
    ['afterok:4_*(unfulfilled)', [['afterok', '4', 'unfulfilled']]],
    [
      'afterok:1?afterany:2',
      [
        ['afterok', '1'],
        ['afterany', '2'],
      ],
    ],
    ['', []],
  ])('%s', (dep, want) => {
    expect(parseDependency(dep).map((t) => [t.type, t.id, ...(t.status ? [t.status] : [])])).toEqual(want);
  });

  const ids: Record<number, string> = { 1: '101', 2: '102', 3: '103' };
  it.each([
    [{ after: [] }, undefined],
    [{ after: [1, 2] }, 'afterok:101:102'],
    [{ after: [1, 2, 3], soft: [3] }, 'afterok:101:102,afterany:103'],
    [{ after: [3], soft: [3] }, 'afterany:103'],
    // A step built already has no job: nothing to wait for.
    [{ after: [1, 4] }, 'afterok:101'],
    [{ after: [4] }, undefined],
  ])('the job of a step after %j waits for %s', (step, want) => {
    expect(stepDependency(step, (n) => ids[n])).toBe(want);
  });
});

describe('what an ended job says of a step that did not record its end', () => {
  const jobs = parseScontrolJobs(SHOW);
  const v = (id: string) => verdictOfEndedJob(jobs.get(id) as SlurmJob);
  it('a need failed: skipped, naming the failed job', () => expect(v('9')).toEqual({ status: 'skipped', failedDependency: '8' }));
  it('cancelled: pending again', () => expect(v('12')).toEqual({ status: 'pending', why: 'cancelled (Slurm job 12)' }));
  it('never launched: failed, a launch failure', () =>
    expect(v('10')).toEqual({ status: 'failed', launch: true, why: 'Slurm job 10 could not be started on n1 (JobLaunchFailure)' }));
  it('killed by its time limit: failed', () =>
    expect(v('13')).toEqual({
      status: 'failed',
      launch: false,
      why: 'Slurm job 13 ended TIMEOUT on n2 (TimeLimit, exit 0:15) before the step said how it went',
    }));
});

describe('the plan as a Makefile', () => {
  const step = (n: number, source: string, after: number[], stage: string | null = null) => ({
    n,
    source,
    version: '1.0',
    arch: 'arm64',
    profiles: [],
    stage,
    suite: 'full',
    arg: source,
    after,
    explicit: true,
    why: '',
  });
  const plan = { hostArch: 'arm64', steps: [step(1, 'a', [], 'stage1'), step(2, 'b', [1]), step(3, 'a', [1, 2])] } as unknown as Plan;
  it('a target a step, its needs as prerequisites, a stamp when built; paths quoted for the shell and $ for make', () => {
    const text = planMakefile({ plan, stateFile: '/r/state.json', stampDir: '/r/stamps', command: ['/usr/bin/node', "/opt/it's/x$.js"] });
    expect(text).toContain("XDEB_SEQUENCE = /usr/bin/node '/opt/it'\\''s/x$$.js'\n");
    expect(text).toContain('all: $(STAMPS)/0001.built $(STAMPS)/0002.built $(STAMPS)/0003.built\n');
    expect(text).toContain(
      '# 1. a 1.0 [stage1]\n$(STAMPS)/0001.built:\n\t$(XDEB_SEQUENCE) --state $(STATE) --run-step 1\n\t@mkdir -p $(STAMPS) && touch $@\n',
    );
    expect(text).toContain('$(STAMPS)/0003.built: $(STAMPS)/0001.built $(STAMPS)/0002.built\n');
    expect(stampName(12)).toBe('0012.built');
  });
  it('a stamp directory make cannot name: a usage error', () => {
    expect(() => planMakefile({ plan, stateFile: '/r/s.json', stampDir: '/r r/stamps', command: ['x'] })).toThrow(
      /make cannot name a target/,
    );
  });
});

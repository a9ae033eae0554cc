// Process accounting records (lib/pacct.ts): decoded as the kernel writes them (a real accton run
// when root and acct are here), the tree of a process told apart from the rest, time per command.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { descendants, parseAcct, timeByCommand, type AcctRecord } from '../../src/lib/pacct.js';
import { have } from '../support/cli.js';

/** An acct v3 record as the kernel lays it out. */
function record(r: Partial<AcctRecord> & { comm: string; pid: number; ppid: number }, ticks = { u: 0, s: 0, e: 0 }): Buffer {
  const b = Buffer.alloc(64);
  b[1] = 3;
  b.writeUInt32LE(r.exitcode ?? 0, 4);
  b.writeUInt32LE(r.uid ?? 0, 8);
  b.writeUInt32LE(r.pid, 16);
  b.writeUInt32LE(r.ppid, 20);
  b.writeUInt32LE(r.btime ?? 1000, 24);
  b.writeFloatLE(ticks.e, 28);
  b.writeUInt16LE(ticks.u, 32);
  b.writeUInt16LE(ticks.s, 34);
  b.write(r.comm, 48, 'latin1');
  return b;
}

describe('process accounting', () => {
  it('decodes v3 records: comp_t times (mantissa and base-8 exponent), elapsed as a float, in 1/100 s', () => {
    const big = (1 << 13) | 500; // 500 × 8 ticks
    const { records, skipped } = parseAcct(
      Buffer.concat([
        record({ comm: 'make', pid: 10, ppid: 1 }, { u: 250, s: big, e: 1234.5 }),
        record({ comm: 'x', pid: 2, ppid: 1 }).fill(0, 1, 2),
      ]),
    );
    expect(skipped).toBe(1);
    expect(records).toEqual([{ comm: 'make', pid: 10, ppid: 1, uid: 0, exitcode: 0, btime: 1000, utime: 2.5, stime: 40, elapsed: 12.345 }]);
    expect(parseAcct(Buffer.alloc(70)).skipped).toBe(2);
  });

  it("keeps a process and everything it started, not its siblings, nor a later process that reused a child's pid", () => {
    const recs: AcctRecord[] = [
      { comm: 'build', pid: 100, ppid: 1, uid: 0, exitcode: 0, btime: 1000, utime: 0, stime: 0, elapsed: 60 },
      { comm: 'make', pid: 101, ppid: 100, uid: 0, exitcode: 0, btime: 1001, utime: 1, stime: 0, elapsed: 50 },
      { comm: 'cc1', pid: 102, ppid: 101, uid: 0, exitcode: 0, btime: 1010, utime: 5, stime: 1, elapsed: 6 },
      { comm: 'other', pid: 200, ppid: 1, uid: 0, exitcode: 0, btime: 1002, utime: 9, stime: 0, elapsed: 9 },
      // pid 101 again, long after the make above ended: its children are not the build's.
      { comm: 'late', pid: 300, ppid: 101, uid: 0, exitcode: 0, btime: 5000, utime: 1, stime: 0, elapsed: 1 },
    ];
    expect(
      descendants(recs, 100)
        .map((r) => r.comm)
        .sort(),
    ).toEqual(['build', 'cc1', 'make']);
    expect(timeByCommand(descendants(recs, 100))).toEqual([
      { comm: 'cc1', processes: 1, cpu: 6, elapsed: 6 },
      { comm: 'make', processes: 1, cpu: 1, elapsed: 50 },
      { comm: 'build', processes: 0 + 1, cpu: 0, elapsed: 60 },
    ]);
  });

  const canAccount = process.getuid?.() === 0 && have('accton');
  const work = mkdtempSync(join(tmpdir(), 'xdeb-pacct-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.runIf(canAccount)("reads what the kernel writes: a shell's sleep and cat, by name, pid and elapsed time", () => {
    const file = join(work, 'pacct');
    expect(spawnSync('sh', ['-c', `: > ${file} && accton ${file}`]).status).toBe(0);
    let shell: number;
    try {
      const r = spawnSync('sh', ['-c', 'echo $$; sleep 0.3; cat /dev/null'], { encoding: 'utf8' });
      shell = Number(r.stdout.trim());
    } finally {
      spawnSync('accton', ['off']);
    }
    const { records } = parseAcct(readFileSync(file));
    const mine = descendants(records, shell);
    expect(mine.map((r) => r.comm).sort()).toEqual(['cat', 'sh', 'sleep']);
    const sleep = mine.find((r) => r.comm === 'sleep')!;
    expect(sleep.ppid).toBe(shell);
    expect(sleep.elapsed).toBeGreaterThanOrEqual(0.28);
    expect(sleep.elapsed).toBeLessThan(5);
  });
});

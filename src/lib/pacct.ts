// BSD process accounting records (acct(5), version 3: what Linux writes when `accton FILE` is on),
// and where a process tree spent its time: per command name, how many processes, their CPU time
// (user + system) and their elapsed time. Under qemu-user through binfmt_misc an emulated
// program keeps its own name, so this says which programs an emulated build runs, and for how long.

export interface AcctRecord {
  comm: string;
  pid: number;
  ppid: number;
  uid: number;
  exitcode: number;
  /** Start, seconds since the epoch. */
  btime: number;
  /** Seconds. */
  utime: number;
  stime: number;
  elapsed: number;
}

const RECORD = 64;
/** The kernel's AHZ: comp_t and ac_etime count in these ticks. */
const AHZ = 100;

/** comp_t: a 13-bit mantissa and a 3-bit base-8 exponent. */
function compT(v: number): number {
  return (v & 0x1fff) << (3 * ((v >> 13) & 7));
}

/** The records of an acct v3 file; anything else (another version, a cut record) is skipped and counted. */
export function parseAcct(buf: Uint8Array): { records: AcctRecord[]; skipped: number } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const records: AcctRecord[] = [];
  let skipped = 0;
  for (let at = 0; at + RECORD <= b.length; at += RECORD) {
    if ((b[at + 1]! & 0x7f) !== 3) {
      skipped++;
      continue;
    }
    const comm = b.toString('latin1', at + 48, at + 64).replace(/\0.*$/s, '');
    records.push({
      comm,
      exitcode: b.readUInt32LE(at + 4),
      uid: b.readUInt32LE(at + 8),
      pid: b.readUInt32LE(at + 16),
      ppid: b.readUInt32LE(at + 20),
      btime: b.readUInt32LE(at + 24),
      elapsed: b.readFloatLE(at + 28) / AHZ,
      utime: compT(b.readUInt16LE(at + 32)) / AHZ,
      stime: compT(b.readUInt16LE(at + 34)) / AHZ,
    });
  }
  if (b.length % RECORD) skipped++;
  return { records, skipped };
}

/** The records of `root` and every process it started, through any depth (a pid reused later is told apart by time). */
export function descendants(records: readonly AcctRecord[], root: number): AcctRecord[] {
  const byParent = new Map<number, AcctRecord[]>();
  for (const r of records) {
    const l = byParent.get(r.ppid);
    if (l) l.push(r);
    else byParent.set(r.ppid, [r]);
  }
  const out: AcctRecord[] = [];
  const seen = new Set<AcctRecord>();
  const stack = [...(byParent.get(root) ?? []), ...records.filter((r) => r.pid === root)];
  while (stack.length) {
    const r = stack.pop()!;
    if (seen.has(r)) continue;
    seen.add(r);
    out.push(r);
    // A child started while this process ran: its pid cannot have been another's then.
    for (const c of byParent.get(r.pid) ?? []) if (c.btime >= r.btime - 1 && c.btime <= r.btime + r.elapsed + 1) stack.push(c);
  }
  return out;
}

export interface CommandTime {
  comm: string;
  processes: number;
  /** User + system CPU seconds. */
  cpu: number;
  /** Elapsed seconds, summed (a long-lived parent counts its children's time again). */
  elapsed: number;
}

/** Per command name, most CPU first. */
export function timeByCommand(records: readonly AcctRecord[]): CommandTime[] {
  const m = new Map<string, CommandTime>();
  for (const r of records) {
    let t = m.get(r.comm);
    if (!t) m.set(r.comm, (t = { comm: r.comm, processes: 0, cpu: 0, elapsed: 0 }));
    t.processes++;
    t.cpu += r.utime + r.stime;
    t.elapsed += r.elapsed;
  }
  return [...m.values()].sort((a, b) => b.cpu - a.cpu || a.comm.localeCompare(b.comm));
}

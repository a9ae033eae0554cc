// Can this machine run a foreign architecture's programs (qemu-user through binfmt_misc)?
// arch-test answers; the binfmt_misc files tell why not, and judgeBinfmt says how to fix it.

import { existsSync, readFileSync } from 'node:fs';
import { judgeBinfmt, parseBinfmtEntry, QEMU_CPU, type BinfmtState, type BinfmtVerdict } from '../lib/binfmt.js';
import { EnvironmentError } from '../lib/errors.js';
import { runTool } from './run-tool.js';

const BINFMT = '/proc/sys/fs/binfmt_misc';

export async function binfmtState(arch: string, chrootDir?: string): Promise<BinfmtState> {
  let runs = false;
  try {
    const r = await runTool('arch-test', [...(chrootDir ? ['-c', chrootDir] : []), arch]);
    runs = r.code === 0;
  } catch (e) {
    if (!(e instanceof EnvironmentError)) throw e;
    throw new EnvironmentError(
      'arch-test not found (install the arch-test package): it tells whether this machine can run other architectures',
    );
  }
  const cpu = QEMU_CPU[arch];
  const entryFile = cpu ? `${BINFMT}/qemu-${cpu}` : undefined;
  return {
    arch,
    runs,
    mounted: existsSync(`${BINFMT}/status`),
    qemuInstalled: !!cpu && (existsSync(`/usr/share/binfmts/qemu-${cpu}`) || existsSync(`/usr/bin/qemu-${cpu}-static`)),
    entry: entryFile && existsSync(entryFile) ? parseBinfmtEntry(readFileSync(entryFile, 'utf8')) : undefined,
  };
}

/** Throw an EnvironmentError that says how to enable emulation when `arch` cannot run here. */
export async function requireEmulation(arch: string, chrootDir?: string): Promise<BinfmtVerdict> {
  const v = judgeBinfmt(await binfmtState(arch, chrootDir));
  if (!v.ok)
    throw new EnvironmentError(
      v.problem ?? `cannot run ${arch} programs`,
      v.fix.length ? ['to enable it, as root:', ...v.fix.map((c) => `  ${c}`)] : [],
    );
  return v;
}

// Whether this machine can run a foreign architecture's programs through qemu-user and
// binfmt_misc, and what to do when it cannot. Without systemd nothing mounts binfmt_misc or
// registers the interpreters, so the advice says how, step by step.

/** qemu's name for the cpu of a Debian architecture (qemu-<cpu>-static, binfmt entry qemu-<cpu>). */
export const QEMU_CPU: Readonly<Record<string, string>> = {
  amd64: 'x86_64',
  i386: 'i386',
  arm64: 'aarch64',
  armhf: 'arm',
  armel: 'arm',
  ppc64el: 'ppc64le',
  ppc64: 'ppc64',
  s390x: 's390x',
  riscv64: 'riscv64',
  mips64el: 'mips64el',
  mipsel: 'mipsel',
  loong64: 'loongarch64',
  alpha: 'alpha',
  hppa: 'hppa',
  m68k: 'm68k',
  sh4: 'sh4',
  sparc64: 'sparc64',
};

export interface BinfmtEntry {
  enabled: boolean;
  interpreter: string | undefined;
  flags: string;
}

/** A /proc/sys/fs/binfmt_misc/<name> file. */
export function parseBinfmtEntry(text: string): BinfmtEntry {
  const lines = text.split('\n');
  return {
    enabled: lines[0]?.trim() === 'enabled',
    interpreter: lines
      .find((l) => l.startsWith('interpreter '))
      ?.slice('interpreter '.length)
      .trim(),
    flags:
      lines
        .find((l) => l.startsWith('flags:'))
        ?.slice('flags:'.length)
        .trim() ?? '',
  };
}

export interface BinfmtState {
  arch: string;
  /** arch-test ARCH exited 0. */
  runs: boolean;
  /** /proc/sys/fs/binfmt_misc/status exists. */
  mounted: boolean;
  /** qemu-user-static's binfmt description is installed (/usr/share/binfmts/qemu-<cpu>). */
  qemuInstalled: boolean;
  /** The registered entry, if any. */
  entry?: BinfmtEntry;
}

export interface BinfmtVerdict {
  ok: boolean;
  /** What is wrong, for the error message. */
  problem?: string;
  /** Commands that fix it, in order. */
  fix: string[];
}

/**
 * Can chroots of this architecture run here? It needs the interpreter registered with the F flag
 * (the kernel opens qemu when the entry is registered, so it works inside a chroot that has no qemu).
 */
export function judgeBinfmt(s: BinfmtState): BinfmtVerdict {
  const cpu = QEMU_CPU[s.arch];
  const name = cpu ? `qemu-${cpu}` : undefined;
  const fix: string[] = [];
  if (!s.qemuInstalled) fix.push('apt-get install qemu-user-static binfmt-support');
  if (!s.mounted) fix.push('mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc');
  if (name && (!s.entry || !s.entry.enabled)) fix.push(`update-binfmts --enable ${name}`);
  if (s.runs && s.entry && !s.entry.flags.includes('F')) {
    return {
      ok: false,
      problem: `${s.arch} programs run here, but the binfmt entry ${name} lacks the F flag, so they will not run inside a chroot`,
      fix: [`update-binfmts --disable ${name}`, 'apt-get install --reinstall qemu-user-static', `update-binfmts --enable ${name}`],
    };
  }
  if (s.runs) return { ok: true, fix: [] };
  if (!cpu)
    return {
      ok: false,
      problem: `this machine cannot run ${s.arch} programs (arch-test ${s.arch} fails), and qemu-user has no emulator for ${s.arch}`,
      fix: [],
    };
  const why = !s.qemuInstalled
    ? 'qemu-user-static is not installed'
    : !s.mounted
      ? 'binfmt_misc is not mounted (no systemd mounts it here)'
      : !s.entry
        ? `no binfmt entry ${name} is registered`
        : !s.entry.enabled
          ? `the binfmt entry ${name} is disabled`
          : `arch-test ${s.arch} fails although ${name} is registered`;
  return { ok: false, problem: `this machine cannot run ${s.arch} programs: ${why}`, fix };
}

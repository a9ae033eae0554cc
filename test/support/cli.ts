// Run the real launchers (bin/ → dist/) as a user would, and capture what they print.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** `xdeb ARGS` (or `xdeb-<cmd> ARGS` when `bin` is given), with optional stdin. */
export function runCli(
  args: string[],
  opts: { input?: string; bin?: string; env?: NodeJS.ProcessEnv; cwd?: string; timeout?: number } = {},
): CliResult {
  const bin = `${ROOT}/bin/${opts.bin ?? 'xdeb'}.js`;
  const r = spawnSync(process.execPath, [bin, ...args], {
    input: opts.input,
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
    cwd: opts.cwd ?? ROOT,
    timeout: opts.timeout ?? 60_000,
    maxBuffer: 1 << 30,
  });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Is a command on PATH? */
export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

/**
 * Remove the installed packages that `patterns` name (dpkg-query patterns: 'xdebdemo-tool',
 * 'libxdeb*', 'foo:arm64'). apt-get remove refuses its whole list when one name or glob is unknown
 * to it, so only installed names are given to it. Waits for dpkg's lock like everything else here.
 */
export function removeInstalled(...patterns: string[]): void {
  const q = spawnSync('dpkg-query', ['-W', '-f', '${binary:Package}\t${Status}\n', ...patterns], { encoding: 'utf8' });
  const installed = q.stdout
    .split('\n')
    .map((l) => l.split('\t'))
    .filter(([, status]) => status === 'install ok installed')
    .map(([name]) => name!);
  if (installed.length === 0) return;
  const r = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'remove', '-y', '-q', ...installed], {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0) throw new Error(`apt-get remove ${installed.join(' ')}: ${r.stderr}`);
}

/** The machine can cross-build the fixtures for arm64 and publish them: root, arm64 enabled, the cross compiler, apt-ftparchive. */
export function canCrossBuildArm64(): boolean {
  return (
    process.getuid?.() === 0 &&
    spawnSync('dpkg', ['--print-foreign-architectures'], { encoding: 'utf8' }).stdout.split('\n').includes('arm64') &&
    have('dpkg-buildpackage') &&
    have('aarch64-linux-gnu-gcc') &&
    have('apt-ftparchive')
  );
}

/** e_machine of ELF data: 183 is AArch64, 62 is x86-64. Throws when it is not ELF. */
export function elfMachineOf(head: Buffer, what: string): number {
  if (head.length < 20 || head.subarray(0, 4).toString('latin1') !== '\x7fELF') throw new Error(`${what} is not an ELF file`);
  return head.readUInt16LE(18);
}

/** e_machine of an ELF file. */
export function elfMachine(file: string): number {
  const fd = openSync(file, 'r');
  const b = Buffer.alloc(20);
  readSync(fd, b, 0, 20, 0);
  closeSync(fd);
  return elfMachineOf(b, file);
}

/** e_machine of a file inside a .deb (path as in its data.tar: './usr/bin/foo'). */
export function debElfMachine(deb: string, path: string): number {
  const r = spawnSync('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -xO "$2" | head -c 20', 'sh', deb, path], { maxBuffer: 1 << 20 });
  return elfMachineOf(r.stdout, `${deb}: ${path}`);
}

/** A Packages stanza for the tiny archives the tests write. */
export const stanza = (name: string, arch: string, extra = '') => `Package: ${name}\nVersion: 1.0-1\nArchitecture: ${arch}\n${extra}`;

/** What a cross build amd64 → arm64 of the fixtures needs at the least (implicit build-deps, debhelper). */
export const CROSS_BASE_STANZAS = [
  stanza('build-essential', 'amd64'),
  stanza('crossbuild-essential-arm64', 'all', 'Multi-Arch: foreign\n'),
  stanza('libc6-dev', 'arm64', 'Multi-Arch: same\nProvides: libc-dev\n'),
  stanza('libstdc++-12-dev', 'arm64', 'Multi-Arch: same\nProvides: libstdc++-dev\n'),
  stanza('debhelper', 'all', 'Multi-Arch: foreign\nProvides: debhelper-compat (= 13)\n'),
];

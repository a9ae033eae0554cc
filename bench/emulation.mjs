#!/usr/bin/env node
// Emulated builds against native compilers inside emulation against a cross build, on a real
// package from the archive, in one run (issue #6):
//
//   1. emulated   xdeb-build --chroot EMU --no-native      an arm64 chroot under qemu-user
//   2. native     xdeb-build --chroot EMU --native CROSS   the same, compilers run natively
//   3. cross      xdeb-build --chroot CROSS -a arm64       a cross build in the amd64 chroot
//
// Each build starts from a fresh copy of its chroot and installs its own build-dependencies;
// the figures are the whole command's wall time and the build step's (dpkg-buildpackage). The
// emulated and native-compiler builds are then compared ELF file by ELF file, section by section
// (.comment, .note.gnu.build-id and the debug link may differ), and the chroots are made first when
// missing (the emulated one takes several minutes). Root, binfmt_misc with qemu-user-static and
// deb.debian.org needed. Long: run it once, on a quiet machine.
//
//   node bench/emulation.mjs [--package zlib] [--suite bookworm] [--chroot-dir DIR] [--out FILE] [--keep]
//   node bench/emulation.mjs --compare EMULATED-OUTPUT-DIR NATIVE-OUTPUT-DIR
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const pkg = opt('--package', 'zlib');
const suite = opt('--suite', 'bookworm');
const chrootDir = opt('--chroot-dir', process.env.XDEB_CHROOT_DIR ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local/share'), 'xdeb/chroots'));
const outFile = opt('--out', join(root, 'bench', 'results', `emulation-${pkg}-${new Date().toISOString().slice(0, 10)}.txt`));
const hostArch = 'arm64';
const cross = `bench-${suite}-cross-${hostArch}`;
const emu = `bench-${suite}-emu-${hostArch}`;

if (process.getuid?.() !== 0) {
  console.error('bench/emulation: run as root (chroots, mounts)');
  process.exit(3);
}
const work = mkdtempSync(join(tmpdir(), 'xdeb-bench-emulation-'));
const env = { ...process.env, XDEB_CHROOT_DIR: chrootDir, XDEB_LOCAL_REPO: join(work, 'repo'), XDEB_SYSTEM_CONFIG: join(work, 'none.cfg'), XDG_CONFIG_HOME: join(work, 'config') };
const lines = [];
const say = (s = '') => {
  lines.push(s);
  process.stdout.write(s + '\n');
};

/** Run an xdeb command; its stderr goes to a log; wall time in seconds. */
function xdeb(bin, argv, log) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(root, 'bin', `${bin}.js`), ...argv], { env, cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => {
      writeFileSync(log, stderr);
      resolve({ code, stdout, stderr, seconds: Number(process.hrtime.bigint() - t0) / 1e9 });
    });
  });
}

async function ensureChroot(name, argv) {
  if (existsSync(join(chrootDir, `${name}.json`))) return;
  say(`making chroot ${name}: xdeb-chroot create ${argv.join(' ')} ${name}`);
  const r = await xdeb('xdeb-chroot', ['create', ...argv, name], join(work, `create-${name}.log`));
  if (r.code !== 0) {
    console.error(r.stderr.slice(-3000));
    process.exit(1);
  }
  say(`  ${r.seconds.toFixed(0)} s`);
}

/** The source package from the archive, through an apt of our own with a deb-src line. */
async function fetchSource() {
  const { PrivateApt } = await import(join(root, 'dist/adapters/private-apt.js'));
  const apt = new PrivateApt({ buildArch: 'amd64', sources: [`deb-src [trusted=yes] http://deb.debian.org/debian ${suite} main`] });
  try {
    await apt.update();
    const dir = join(work, 'src');
    mkdirSync(dir);
    const r = spawnSync('apt-get', ['source', '--download-only', '-q', pkg], { cwd: dir, env: apt.env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`apt-get source ${pkg}: ${r.stderr}`);
    return join(dir, readdirSync(dir).find((f) => f.endsWith('.dsc')));
  } finally {
    apt.dispose();
  }
}

/** Each ELF file of a build's .debs (not the detached debug symbols), by package and path. */
function elfFiles(outDir) {
  const x = mkdtempSync(join(work, 'x-'));
  const map = new Map();
  for (const deb of readdirSync(outDir).filter((f) => /\.u?deb$/.test(f) && !f.includes('-dbgsym_'))) {
    const d = join(x, deb);
    execFileSync('dpkg-deb', ['-x', join(outDir, deb), d]);
    const files = execFileSync('find', [d, '-type', 'f'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const f of files) {
      if (readFileSync(f).subarray(0, 4).toString('latin1') !== '\x7fELF') continue;
      map.set(`${deb.replace(/_.*/, '')}:${f.slice(d.length)}`, f);
    }
  }
  return map;
}

/** The sections of a 64-bit little-endian ELF file with a digest of each one's content (NOBITS: its size). */
function sectionDigests(file) {
  const b = readFileSync(file);
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  const shstrndx = b.readUInt16LE(0x3e);
  const header = (i) => {
    const o = shoff + i * shentsize;
    return { name: b.readUInt32LE(o), type: b.readUInt32LE(o + 4), offset: Number(b.readBigUInt64LE(o + 0x18)), size: Number(b.readBigUInt64LE(o + 0x20)) };
  };
  const strtab = header(shstrndx);
  const nameAt = (n) => b.toString('latin1', strtab.offset + n, b.indexOf(0, strtab.offset + n));
  const out = new Map();
  for (let i = 1; i < shnum; i++) {
    const h = header(i);
    const content = h.type === 8 ? String(h.size) : b.subarray(h.offset, h.offset + h.size);
    out.set(nameAt(h.name), createHash('sha256').update(content).digest('hex'));
  }
  return out;
}

/** Which sections differ between two ELF files (.comment, the build-id and the debug link are expected to). */
function differingSections(a, b) {
  const sa = sectionDigests(a);
  const sb = sectionDigests(b);
  return [...new Set([...sa.keys(), ...sb.keys()])].filter((n) => sa.get(n) !== sb.get(n));
}

/** The ELF files of two builds' packages, compared section by section. */
function compareBuilds(emulatedDir, nativeDir) {
  const fe = elfFiles(emulatedDir);
  const fn = elfFiles(nativeDir);
  const EXPECTED = new Set(['.comment', '.note.gnu.build-id', '.gnu_debuglink']);
  let same = 0;
  const differ = [];
  for (const k of new Set([...fe.keys(), ...fn.keys()])) {
    if (!fe.has(k) || !fn.has(k)) {
      differ.push(`${k} (only in one build)`);
      continue;
    }
    const d = differingSections(fe.get(k), fn.get(k)).filter((x) => !EXPECTED.has(x));
    if (d.length === 0) same++;
    else differ.push(`${k} (${d.join(', ')})`);
  }
  return `ELF files of the emulated and native-compiler packages: ${same} the same in every section but .comment, build-id and debug link; ${differ.length} different${differ.length ? `: ${differ.join('; ')}` : ''}`;
}

if (args[0] === '--compare') {
  say(compareBuilds(args[1], args[2]));
  rmSync(work, { recursive: true, force: true });
  process.exit(0);
}

const builds = [
  { key: 'cross', label: 'cross build (amd64 → arm64)', argv: ['--chroot', cross, '-a', hostArch] },
  { key: 'native', label: 'emulated arm64, native compilers', argv: ['--chroot', emu, '--native', cross, '-P', 'nocheck'] },
  { key: 'emulated', label: 'emulated arm64', argv: ['--chroot', emu, '--no-native', '-P', 'nocheck'] },
];

try {
  await ensureChroot(cross, ['-a', hostArch, '--suite', suite, '--include', 'debhelper']);
  await ensureChroot(emu, ['--emulated', '-a', hostArch, '--suite', suite, '--include', 'debhelper']);
  const dsc = await fetchSource();
  const cpu = cpus();
  say(`bench/emulation: ${basename(dsc)} for ${hostArch}, ${suite}, on ${cpu.length} × ${cpu[0]?.model ?? '?'}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} at start`);
  say(`qemu: ${spawnSync('qemu-aarch64-static', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]}`);
  const results = {};
  for (const b of builds) {
    const out = join(work, b.key);
    mkdirSync(out);
    const r = await xdeb('xdeb-build', [...b.argv, '--no-publish', '--json', '--verbose', '--output-dir', out, dsc], join(work, `${b.key}.log`));
    if (r.code !== 0) {
      say(`${b.label}: FAILED (exit ${r.code}); see ${join(work, `${b.key}.log`)}`);
      console.error(r.stderr.slice(-4000));
      process.exit(1);
    }
    const j = JSON.parse(r.stdout).builds[0];
    results[b.key] = { wall: r.seconds, ...j.seconds, out };
    say(`${b.label.padEnd(36)} wall ${r.seconds.toFixed(1).padStart(7)} s   build ${j.seconds.runbuild.toFixed(1).padStart(7)} s   build-deps ${j.seconds.satisfydepends.toFixed(1).padStart(6)} s`);
  }
  const e = results.emulated;
  const n = results.native;
  const c = results.cross;
  say();
  say('ratios (build step = dpkg-buildpackage; wall = the whole xdeb-build, fresh chroot and build-dependencies included):');
  say(`  emulated / native compilers:   build ${(e.runbuild / n.runbuild).toFixed(2)}×   wall ${(e.wall / n.wall).toFixed(2)}×`);
  say(`  native compilers / cross:      build ${(n.runbuild / c.runbuild).toFixed(2)}×   wall ${(n.wall / c.wall).toFixed(2)}×`);
  say(`  emulated / cross:              build ${(e.runbuild / c.runbuild).toFixed(2)}×   wall ${(e.wall / c.wall).toFixed(2)}×`);
  say();
  say(compareBuilds(e.out, n.out));
  say(`load average at the end ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(outFile, lines.join('\n') + '\n');
  say(`written to ${outFile}`);
} finally {
  if (args.includes('--keep')) process.stderr.write(`kept: ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
}

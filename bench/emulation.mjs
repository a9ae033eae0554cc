#!/usr/bin/env node
// Emulated builds against native compilers inside emulation against a cross build, on a real
// package from the archive, in one run (issue #6):
//
//   1. emulated   xdeb-build --chroot EMU --no-native      an arm64 chroot under qemu-user
//   2. native     xdeb-build --chroot EMU --native CROSS   the same, compilers run natively
//   2b. host      … --native CROSS --host-binaries         and make, sh, sed… too (docs/emulation.md)
//   3. cross      xdeb-build --chroot CROSS -a arm64       a cross build in the amd64 chroot
//
// Each build starts from a fresh copy of its chroot and installs its own build-dependencies;
// the figures are the whole command's wall time and the build step's (dpkg-buildpackage). The
// emulated and native-compiler builds are then compared ELF file by ELF file, section by section
// (.comment, .note.gnu.build-id and the debug link may differ), and the chroots are made first when
// missing (the emulated one takes several minutes). Root, binfmt_misc with qemu-user-static and
// deb.debian.org needed. Long (3 runs of zlib: about 20 min, plus the chroots when missing).
//
// --runs N (3): rounds of the four builds (cross, native compilers, host binaries, emulated, in turns, so that
// the load hits them alike); every run and the median are printed and the ratios are of the
// medians. The ELF comparison is of the first round's builds. A chroot made by the run is timed
// once, with its image's size. The report names the date, the commit and whether the tree is
// clean, the tools' versions and /proc/loadavg (bench/run-info.mjs).
//
//   node bench/emulation.mjs [--package zlib] [--runs 3] [--ways cross,native,host,emulated] [--suite bookworm] [--chroot-dir DIR] [--out FILE] [--keep]
//   (--ways also knows host-binutils: host binaries with binutils-tools, strip, objcopy… from the native chroot)
//   node bench/emulation.mjs --compare EMULATED-OUTPUT-DIR NATIVE-OUTPUT-DIR
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debVersion, footer, header, median, procLoadavg, runsAndMedian } from './run-info.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const pkg = opt('--package', 'zlib');
const suite = opt('--suite', 'bookworm');
const runs = Math.max(1, Number(opt('--runs', 3)));
const chrootDir = opt(
  '--chroot-dir',
  process.env.XDEB_CHROOT_DIR ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local/share'), 'xdeb/chroots'),
);
const outFile = opt('--out', join(root, 'bench', 'results', `emulation-${pkg}-${new Date().toISOString().slice(0, 10)}.txt`));
const hostArch = 'arm64';
const cross = `bench-${suite}-cross-${hostArch}`;
const emu = `bench-${suite}-emu-${hostArch}`;

if (process.getuid?.() !== 0) {
  console.error('bench/emulation: run as root (chroots, mounts)');
  process.exit(3);
}
const work = mkdtempSync(join(tmpdir(), 'xdeb-bench-emulation-'));
const env = {
  ...process.env,
  XDEB_CHROOT_DIR: chrootDir,
  XDEB_LOCAL_REPO: join(work, 'repo'),
  XDEB_SYSTEM_CONFIG: join(work, 'none.cfg'),
  XDG_CONFIG_HOME: join(work, 'config'),
};
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
  say(`making chroot ${name}: xdeb-chroot create ${argv.join(' ')} ${name} (one run; /proc/loadavg at start ${procLoadavg()})`);
  const r = await xdeb('xdeb-chroot', ['create', ...argv, name], join(work, `create-${name}.log`));
  if (r.code !== 0) {
    console.error(r.stderr.slice(-3000));
    process.exit(1);
  }
  const image = readdirSync(chrootDir).find((f) => f.startsWith(`${name}.tar`));
  const size = image ? `, image ${image} ${(statSync(join(chrootDir, image)).size / 1e6).toFixed(0)} MB` : '';
  say(`  ${r.seconds.toFixed(0)} s${size}; /proc/loadavg at end ${procLoadavg()}`);
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
    return join(
      dir,
      readdirSync(dir).find((f) => f.endsWith('.dsc')),
    );
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
    return {
      name: b.readUInt32LE(o),
      type: b.readUInt32LE(o + 4),
      offset: Number(b.readBigUInt64LE(o + 0x18)),
      size: Number(b.readBigUInt64LE(o + 0x20)),
    };
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

const allWays = [
  { key: 'cross', label: 'cross build (amd64 → arm64)', argv: ['--chroot', cross, '-a', hostArch] },
  {
    key: 'native',
    label: 'emulated arm64, native compilers',
    argv: ['--chroot', emu, '--native', cross, '--no-host-binaries', '-P', 'nocheck'],
  },
  {
    key: 'host',
    label: 'emulated, native compilers + host binaries',
    argv: ['--chroot', emu, '--host-binaries=default', '--native', cross, '-P', 'nocheck'],
  },
  {
    key: 'host-binutils',
    label: 'emulated, native compilers + host binaries + binutils-tools',
    argv: ['--chroot', emu, '--host-binaries=default,binutils-tools', '--native', cross, '-P', 'nocheck'],
  },
  { key: 'emulated', label: 'emulated arm64', argv: ['--chroot', emu, '--no-native', '--no-host-binaries', '-P', 'nocheck'] },
];
const wayKeys = opt('--ways', 'cross,native,host,emulated').split(',');
for (const k of wayKeys)
  if (!allWays.some((w) => w.key === k)) throw new Error(`--ways: unknown way ${k} (${allWays.map((w) => w.key).join(', ')})`);
const builds = allWays.filter((w) => wayKeys.includes(w.key));

try {
  say(`# bench/emulation: ${pkg} for ${hostArch}, ${suite}`);
  for (const l of header(root, {
    qemu: ['qemu-aarch64-static', '--version'],
    mmdebstrap: debVersion('mmdebstrap'),
    'gcc-aarch64-linux-gnu': debVersion('gcc-aarch64-linux-gnu'),
  }))
    say(l);
  say(
    `runs: ${runs} rounds of the builds (${builds.map((b) => b.key).join(', ')}) in turns; each build in a fresh copy of its chroot, installing its own build-dependencies; every run and the median`,
  );
  await ensureChroot(cross, ['-a', hostArch, '--suite', suite, '--include', 'debhelper']);
  await ensureChroot(emu, ['--emulated', '-a', hostArch, '--suite', suite, '--include', 'debhelper']);
  const dsc = await fetchSource();
  say(`source: ${basename(dsc)}; /proc/loadavg before the builds: ${procLoadavg()}`);
  const results = Object.fromEntries(builds.map((b) => [b.key, { wall: [], runbuild: [], satisfydepends: [], out: undefined }]));
  for (let round = 1; round <= runs; round++) {
    for (const b of builds) {
      const out = join(work, `${b.key}-${round}`);
      mkdirSync(out);
      process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${b.label}, run ${round}/${runs}\n`);
      const r = await xdeb(
        'xdeb-build',
        [...b.argv, '--no-publish', '--json', '--verbose', '--output-dir', out, dsc],
        join(work, `${b.key}-${round}.log`),
      );
      if (r.code !== 0) {
        say(`${b.label}: FAILED (exit ${r.code}) in run ${round}; see ${join(work, `${b.key}-${round}.log`)}`);
        console.error(r.stderr.slice(-4000));
        process.exit(1);
      }
      const j = JSON.parse(r.stdout).builds[0];
      const res = results[b.key];
      res.wall.push(r.seconds);
      res.runbuild.push(j.seconds.runbuild);
      res.satisfydepends.push(j.seconds.satisfydepends);
      res.out ??= out;
    }
  }
  const med = {};
  for (const b of builds) {
    const res = results[b.key];
    med[b.key] = { wall: median(res.wall), runbuild: median(res.runbuild) };
    say(
      `${b.label.padEnd(36)} wall ${med[b.key].wall.toFixed(1).padStart(7)} s   build ${med[b.key].runbuild.toFixed(1).padStart(7)} s   build-deps ${median(res.satisfydepends).toFixed(1).padStart(6)} s   (medians)`,
    );
    say(`  wall s        ${runsAndMedian(res.wall)}`);
    say(`  build s       ${runsAndMedian(res.runbuild)}`);
    say(`  build-deps s  ${runsAndMedian(res.satisfydepends)}`);
  }
  say();
  say('ratios of the medians (build step = dpkg-buildpackage; wall = the whole xdeb-build, fresh chroot and build-dependencies included):');
  const ratio = (a, b, text) => {
    if (!med[a] || !med[b]) return;
    say(`  ${text.padEnd(48)} build ${(med[a].runbuild / med[b].runbuild).toFixed(2)}×   wall ${(med[a].wall / med[b].wall).toFixed(2)}×`);
  };
  ratio('emulated', 'native', 'emulated / native compilers:');
  ratio('emulated', 'host', 'emulated / native compilers + host bins:');
  ratio('emulated', 'host-binutils', 'emulated / … + host bins + binutils-tools:');
  ratio('host', 'host-binutils', 'host bins / host bins + binutils-tools:');
  ratio('host-binutils', 'cross', 'host bins + binutils-tools / cross:');
  ratio('host', 'cross', 'native compilers + host bins / cross:');
  ratio('native', 'cross', 'native compilers / cross:');
  ratio('emulated', 'cross', 'emulated / cross:');
  say();
  if (results.emulated && results.native) say(compareBuilds(results.emulated.out, results.native.out));
  // Every way against plain emulation (else the first emulated way), package by package (xdeb compare-builds: files, control fields, ELF).
  const ref = ['emulated', 'native', 'host'].find((k) => results[k]);
  for (const k of Object.keys(results)) {
    if (k === ref || !ref) continue;
    const r = spawnSync(process.execPath, [join(root, 'bin/xdeb.js'), 'compare-builds', results[ref].out, results[k].out], {
      encoding: 'utf8',
    });
    say(`xdeb compare-builds ${ref} ${k} (exit ${r.status}):`);
    for (const l of r.stdout.trim().split('\n')) say(`  ${l}`);
  }
  say(footer());
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(outFile, lines.join('\n') + '\n');
  say(`written to ${outFile}`);
} finally {
  if (args.includes('--keep')) process.stderr.write(`kept: ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
}

#!/usr/bin/env node
// Where an emulated build spends its time, per program (issue #14): process accounting (accton,
// acct(5)) is on while xdeb-build builds SOURCE in an emulated chroot; the records of the build's
// process tree are summed per command name — processes, CPU seconds (user + system), summed
// elapsed seconds — and each program is said to be a compiler (native through the wrappers when
// --native is in use), a host binary xdeb can swap (src/lib/host-binaries.ts), or neither. This is
// where xdeb's default --host-binaries list comes from.
// Root, acct installed; accounting is machine-wide, so run it on a quiet machine.
//
// Usage: node bench/emulation-profile.mjs --chroot NAME [--no-native | --native CROSS] [--host-binaries[=LIST]] [--top N] [--out FILE] SOURCE
//   SOURCE is what xdeb-build takes (a .dsc, a tree, NAME/SUITE from the chroot's mirror).

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { descendants, parseAcct, timeByCommand } from '../dist/lib/pacct.js';
import { HOST_TOOLS } from '../dist/lib/host-binaries.js';
import { footer, header } from './run-info.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const chroot = opt('--chroot');
const top = Number(opt('--top', 25));
const outFile = opt('--out') && resolve(opt('--out'));
const hostBinaries = args.find((a) => a.startsWith('--host-binaries'));
const source = args.filter((a, i) => !a.startsWith('--') && !['--chroot', '--top', '--out'].includes(args[i - 1])).pop();
if (!chroot || !source) {
  process.stderr.write('usage: node bench/emulation-profile.mjs --chroot NAME [--no-native] [--host-binaries[=LIST]] SOURCE\n');
  process.exit(2);
}

const lines = [];
const say = (s = '') => {
  lines.push(s);
  process.stdout.write(s + '\n');
};
const work = mkdtempSync(join(tmpdir(), 'xdeb-profile-'));
const acct = join(work, 'pacct');
writeFileSync(acct, '');
const argv = [
  join(root, 'bin/xdeb-build.js'),
  '--chroot',
  chroot,
  ...(args.includes('--no-native') ? ['--no-native'] : []),
  ...(opt('--native') ? ['--native', opt('--native')] : []),
  ...(hostBinaries ? [hostBinaries.includes('=') ? hostBinaries : '--host-binaries=default'] : []),
  '--no-publish',
  '--output-dir',
  work,
  '-P',
  'nocheck',
  '--json',
  source,
];
for (const l of header(root)) say(l);
say(`build: xdeb-build ${argv.slice(1).join(' ')}`);
if (spawnSync('accton', [acct]).status !== 0) throw new Error('accton failed (root and the acct package are needed)');
const t0 = Date.now();
let pid;
const code = await new Promise((done) => {
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'], cwd: work });
  pid = child.pid;
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.on('close', (c) => done(c));
});
spawnSync('accton', ['off']);
const wall = (Date.now() - t0) / 1000;
const { records, skipped } = parseAcct(readFileSync(acct));
const mine = descendants(records, pid);
const cpu = mine.reduce((n, r) => n + r.utime + r.stime, 0);
say(
  `exit status ${code}; wall ${wall.toFixed(1)} s; ${mine.length} processes of the build (of ${records.length} accounted, ${skipped} skipped); CPU ${cpu.toFixed(1)} s`,
);
say('');
const swappable = new Map(HOST_TOOLS.flatMap((t) => t.programs.map((p) => [p, t.name])));
const compilers = /^(cc1|cc1plus|collect2|as|ld|ld\.bfd|ld\.gold|lto1|lto-wrapper|gcc(-\d+)?|g\+\+(-\d+)?|cpp(-\d+)?|aarch64-linux-g)/;
say('command            processes    CPU s   share  elapsed s  what');
for (const t of timeByCommand(mine).slice(0, top)) {
  const what = compilers.test(t.comm)
    ? 'compiler'
    : swappable.has(t.comm)
      ? `host binary (${swappable.get(t.comm)})`
      : t.comm === 'sh'
        ? 'host binary (dash, as /bin/sh)'
        : '';
  say(
    `${t.comm.padEnd(18)} ${String(t.processes).padStart(9)} ${t.cpu.toFixed(1).padStart(8)} ${((100 * t.cpu) / (cpu || 1)).toFixed(1).padStart(6)}% ${t.elapsed.toFixed(1).padStart(10)}  ${what}`,
  );
}
say('');
say(footer());
rmSync(work, { recursive: true, force: true });
if (outFile) writeFileSync(outFile, lines.join('\n') + '\n');
process.exit(code === 0 ? 0 : 1);

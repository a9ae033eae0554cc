#!/usr/bin/env node
// Start-up cost of what a user waits for: `xdeb-build --help`, `xdeb --help`, and a TAB.
// Whole processes, median of N runs, against `node -e 0` (and `bash -c :`) as the floor.
// Usage: node bench/startup.mjs [runs]   (needs dist/: npm run build)
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const checkout = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? 30);
const tmp = mkdtempSync(join(tmpdir(), 'xdeb-bench-'));
// A snapshot of the build, so that a concurrent `tsc` rewriting dist/ cannot disturb the runs.
const root = join(tmp, 'pkg');
for (const f of ['package.json', 'bin', 'dist', 'scripts/gen-assets.mjs']) cpSync(join(checkout, f), join(root, f), { recursive: true });
symlinkSync(join(checkout, 'node_modules'), join(root, 'node_modules'));
const gen = spawnSync(process.execPath, [join(root, 'scripts', 'gen-assets.mjs'), '--out', tmp], { encoding: 'utf8' });
if (gen.status !== 0) {
  process.stderr.write(gen.stderr);
  process.exit(1);
}
const script = join(tmp, 'completions', 'bash', 'xdeb-build');

// One completion as readline would call it: COMP_WORDS for "CMD ... arm", then the function.
const tab = (line) => {
  const words = line.split(' ');
  return (
    `COMP_LINE='${line}' COMP_POINT=${line.length} COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}) COMP_CWORD=${words.length - 1}; ` +
    `_xdeb ${words[0]} '${words[words.length - 1]}' '${words[words.length - 2]}'; echo "\${#COMPREPLY[@]}"`
  );
};

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function once(argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', cwd: root });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return { ms, out: r.stdout };
}

const node = process.execPath;
const rows = [
  ['node -e 0 (floor)', [node, '-e', '0'], 'node'],
  ['xdeb-build --help', [node, 'bin/xdeb-build.js', '--help'], 'node'],
  ['xdeb --help', [node, 'bin/xdeb.js', '--help'], 'node'],
  ['xdeb config -a arm64 host-arch', [node, 'bin/xdeb.js', 'config', '-a', 'arm64', 'host-arch'], 'node'],
  ['bash -c : (floor)', ['bash', '--norc', '-c', ':'], 'bash'],
  ['TAB: xdeb-build -a arm', ['bash', '--norc', '-c', `source ${script}; ${tab('xdeb-build -a arm')}`], 'bash'],
  ['TAB: xdeb-satisfydepends -a arm', ['bash', '--norc', '-c', `source ${script}; ${tab('xdeb-satisfydepends -a arm')}`], 'bash'],
  ['TAB: xdeb config -a arm', ['bash', '--norc', '-c', `source ${script}; ${tab('xdeb config -a arm')}`], 'bash'],
  [
    'TAB: the same, with bash-completion',
    ['bash', '--norc', '-c', `source /usr/share/bash-completion/bash_completion; source ${script}; ${tab('xdeb config -a arm')}`],
    'bash',
  ],
  ['bash-completion alone (its floor)', ['bash', '--norc', '-c', 'source /usr/share/bash-completion/bash_completion'], 'bash'],
];

// Round-robin: each round runs every row once, so that a busy machine weighs on all rows alike.
const samples = rows.map(() => []);
const outs = [];
for (let i = 0; i < runs; i++) {
  rows.forEach(([, argv], j) => {
    const { ms, out } = once(argv);
    samples[j].push(ms);
    outs[j] = out;
  });
}
const floors = {};
const results = rows.map(([label, , kind], j) => {
  const ms = median(samples[j]);
  if (label.includes('(floor)')) floors[kind] = ms;
  return { label, ms, kind, out: outs[j].trim().split('\n').pop() };
});

// Inside an interactive shell a TAB costs only the function call: measure 200 of them in one bash.
const inShell = spawnSync(
  'bash',
  [
    '--norc',
    '-c',
    `source /usr/share/bash-completion/bash_completion; source ${script}; s=$EPOCHREALTIME; for i in {1..200}; do ${tab('xdeb config -a arm')} >/dev/null; done; e=$EPOCHREALTIME; echo "$s $e"`,
  ],
  { encoding: 'utf8' },
);
const [s, e] = inShell.stdout.trim().split(' ').map(Number);

const pad = Math.max(...results.map((r) => r.label.length));
process.stdout.write(
  `whole process, median of ${runs} round-robin runs (ms), load average ${loadavg()[0].toFixed(1)}; overhead = above the floor of the same kind\n`,
);
for (const r of results) {
  const floor = floors[r.kind];
  const over = r.label.includes('floor') ? '' : `  +${(r.ms - floor).toFixed(1)} over ${r.kind === 'node' ? 'node -e 0' : 'bash -c :'}`;
  const extra = r.label.startsWith('TAB') ? `  (${r.out} candidates)` : '';
  process.stdout.write(`${r.label.padEnd(pad)}  ${r.ms.toFixed(1).padStart(7)}${over}${extra}\n`);
}
process.stdout.write(
  `${'one TAB inside a running bash'.padEnd(pad)}  ${(((e - s) * 1000) / 200).toFixed(2).padStart(7)}  (200 calls, bash-completion loaded)\n`,
);
rmSync(tmp, { recursive: true, force: true });

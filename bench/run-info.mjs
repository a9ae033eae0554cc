// What every bench result file states about the run it comes from: the date, the commit of the
// checkout the bench ran from and whether its tree was clean, the machine, the tools' versions and
// /proc/loadavg at the start and at the end; and the median of several runs.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const sh = (cmd, args, trim = true) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? (trim ? r.stdout.trim() : r.stdout) : '';
};

/** The content of /proc/loadavg (1, 5 and 15 minutes, runnable/total, last pid). */
export const procLoadavg = () => readFileSync('/proc/loadavg', 'utf8').trim();

/** The middle value (for an even count, the mean of the two middle ones). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** "median X [a b c]" with every run, each formatted by fmt. */
export const runsAndMedian = (xs, fmt = (x) => x.toFixed(1)) => `median ${fmt(median(xs))}  [runs: ${xs.map(fmt).join(' ')}]`;

/**
 * Header lines: date, commit and cleanliness of the checkout, machine, tool versions (label →
 * command line whose first output line is the version), load at the start.
 */
export function header(checkout, tools = {}) {
  const git = (...a) => sh('git', ['-C', checkout, ...a]);
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown';
  const status = sh('git', ['-C', checkout, 'status', '--porcelain', '--untracked-files=no'], false).split('\n').filter(Boolean);
  const clean =
    status.length === 0 ? 'clean tree' : `UNCOMMITTED CHANGES in ${[...new Set(status.map((l) => l.slice(3).split('/')[0]))].join(', ')}`;
  const cpu = cpus();
  const lines = [
    `date: ${new Date().toISOString()}`,
    `commit: ${commit} (${clean}; ${git('log', '-1', '--format=%cI %s', 'HEAD').slice(0, 100)})`,
    `machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}, shared with other work; /proc/loadavg at start: ${procLoadavg()}`,
  ];
  const versions = [`node ${process.version}`];
  for (const [label, argv] of Object.entries(tools)) {
    const out = sh(argv[0], argv.slice(1)) || sh('sh', ['-c', `${argv.join(' ')} 2>&1`]);
    versions.push(`${label} ${out.split('\n')[0].trim() || 'unknown'}`);
  }
  lines.push(`tools: ${versions.join('; ')}`);
  return lines;
}

/** The closing line. */
export const footer = () => `/proc/loadavg at end: ${procLoadavg()}; finished ${new Date().toISOString()}`;

/** The version of an installed Debian package, from dpkg-query. */
export const debVersion = (pkg) => ['dpkg-query', '-W', '-f', '${Version}', pkg];

// The cross-buildability report (docs/report.md) as data and as one HTML page: per source the
// satisfiability verdict with its reason, the build result with links to its logs, and a summary.
// Plain HTML and CSS (no script), readable in any browser and from a file: URL.

export type Verdict = 'satisfiable' | 'unsatisfiable' | 'loop';
export type BuildStatus = 'built' | 'failed' | 'skipped' | 'not built';

export interface ReportRow {
  source: string;
  version: string;
  arch: string;
  /** null for a full build, else the stage (stage1…). */
  stage: string | null;
  verdict: Verdict;
  /** Why: the unmet build-dependency, the loop, or why it is in the plan. */
  reason: string;
  build: BuildStatus;
  /** What the build step said: the failure, why it was skipped, the suite it went to. */
  note?: string;
  seconds?: number;
  /** Links relative to the report's directory. */
  log?: string;
  messages?: string;
}

export interface ReportData {
  title: string;
  generated: string;
  buildArch: string;
  hostArch: string;
  profiles: string[];
  /** The command that made it. */
  command?: string;
  rows: ReportRow[];
}

export interface ReportSummary {
  sources: number;
  satisfiable: number;
  unsatisfiable: number;
  loop: number;
  built: number;
  failed: number;
  skipped: number;
  notBuilt: number;
}

export function summarizeReport(rows: readonly ReportRow[]): ReportSummary {
  const count = (f: (r: ReportRow) => boolean) => rows.filter(f).length;
  return {
    sources: rows.length,
    satisfiable: count((r) => r.verdict === 'satisfiable'),
    unsatisfiable: count((r) => r.verdict === 'unsatisfiable'),
    loop: count((r) => r.verdict === 'loop'),
    built: count((r) => r.build === 'built'),
    failed: count((r) => r.build === 'failed'),
    skipped: count((r) => r.build === 'skipped'),
    notBuilt: count((r) => r.build === 'not built'),
  };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A relative link as an href: each path segment percent-encoded. */
function href(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

const CSS = `
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; margin-bottom: .2em; }
p.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.verdict, td.build { font-weight: bold; white-space: nowrap; }
tr.v-satisfiable td.verdict, tr.b-built td.build { color: #176117; }
tr.v-unsatisfiable td.verdict, tr.v-loop td.verdict, tr.b-failed td.build { color: #a31515; }
tr.b-skipped td.build, tr.b-not-built td.build { color: #8a6d00; }
table.summary { width: auto; margin-bottom: 1.2em; }
td.reason { font-family: ui-monospace, monospace; font-size: .9em; }
`;

/** The report as a complete HTML document. */
export function renderReportHtml(d: ReportData): string {
  const s = summarizeReport(d.rows);
  const e = escapeHtml;
  const summaryRows: [string, string, number][] = [
    ['summary-sources', 'sources', s.sources],
    ['summary-satisfiable', 'satisfiable', s.satisfiable],
    ['summary-unsatisfiable', 'unsatisfiable', s.unsatisfiable],
    ['summary-loop', 'in a loop nothing breaks', s.loop],
    ['summary-built', 'built', s.built],
    ['summary-failed', 'build failed', s.failed],
    ['summary-skipped', 'skipped', s.skipped],
    ['summary-not-built', 'not built', s.notBuilt],
  ];
  const rows = d.rows.map((r) => {
    const links = [
      r.log ? `<a class="log" href="${e(href(r.log))}">build log</a>` : '',
      r.messages ? `<a class="messages" href="${e(href(r.messages))}">messages</a>` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    const stage = r.stage ? ` <span class="stage">[${e(r.stage)}]</span>` : '';
    return (
      `<tr class="source v-${r.verdict} b-${r.build.replace(' ', '-')}" data-source="${e(r.source)}" data-verdict="${r.verdict}" data-build="${r.build}">` +
      `<td class="name">${e(r.source)}${stage}</td><td class="version">${e(r.version)}</td><td class="arch">${e(r.arch)}</td>` +
      `<td class="verdict">${r.verdict}</td><td class="reason">${e(r.reason)}</td>` +
      `<td class="build">${r.build}${r.seconds !== undefined ? ` <span class="seconds">(${r.seconds.toFixed(1)} s)</span>` : ''}</td>` +
      `<td class="note">${e(r.note ?? '')}</td><td class="links">${links}</td></tr>`
    );
  });
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${e(d.title)}</title>`,
    `<style>${CSS}</style></head><body>`,
    `<h1>${e(d.title)}</h1>`,
    `<p class="meta">Cross-building for <b>${e(d.hostArch)}</b> on ${e(d.buildArch)}, profiles ${e(d.profiles.join(', ') || '(none)')}; generated ${e(d.generated)}${d.command ? ` by <code>${e(d.command)}</code>` : ''}.</p>`,
    '<table class="summary"><tbody>',
    ...summaryRows.map(([id, label, n]) => `<tr><th>${e(label)}</th><td id="${id}">${n}</td></tr>`),
    '</tbody></table>',
    '<table class="sources"><thead><tr><th>source</th><th>version</th><th>arch</th><th>verdict</th><th>reason</th><th>build</th><th>note</th><th>logs</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table>',
    '</body></html>',
    '',
  ].join('\n');
}

/** What the report needs of a plan step (src/lib/plan.ts PlanStep). */
export interface ReportStep {
  n: number;
  source: string;
  version: string;
  arch: string;
  stage: string | null;
  why: string;
  loop?: number;
  unsatisfiable?: string;
}

/** What the report needs of a step's state (src/adapters/sequence-run.ts StepState). */
export interface ReportStepState {
  status: string;
  note?: string;
  seconds?: number;
  suite?: string;
}

/** A loop's description for the reason column: each build needs the next one's binaries. */
export interface ReportLoop {
  n: number;
  unbroken: { cycle: { source: string; binaries: string[] }[] }[];
}

/** One row per step of a plan (and its state when it was run). */
export function reportRows(
  steps: readonly ReportStep[],
  loops: readonly ReportLoop[],
  states?: readonly (ReportStepState | undefined)[],
  links?: (n: number) => { log?: string; messages?: string },
): ReportRow[] {
  return steps.map((s, i) => {
    let verdict: Verdict = 'satisfiable';
    let reason = `its build-dependencies can be satisfied (${s.why})`;
    if (s.unsatisfiable !== undefined) {
      verdict = 'unsatisfiable';
      reason = s.unsatisfiable;
    } else if (s.loop !== undefined) {
      verdict = 'loop';
      const loop = loops.find((l) => l.n === s.loop);
      const cycle = loop?.unbroken.find((u) => u.cycle.some((c) => c.source === s.source)) ?? loop?.unbroken[0];
      reason = `in loop ${s.loop}, which nothing breaks${cycle ? `: ${cycle.cycle.map((c) => `${c.source} needs ${c.binaries.join(', ')}`).join(' → ')}` : ''}`;
    }
    const st = states?.[i];
    const build: BuildStatus =
      st?.status === 'done' ? 'built' : st?.status === 'failed' ? 'failed' : st?.status === 'skipped' ? 'skipped' : 'not built';
    const note = st?.status === 'done' ? (st.suite ? `published to ${st.suite}` : undefined) : st?.note;
    const l = links?.(s.n) ?? {};
    return {
      source: s.source,
      version: s.version,
      arch: s.arch,
      stage: s.stage,
      verdict,
      reason,
      build,
      ...(note ? { note } : {}),
      ...(st?.seconds !== undefined && st.status !== 'pending' ? { seconds: st.seconds } : {}),
      ...(l.log ? { log: l.log } : {}),
      ...(l.messages ? { messages: l.messages } : {}),
    };
  });
}

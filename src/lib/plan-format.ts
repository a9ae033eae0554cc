// A plan as a person reads it (text) and as Graphviz draws it (dot). JSON is the Plan itself.

import type { Plan, PlanEdgeRef, PlanStep } from './plan.js';
import { formatToolchainStages } from './toolchain-stages.js';

function plural(n: number, one: string, many = one + 's'): string {
  return `${n} ${n === 1 ? one : many}`;
}

function stepName(s: PlanStep, plan: Plan): string {
  return `${s.source}${s.arch === plan.hostArch ? '' : `:${s.arch}`} ${s.version}${s.stage ? ` [${s.stage}]` : ''}`;
}

function ref(r: PlanEdgeRef): string {
  return `${r.source}${r.stage ? ` [${r.stage}]` : ''}`;
}

function binaries(list: readonly string[], max = 4): string {
  return list.length <= max ? list.join(', ') : `${list.slice(0, max).join(', ')} and ${list.length - max} more`;
}

/** The summary line: how many builds, loops, staged builds. */
export function planSummary(plan: Plan): string {
  const arch = plan.buildArch === plan.hostArch ? `${plan.hostArch} (native)` : `${plan.hostArch} (cross from ${plan.buildArch})`;
  const broken = plan.loops.filter((l) => l.broken).length;
  const unbroken = plan.loops.length - broken;
  let s = `${plural(plan.steps.length, 'build')} for ${arch}`;
  // The closure: the sources asked for, and how many more their builds need (each step's `why` says by whom).
  const asked = new Set(plan.steps.filter((x) => x.explicit).map((x) => `${x.source}:${x.arch}`)).size;
  const needed = new Set(plan.steps.filter((x) => !x.explicit).map((x) => `${x.source}:${x.arch}`)).size;
  if (needed) s += ` (${asked} asked for, ${needed} more needed by them)`;
  if (plan.toolchain)
    s += `, the ${plan.hostArch} ones with the toolchain ${plan.toolchain.name} (suites flavour-${plan.toolchain.flavour})`;
  if (plan.loops.length) {
    s += `; ${plural(plan.loops.length, 'loop')}`;
    const how: string[] = [];
    const seeds = plan.stats.seedBuilds ?? 0;
    if (plan.stats.stagedBuilds - seeds) how.push(plural(plan.stats.stagedBuilds - seeds, 'staged build'));
    if (seeds) how.push(plural(seeds, 'seed build'));
    if (plan.stats.nocheckBuilds) how.push(plural(plan.stats.nocheckBuilds, 'final nocheck/nodoc build'));
    if (broken) s += `, ${broken} broken${how.length ? ` (${how.join(', ')})` : ''}`;
    if (unbroken) s += `, ${unbroken} NOT broken`;
  }
  return s;
}

/** How a build chosen for a loop breaks it, for the loops section. */
function howBroken(s: Plan['loops'][number]['staged'][number]): string {
  switch (s.kind) {
    case 'seed':
      return `as a seed (against the repositories${s.profiles.length ? `, with ${s.profiles.join(',')}` : ''})`;
    case 'drop':
      return `without ${s.drops?.join(', ')} (a droppable list)`;
    case 'hint':
      return `${s.drops?.length ? `without ${s.drops.join(', ')}` : `with ${s.profiles.join(',')}`} (a hint)`;
    default:
      return `with ${s.profiles.join(',')}`;
  }
}

export function formatPlanText(plan: Plan, opts: { maxLoops?: number } = {}): string {
  const lines: string[] = [planSummary(plan)];
  const width = String(plan.steps.length).length;
  for (const s of plan.steps) {
    let line = `${String(s.n).padStart(width)}. ${stepName(s, plan)}`;
    const extra: string[] = [];
    if (s.stage || s.profiles.join(',') !== plan.profiles.join(','))
      extra.push(s.profiles.length ? `-P ${s.profiles.join(',')}` : 'no profiles');
    if (s.after.length)
      extra.push(`after ${s.after.length > 8 ? `${s.after.slice(0, 8).join(',')},…(${s.after.length})` : s.after.join(',')}`);
    if (s.loop !== undefined) extra.push(`STUCK in loop ${s.loop}`);
    if (s.unsatisfiable) extra.push(`CANNOT BUILD: ${s.unsatisfiable}`);
    if (extra.length) line += `  (${extra.join('; ')})`;
    lines.push(line);
    if (s.added)
      lines.push(
        `${' '.repeat(width + 4)}with ${s.added.profiles.join(',')}: ${s.added.reason.replace(/^unsatisfiable without [^:]*: /, 'unsatisfiable without it: ')}`,
      );
    for (const nd of s.needs ?? []) {
      const from = plan.steps[nd.step - 1]!;
      lines.push(
        `${' '.repeat(width + 4)}needs ${binaries(nd.binaries, 6)} from ${nd.step}. ${stepName(from, plan)}${nd.soft ? ' (or the existing build)' : ''}`,
      );
    }
  }
  const loops = plan.loops.slice(0, opts.maxLoops ?? plan.loops.length);
  if (loops.length) lines.push('', 'Loops:');
  for (const l of loops) {
    const who = l.sources.length > 12 ? `${l.sources.slice(0, 12).join(', ')} and ${l.sources.length - 12} more` : l.sources.join(', ');
    lines.push(`  loop ${l.n} (${plural(l.sources.length, 'source')}: ${who}): ${l.broken ? 'broken' : 'NOT BROKEN'}`);
    for (const e of l.existing) lines.push(`    ${e.source} uses the existing ${binaries(e.needs.binaries)} (${e.needs.source})`);
    for (const s of [...l.staged, ...l.nocheck]) {
      const what = s.breaks.map((b) => `${b.source} (${binaries(b.binaries, 2)})`);
      const without = what.length > 6 ? `${what.slice(0, 6).join(', ')} and ${what.length - 6} more` : what.join(', ');
      lines.push(`    step ${s.step}: ${s.source} ${howBroken(s)} does without ${without}${s.evidence ? `: ${s.evidence}` : ''}`);
    }
    for (const r of l.seeded ?? [])
      lines.push(`    step ${r.first}: ${r.source} first built against the seed, again at step ${r.step} against the set's own builds`);
    for (const u of l.unbroken) {
      lines.push(
        `    nothing breaks ${u.sources.length === 1 ? u.sources[0] : `these ${u.sources.length} builds`} (no profile, droppable build-dependency, seed or hint); shortest cycle:`,
      );
      u.cycle.forEach((c, i) => {
        const next = u.cycle[(i + 1) % u.cycle.length]!;
        lines.push(`      ${ref(c)} needs ${binaries(c.binaries, 3)} from ${ref(next)}`);
      });
    }
  }
  if (plan.loops.length > loops.length) lines.push(`  … and ${plan.loops.length - loops.length} more loops (--json lists them all)`);
  if (plan.toolchainStages?.length) lines.push('', formatToolchainStages(plan.toolchainStages, { evidence: false }).trimEnd());
  if (plan.hints?.length) {
    lines.push('', 'Hints:');
    for (const h of plan.hints) {
      if (h.avoid?.length) {
        lines.push(`  ${h.file}:${h.line}: ${h.source} never with ${h.avoid.join(',')} — ${h.reason}`);
        continue;
      }
      const what = h.drops?.length ? `without ${h.drops.join(', ')}` : `with ${h.profiles?.join(',')}`;
      lines.push(
        `  ${h.file}:${h.line}: ${h.source} ${what}: ${h.step ? `used by step ${h.step}` : `not used (${h.unused})`} — ${h.reason}`,
      );
    }
  }
  if (plan.problems.length) {
    lines.push('', 'Problems:');
    for (const p of plan.problems.slice(0, 50)) lines.push(`  ${p.message}`);
    if (plan.problems.length > 50) lines.push(`  … and ${plan.problems.length - 50} more`);
  }
  return lines.join('\n') + '\n';
}

function q(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Graphviz: one box per step (staged builds dashed, builds stuck in a loop red), an arrow from
 * each build to the builds that need it (the arrows follow the build order), each loop a cluster.
 */
export function formatPlanDot(plan: Plan): string {
  const lines = [
    'digraph xdeb_sequence {',
    `  label=${q(planSummary(plan))}; labelloc=t; rankdir=LR;`,
    '  node [shape=box, style=rounded, fontname="sans-serif", fontsize=10];',
    '  edge [fontname="sans-serif", fontsize=8, color="#555555"];',
  ];
  const loopOf = new Map<string, number>();
  for (const l of plan.loops) for (const s of l.sources) if (!loopOf.has(s)) loopOf.set(s, l.n);
  const inCluster = new Map<number, number[]>();
  for (const s of plan.steps) {
    const key = s.arch === plan.hostArch ? s.source : `${s.source}:${s.arch}`;
    const l = loopOf.get(key);
    if (l !== undefined) inCluster.set(l, [...(inCluster.get(l) ?? []), s.n]);
  }
  for (const s of plan.steps) {
    const attrs = [`label=${q(`${s.n}. ${stepName(s, plan)}`)}`];
    if (s.stage) attrs.push('style="rounded,dashed"', 'color="#1f6fb2"');
    if (s.loop !== undefined || s.unsatisfiable) attrs.push('color="#c0392b"', 'fontcolor="#c0392b"');
    if (s.explicit) attrs.push('penwidth=2');
    lines.push(`  s${s.n} [${attrs.join(', ')}];`);
  }
  for (const [l, members] of inCluster) {
    const loop = plan.loops[l - 1]!;
    lines.push(
      `  subgraph cluster_loop${l} {`,
      `    label=${q(`loop ${l}${loop.broken ? '' : ' (not broken)'}`)}; style=dashed; color=${loop.broken ? '"#888888"' : '"#c0392b"'};`,
    );
    lines.push(`    ${members.map((n) => `s${n}`).join('; ')};`, '  }');
  }
  for (const s of plan.steps) {
    for (const a of s.after) {
      const attrs: string[] = [];
      const from = plan.steps[a - 1]!;
      if (from.loop !== undefined && from.loop === s.loop) attrs.push('color="#c0392b"');
      if (from.source === s.source && from.arch === s.arch) attrs.push('style=dotted');
      lines.push(`  s${a} -> s${s.n}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
    }
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

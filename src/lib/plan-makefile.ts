// A plan as a Makefile: the zero-infrastructure executor. One target a step, a stamp file that
// `xdeb-sequence --run-step` leaves when the step is built, prerequisites the steps it needs;
// `make -j N -k` runs it side by side and goes on past failures, and running it again builds only
// what has no stamp.

import { shellQuote } from './chroot-spec.js';
import { UsageError } from './errors.js';
import type { Plan } from './plan.js';

export interface MakefileInput {
  plan: Plan;
  stateFile: string;
  /** The directory of the stamp files (one per step, NNNN.built). */
  stampDir: string;
  /** How to call xdeb-sequence (node and its script, or the installed command). */
  command: readonly string[];
}

/** Quote for the shell of a recipe line, and $ for make. */
function q(s: string): string {
  return shellQuote(s).replace(/\$/g, '$$$$');
}

/** A make target name: make has no quoting for names, so a path with blanks, : or # cannot be one. */
function checkPath(p: string): string {
  if (/[\s:#%$\\]/.test(p)) throw new UsageError(`${p}: make cannot name a target with blanks, ':', '#', '%', '$' or '\\' in it`);
  return p;
}

export function stampName(n: number): string {
  return `${String(n).padStart(4, '0')}.built`;
}

export function planMakefile({ plan, stateFile, stampDir, command }: MakefileInput): string {
  const dir = checkPath(stampDir);
  const stamp = (n: number) => `$(STAMPS)/${stampName(n)}`;
  const lines = [
    `# The xdeb-sequence plan of ${stateFile}: ${plan.steps.length} build${plan.steps.length === 1 ? '' : 's'} for ${plan.hostArch}.`,
    '# make -f THIS -j N -k: steps side by side, past failures; run again, it builds only the steps without a stamp.',
    '# A step needed softly (the repositories have its binaries) is still a prerequisite here: make cannot say "after, if it is built".',
    `XDEB_SEQUENCE = ${command.map(q).join(' ')}`,
    `STATE = ${q(stateFile)}`,
    `STAMPS = ${dir}`,
    '',
    '.PHONY: all',
    `all:${plan.steps.map((s) => ` ${stamp(s.n)}`).join('')}`,
    '',
  ];
  for (const s of plan.steps) {
    const what = `${s.source}${s.arch === plan.hostArch ? '' : `:${s.arch}`} ${s.version}${s.stage ? ` [${s.stage}]` : ''}`;
    lines.push(
      `# ${s.n}. ${what}`,
      `${stamp(s.n)}:${s.after.map((a) => ` ${stamp(a)}`).join('')}`,
      `\t$(XDEB_SEQUENCE) --state $(STATE) --run-step ${s.n}`,
      `\t@mkdir -p $(STAMPS) && touch $@`,
      '',
    );
  }
  return lines.join('\n');
}

// The options every command gets on top of its own, declared once for the parser, --help,
// completion and the man pages.

import type { CommandSpec, OptionSpec } from './spec.js';

export const JSON_OPTION: OptionSpec = { flags: '--json', description: 'print the result as JSON on stdout' };

export const COMMON_OPTIONS: OptionSpec[] = [
  { flags: '-q, --quiet', description: 'print nothing but data and errors' },
  { flags: '-v, --verbose', description: 'say what is being done, also when not on a terminal' },
];

export const HELP_OPTION: OptionSpec = { flags: '-h, --help', description: 'show this help' };

/** A command's own options, then --json when it prints data, then --quiet/--verbose when it runs. */
export function allOptions(spec: CommandSpec): OptionSpec[] {
  const opts = [...(spec.options ?? [])];
  if (spec.json) opts.push(JSON_OPTION);
  if (spec.run) opts.push(...COMMON_OPTIONS);
  return opts;
}

export interface ParsedFlags {
  short?: string;
  long?: string;
  /** '<arch>' or '[n]' when the option takes a value. */
  value?: string;
  /** The value may be left out ('[n]'). */
  optionalValue: boolean;
}

/** Split commander's flag syntax: '-a, --host-arch <arch>' → short -a, long --host-arch, value <arch>. */
export function parseFlags(flags: string): ParsedFlags {
  const out: ParsedFlags = { optionalValue: false };
  for (const part of flags.split(/[ ,|]+/).filter(Boolean)) {
    if (part.startsWith('--')) out.long = part;
    else if (part.startsWith('-')) out.short = part;
    else if (part.startsWith('<') || part.startsWith('[')) {
      out.value = part;
      out.optionalValue = part.startsWith('[');
    }
  }
  return out;
}

// A command is declared once, as data: the umbrella `xdeb <cmd>`, the `xdeb-<cmd>` binary,
// --help, the man page and shell completion are all generated from the same CommandSpec.

import type { Flags } from './flags.js';
import type { Output } from './output.js';

/** What a shell completes for a value. */
export type Completion = 'arch' | 'file' | 'dir' | 'source' | 'profile' | 'chroot' | 'dsc' | 'changes' | readonly string[];

export interface OptionSpec {
  /** Commander syntax: '-a, --host-arch <arch>', '--list', '--repo <file|url>'. */
  flags: string;
  description: string;
  default?: string | boolean | number;
  /** Values allowed (checked by the parser, offered by completion). */
  choices?: readonly string[];
  /** May be given several times; the values are collected in order. */
  repeatable?: boolean;
  complete?: Completion;
  /** Parse the value as a whole number. */
  integer?: boolean;
}

export interface ArgSpec {
  name: string;
  description: string;
  variadic?: boolean;
  required?: boolean;
  complete?: Completion;
}

export interface Example {
  command: string;
  description: string;
}

export interface RunContext {
  /** Positional arguments, variadic ones flattened. */
  args: string[];
  /** The options, read back with their types. */
  flags: Flags;
  out: Output;
  /** How the user called us, for messages: 'xdeb-build' or 'xdeb build'. */
  prog: string;
  /** Every command (for completion scripts and help). */
  commands: readonly CommandSpec[];
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Paragraphs for --help and the man page. */
  description?: string;
  args?: ArgSpec[];
  options?: OptionSpec[];
  examples?: Example[];
  /** Exit codes beyond the common ones (docs/exit-status.md). */
  exitStatus?: { code: number; meaning: string }[];
  subcommands?: CommandSpec[];
  /** Installed as its own `xdeb-<name>` binary. */
  standalone?: boolean;
  /** Prints data: gets --json. */
  json?: boolean;
  /** Returns the exit code (0 when undefined). */
  run?: (ctx: RunContext) => Promise<number | void>;
  /** The shape of the --json output, for the man page and docs/scripting.md. */
  jsonOutput?: string;
  /** Files the command reads or writes (man page FILES), beyond the configuration files. */
  files?: { path: string; description: string }[];
  /** Environment variables the command reads (man page ENVIRONMENT), beyond XDEB_*. */
  environment?: { name: string; description: string }[];
  /** Related man pages: 'xdeb-build', 'dpkg-buildpackage(1)'. */
  seeAlso?: string[];
}

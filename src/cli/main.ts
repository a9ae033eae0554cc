// The one entry point: `xdeb <cmd> …` and every `xdeb-<cmd>` launcher come here. This is the
// only place that reads argv, catches errors and chooses the exit code (docs/exit-status.md).

import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT, XdebError } from '../lib/errors.js';
import { Flags } from '../ui/flags.js';
import { Output } from '../ui/output.js';
import { commands, findCommand } from './registry.js';
import { allOptions } from '../ui/options.js';
import type { CommandSpec } from '../ui/spec.js';

/** Commander's action arguments: a string, a variadic list, or undefined for an optional one left out. */
function positionalStrings(a: unknown): string[] {
  if (typeof a === 'string') return [a];
  if (Array.isArray(a)) return a.filter((x): x is string => typeof x === 'string');
  return [];
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('not a whole number.');
  return Number(value);
}

/** Words of `text` in lines of at most `width` columns, the first after `first`, the others after `rest`. */
export function wrapText(text: string, first: string, rest: string, width = 80): string {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const w of text.split(/\s+/).filter(Boolean)) {
    if (!empty && line.length + 1 + w.length > width) {
      lines.push(line);
      line = rest + w;
    } else line += (empty ? '' : ' ') + w;
    empty = false;
  }
  lines.push(line);
  return lines.join('\n');
}

export function helpFooter(spec: CommandSpec, prog: string): string {
  let s = '';
  if (spec.examples?.length) {
    s += '\nExamples:\n';
    // Commands stay on one line, to be copied whole.
    for (const ex of spec.examples) s += `  $ ${ex.command}\n${wrapText(ex.description, '      ', '      ')}\n`;
  }
  s += '\nExit status: 0 ok, 1 the answer is no, 2 usage or bad input, 3 environment,\n  70 internal error, 130 interrupted';
  for (const e of spec.exitStatus ?? []) s += `\n${wrapText(e.meaning, `  ${e.code}: `, ' '.repeat(`  ${e.code}: `.length))}`;
  s += `\nSee: man ${prog.split(' ').slice(0, 2).join('-')}\n`;
  return s;
}

/**
 * Descriptions are written with line breaks for a wide terminal; commander wraps each line again
 * to the terminal's width, which left ragged lines at 80 columns. Paragraphs of prose become one
 * line each for commander to wrap; indented or bulleted lines keep their breaks.
 */
export function reflow(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => (p.split('\n').some((l) => /^(\s|[-*•] |\$ )/.test(l)) ? p : p.replace(/\s*\n\s*/g, ' ')))
    .join('\n\n');
}

function build(
  spec: CommandSpec,
  cmd: Command,
  prog: string,
  run: (spec: CommandSpec, prog: string, args: unknown[]) => Promise<void>,
): Command {
  cmd.exitOverride();
  cmd.configureOutput({
    writeErr: (s) => process.stderr.write(s),
    outputError: (s, write) => write(`${prog}: error: ${s.replace(/^error: /, '')}`),
  });
  cmd.allowExcessArguments(false);
  cmd.description(spec.description ? `${spec.summary}\n\n${reflow(spec.description)}` : spec.summary);
  cmd.summary(spec.summary);
  cmd.helpOption('-h, --help', 'show this help');
  for (const a of spec.args ?? []) {
    const name = a.variadic ? `${a.name}...` : a.name;
    cmd.argument(a.required ? `<${name}>` : `[${name}]`, a.description);
  }
  for (const o of allOptions(spec)) {
    const opt = new Option(o.flags, o.description);
    if (o.choices) opt.choices(o.choices);
    if (o.repeatable) opt.argParser(collect);
    else if (o.integer) opt.argParser(wholeNumber);
    if (o.default !== undefined) opt.default(o.default);
    cmd.addOption(opt);
  }
  cmd.addHelpText('after', helpFooter(spec, prog));
  cmd.showHelpAfterError(false);
  for (const sub of spec.subcommands ?? []) {
    build(sub, cmd.command(sub.name), `${prog} ${sub.name}`, run);
  }
  if (spec.run) cmd.action((...args: unknown[]) => run(spec, prog, args));
  return cmd;
}

function report(err: unknown, prog: string): number {
  if (err instanceof XdebError) {
    process.stderr.write(`${prog}: error: ${err.message}\n`);
    for (const d of err.details) process.stderr.write(`  ${d}\n`);
    return err.exitCode;
  }
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
    // Commander has printed its own message already.
    return EXIT.usage;
  }
  if (err && typeof err === 'object' && (err as NodeJS.ErrnoException).code === 'EPIPE') return EXIT.ok;
  process.stderr.write(`${prog}: internal error (this is a bug in xdeb, please report it):\n`);
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT.internal;
}

/** Run a command; `standalone` is the command of an `xdeb-<name>` launcher, else the umbrella. */
export async function main(argv: string[] = process.argv.slice(2), standalone?: string): Promise<number> {
  let exitCode: number = EXIT.ok;
  const run = async (spec: CommandSpec, prog: string, args: unknown[]): Promise<void> => {
    const cmd = args[args.length - 1];
    if (!(cmd instanceof Command)) throw new Error('commander passed no command to the action');
    const flags = new Flags(cmd.opts());
    const positional = args.slice(0, -2).flatMap(positionalStrings);
    const out = new Output({ prog, json: flags.boolean('json'), quiet: flags.boolean('quiet'), verbose: flags.boolean('verbose') });
    let code: number | void;
    try {
      // dpkg's architecture tables, when installed, for every command (docs/design.md §4).
      (await import('../adapters/dpkg-tables.js')).useSystemArchTable();
      code = await spec.run!({ args: positional, flags, out, prog, commands });
    } catch (err) {
      // Reported here so that the message names the command: 'xdeb deps reduce: error: …'.
      code = report(err, prog);
    }
    exitCode = code ?? EXIT.ok;
  };

  let program: Command;
  let prog: string;
  if (standalone) {
    const spec = findCommand(standalone);
    if (!spec) throw new Error(`no command ${standalone}`);
    prog = `xdeb-${standalone}`;
    program = build(spec, new Command(prog), prog, run);
  } else {
    prog = 'xdeb';
    program = new Command('xdeb');
    program.exitOverride();
    program.configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(`xdeb: error: ${s.replace(/^error: /, '')}`),
    });
    program.description('Cross-build Debian packages: xdeb <command> is the same as xdeb-<command>.');
    program.helpOption('-h, --help', 'show this help');
    program.version(packageVersion(), '--version', 'print the version');
    program.helpCommand('help [command]', 'show help for a command');
    // Names only in the list (each command's --help has its arguments): long terms left commander
    // too narrow a column to wrap the summaries in 80 columns.
    program.configureHelp({ subcommandTerm: (cmd) => cmd.name() });
    for (const spec of commands) build(spec, program.command(spec.name), `xdeb ${spec.name}`, run);
    program.addHelpText('after', `\nEvery command also exists as xdeb-<command> where installed (xdeb-build, …).\nSee: man xdeb\n`);
  }

  const unknown = standalone ? undefined : unknownCommand(argv);
  if (unknown !== undefined) {
    // Commander would show the umbrella help (exit 0) for `xdeb NOSUCH --help` and `xdeb help NOSUCH`.
    process.stderr.write(`xdeb: error: unknown command '${unknown}' (xdeb help lists the commands)\n`);
    return EXIT.usage;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    exitCode = report(err, prog);
  }
  return exitCode;
}

/** The command word of an umbrella command line that names no command ('help NOSUCH' too), else undefined. */
function unknownCommand(argv: readonly string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const first = words[0];
  if (first === undefined) return undefined;
  const named = first === 'help' ? words[1] : first;
  return named === undefined || findCommand(named) ? undefined : named;
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** For the bin/ launchers: run and exit with the code. */
export function launch(standalone?: string): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.ok);
  });
  main(process.argv.slice(2), standalone).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.exitCode = report(err, standalone ? `xdeb-${standalone}` : 'xdeb');
    },
  );
}

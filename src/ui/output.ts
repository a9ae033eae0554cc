// Where things are printed. Data goes to stdout and nothing else does; messages go to stderr,
// and chatter is silent when stderr is not a terminal (scripts), unless --verbose.

export interface OutputOptions {
  quiet?: boolean;
  verbose?: boolean;
  json?: boolean;
  prog: string;
}

export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly prog: string;
  /** Interactive: progress bars and chatter are wanted. */
  readonly tty: boolean;

  constructor(opts: OutputOptions) {
    this.prog = opts.prog;
    this.json = !!opts.json;
    this.quiet = !!opts.quiet;
    this.verbose = !!opts.verbose;
    this.tty = !!process.stderr.isTTY && !this.quiet;
  }

  /** Data for stdout (a line is added). */
  data(text: string): void {
    process.stdout.write(text.endsWith('\n') || text === '' ? text : text + '\n');
  }

  jsonData(value: unknown): void {
    process.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }

  /** Progress and what is being done: shown in a terminal or with --verbose. */
  info(message: string): void {
    if (this.verbose || (this.tty && !this.quiet)) process.stderr.write(message + '\n');
  }

  /** Only with --verbose. */
  debug(message: string): void {
    if (this.verbose) process.stderr.write(message + '\n');
  }

  /** Always shown, unless --quiet. */
  warn(message: string): void {
    if (!this.quiet) process.stderr.write(`${this.prog}: warning: ${message}\n`);
  }

  /** Always shown. */
  error(message: string): void {
    process.stderr.write(`${this.prog}: error: ${message}\n`);
  }
}

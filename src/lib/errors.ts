// Typed errors. src/cli maps each class to its documented exit code (docs/exit-status.md);
// anything else that escapes is a bug (exit 70, with a stack trace).

export const EXIT = {
  ok: 0,
  no: 1, // the answer is "no": unsatisfiable, build failed, versions compare false
  usage: 2, // bad invocation or bad input
  environment: 3, // the system is not as needed: a tool missing, a repository not answering
  internal: 70,
  interrupted: 130,
} as const;

export abstract class XdebError extends Error {
  abstract readonly exitCode: number;
  /** Lines printed after the message (reasons, chains, hints). */
  details: string[] = [];
  constructor(message: string, details?: string[]) {
    super(message);
    this.name = new.target.name;
    if (details) this.details = details;
  }
}

/** Bad command line. */
export class UsageError extends XdebError {
  readonly exitCode = EXIT.usage;
}

/** Where in which input something went wrong: "file:line". */
export interface InputLocation {
  file?: string;
  line?: number;
}

export function formatLocation(loc: InputLocation): string {
  if (loc.file === undefined) return loc.line === undefined ? '' : `line ${loc.line}`;
  return loc.line === undefined ? loc.file : `${loc.file}:${loc.line}`;
}

/** Malformed input data (control file, version, relation, architecture, configuration). */
export class InputError extends XdebError {
  readonly exitCode = EXIT.usage;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly reason: string;
  constructor(reason: string, loc: InputLocation = {}, details?: string[]) {
    const where = formatLocation(loc);
    super(where ? `${where}: ${reason}` : reason, details);
    this.reason = reason;
    this.file = loc.file;
    this.line = loc.line;
  }
  /** The same error, placed in a file (and line) that the thrower did not know. */
  at(loc: InputLocation): InputError {
    return new InputError(this.reason, { file: loc.file ?? this.file, line: loc.line ?? this.line }, this.details);
  }
}

/** The answer is no: dependencies unsatisfiable, a build failed, a check did not pass. */
export class NegativeAnswer extends XdebError {
  readonly exitCode = EXIT.no;
}

/** The system is not as needed: a tool is missing or failed, a repository does not answer. */
export class EnvironmentError extends XdebError {
  readonly exitCode = EXIT.environment;
}

/** The user interrupted (SIGINT/SIGTERM). */
export class Interrupted extends XdebError {
  readonly exitCode = EXIT.interrupted;
}

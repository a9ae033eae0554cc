// The flags of one command line, as the parser gave them, read back with their types. Each
// command reads its flags here once and hands typed values on; nothing below it sees the parser's
// bag. A flag read with the wrong type is a mismatch between a command and its spec: a bug.

export class Flags {
  constructor(private readonly values: Readonly<Record<string, unknown>>) {}

  private mismatch(name: string, want: string): never {
    throw new Error(`flag ${name} is ${JSON.stringify(this.values[name])}, not ${want} (the command's spec and its reader disagree)`);
  }

  /** `--name <value>`: the value, or undefined when not given. */
  string(name: string): string | undefined {
    const v = this.values[name];
    if (v === undefined || typeof v === 'string') return v;
    return this.mismatch(name, 'a string');
  }

  /** `--name` (or `--no-name`, whose default is true): given or not. */
  boolean(name: string): boolean {
    const v = this.values[name];
    if (v === undefined) return false;
    if (typeof v === 'boolean') return v;
    return this.mismatch(name, 'a boolean');
  }

  /** A switch that may be absent, on or off (`--x` and `--no-x` both declared): undefined when neither is given. */
  toggle(name: string): boolean | undefined {
    const v = this.values[name];
    if (v === undefined || typeof v === 'boolean') return v;
    return this.mismatch(name, 'a boolean');
  }

  /** `--name <n>` declared `integer`. */
  integer(name: string): number | undefined {
    const v = this.values[name];
    if (v === undefined || typeof v === 'number') return v;
    return this.mismatch(name, 'a number');
  }

  /** A repeatable `--name <value>`: every value in order (none: empty). */
  strings(name: string): string[] {
    const v = this.values[name];
    if (v === undefined) return [];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return [...v];
    return this.mismatch(name, 'a list of strings');
  }

  /** `--name [value]`: the value, true when given without one, undefined when absent. */
  optionalString(name: string): string | true | undefined {
    const v = this.values[name];
    if (v === undefined || v === true || typeof v === 'string') return v;
    return this.mismatch(name, 'a string or true');
  }

  /** `--name [value]` next to `--no-name`: the value, true without one, false for --no-name, undefined for neither. */
  optionalStringOrOff(name: string): string | boolean | undefined {
    const v = this.values[name];
    if (v === undefined || typeof v === 'boolean' || typeof v === 'string') return v;
    return this.mismatch(name, 'a string, true or false');
  }

  /** `--name <value>` next to `--no-name`: the value, false for --no-name, undefined for neither. */
  stringOrOff(name: string): string | false | undefined {
    const v = this.values[name];
    if (v === undefined || v === false || typeof v === 'string') return v;
    return this.mismatch(name, 'a string or false');
  }

  /** `--name <value>` declared with `choices` (the parser checked them). */
  choice<T extends string>(name: string, choices: readonly T[]): T | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const found = choices.find((c) => c === v);
    return found ?? this.mismatch(name, `one of ${choices.join(', ')}`);
  }
}

import { EXIT } from '../lib/errors.js';
import type { CommandSpec } from '../cli/spec.js';

/** A command whose issue has not landed yet: it says so and exits non-zero. */
export function pending(name: string, summary: string, issue: number): CommandSpec {
  return {
    name,
    summary,
    standalone: true,
    placeholder: true,
    args: [{ name: 'args', description: 'arguments', variadic: true }],
    async run({ out, prog }) {
      out.error(`this command is not available in this version yet (tracked as issue #${issue})`);
      void prog;
      return EXIT.environment;
    },
  };
}

import type { CommandSpec } from '../cli/spec.js';

const spec: CommandSpec = {
  name: 'completion',
  summary: 'print the shell completion script for bash or zsh',
  description:
    'Prints the completion script for every xdeb command, generated from the command definitions.\n' +
    'Installed packages already carry it (/usr/share/bash-completion/completions/xdeb*,\n' +
    '/usr/share/zsh/vendor-completions/_xdeb); this is for a checkout or a personal install.\n' +
    'The script is static: a TAB runs no node process. Source names come from the local\n' +
    "repository's Sources index and chroot names from the chroot directory, read by the shell.",
  args: [{ name: 'shell', description: 'bash or zsh', required: true, complete: ['bash', 'zsh'] }],
  examples: [
    { command: 'source <(xdeb completion bash)', description: 'completion in the current bash' },
    { command: 'xdeb completion bash > ~/.local/share/bash-completion/completions/xdeb', description: 'for xdeb in every new bash (repeat for xdeb-build and the other xdeb-* names, or symlink them)' },
    { command: 'xdeb completion zsh > ~/.zfunc/_xdeb', description: 'for zsh, with ~/.zfunc in $fpath before compinit' },
  ],
  seeAlso: ['xdeb'],
  async run({ args, out }) {
    const [{ UsageError }, { bashCompletion, zshCompletion }, { commands }, { archTable }] = await Promise.all([
      import('../lib/errors.js'),
      import('../cli/completion.js'),
      import('../cli/registry.js'),
      import('../lib/arch.js'),
    ]);
    const input = { commands, archs: archTable().names() };
    if (args[0] === 'bash') out.data(bashCompletion(input));
    else if (args[0] === 'zsh') out.data(zshCompletion(input));
    else throw new UsageError(`unknown shell '${args[0]}' (bash or zsh)`);
    return 0;
  },
};
export default spec;

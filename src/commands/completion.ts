import type { CommandSpec } from '../ui/spec.js';

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
  options: [
    {
      flags: '--install',
      description:
        'write the script instead of printing it: for bash one file per command name into ~/.local/share/bash-completion/completions ' +
        '(where bash-completion looks), for zsh _xdeb into ~/.local/share/zsh/site-functions; prints the files written',
    },
    { flags: '--dir <dir>', description: 'with --install: write into this directory instead', complete: 'dir' },
  ],
  examples: [
    { command: 'source <(xdeb completion bash)', description: 'completion in the current bash' },
    {
      command: 'xdeb completion bash --install',
      description: 'completion for xdeb and every xdeb-* command in every new bash (after npm install -g)',
    },
    { command: 'xdeb completion zsh --install --dir ~/.zfunc', description: 'for zsh, with ~/.zfunc in $fpath before compinit' },
  ],
  files: [
    { path: '/usr/share/bash-completion/completions/xdeb*', description: 'the installed bash completion, one file per command name' },
    { path: '/usr/share/zsh/vendor-completions/_xdeb', description: 'the installed zsh completion' },
    {
      path: '~/.local/share/bash-completion/completions/xdeb*',
      description: 'where --install puts the bash completion ($BASH_COMPLETION_USER_DIR/completions when set)',
    },
  ],
  environment: [
    { name: 'BASH_COMPLETION_USER_DIR', description: "bash-completion's per-user directory, used by --install" },
    { name: 'XDEB_LOCAL_REPO', description: "read at TAB time for source names, like the configuration files' local-repo" },
    { name: 'XDEB_CHROOT_DIR', description: 'read at TAB time for chroot names, like chroot-dir' },
  ],
  seeAlso: ['xdeb'],
  async run({ args, flags, out, commands }) {
    const [{ UsageError }, { bashCompletion, completionNames, zshCompletion }, { archTable }] = await Promise.all([
      import('../lib/errors.js'),
      import('../ui/completion.js'),
      import('../lib/arch.js'),
    ]);
    const install = flags.boolean('install');
    const dirFlag = flags.string('dir');
    const shell = args[0];
    if (shell !== 'bash' && shell !== 'zsh') throw new UsageError(`unknown shell '${shell}' (bash or zsh)`);
    if (dirFlag && !install) throw new UsageError('--dir goes with --install');
    const input = { commands, archs: archTable().names() };
    const script = shell === 'bash' ? bashCompletion(input) : zshCompletion(input);
    if (!install) {
      out.data(script);
      return 0;
    }
    const [{ mkdirSync, writeFileSync }, { homedir }, { join }] = await Promise.all([
      import('node:fs'),
      import('node:os'),
      import('node:path'),
    ]);
    const env = process.env;
    const data = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
    const dir: string =
      dirFlag ??
      (shell === 'bash'
        ? join(env.BASH_COMPLETION_USER_DIR || join(data, 'bash-completion'), 'completions')
        : join(data, 'zsh', 'site-functions'));
    mkdirSync(dir, { recursive: true });
    const names = shell === 'bash' ? completionNames(commands) : ['_xdeb'];
    const written = names.map((n) => join(dir, n));
    for (const f of written) writeFileSync(f, script);
    out.data(written.join('\n'));
    if (shell === 'zsh') out.info(`add ${dir} to $fpath before compinit in ~/.zshrc`);
    return 0;
  },
};
export default spec;

// Shell completion scripts, generated from the command specs: commands, subcommands, options and
// what each value takes are baked into a static script, so that a TAB never starts node. Only
// source names (the local repository's Sources index) and chroot names are looked up at TAB
// time, with bash builtins.

import { allOptions, HELP_OPTION, parseFlags } from './options.js';
import type { CommandSpec, Completion } from './spec.js';

/** Build profiles from Debian's BuildProfileSpec, offered for -P. */
export const KNOWN_PROFILES: readonly string[] = [
  'cross',
  'nobiarch',
  'nocheck',
  'nocil',
  'nodoc',
  'nogir',
  'nogolang',
  'noguile',
  'noinsttest',
  'nojava',
  'nolua',
  'noocaml',
  'noperl',
  'nopython',
  'noruby',
  'noudeb',
  'nowasm',
  'nowindows',
  'stage1',
  'stage2',
];

export interface CompletionInput {
  commands: readonly CommandSpec[];
  /** Every Debian architecture name, offered for 'arch' values. */
  archs: readonly string[];
  profiles?: readonly string[];
}

/** What a value completes to, in the scripts' terms: a hint name or 'words:' and a list. */
type Hint = string;

interface OptionNode {
  names: string[];
  description: string;
  /** Absent when the option takes no value. */
  hint?: Hint;
  /** 'arch' for '<arch>'. */
  valueName?: string;
  repeatable: boolean;
}

interface CommandNode {
  /** ['deps', 'reduce'] for `xdeb deps reduce`; [] for `xdeb` itself. */
  path: string[];
  summary: string;
  options: OptionNode[];
  subcommands: CommandNode[];
  args: { name: string; hint: Hint; variadic: boolean }[];
}

function hintOf(c: Completion | undefined, choices?: readonly string[]): Hint {
  if (choices?.length) return 'words:' + choices.join(' ');
  if (c === undefined) return 'none';
  if (typeof c === 'string') return c;
  return 'words:' + c.join(' ');
}

function commandNode(spec: CommandSpec, path: string[]): CommandNode {
  const options: OptionNode[] = [...allOptions(spec), HELP_OPTION].map((o) => {
    const f = parseFlags(o.flags);
    const names = [f.short, f.long].filter((n): n is string => !!n);
    return {
      names,
      description: o.description,
      hint: f.value ? hintOf(o.complete, o.choices) : undefined,
      valueName: f.value?.replace(/^[<[]|[>\]]$/g, '').replace(/\.\.\.$/, ''),
      repeatable: !!o.repeatable,
    };
  });
  return {
    path,
    summary: spec.summary,
    options,
    subcommands: (spec.subcommands ?? []).map((s) => commandNode(s, [...path, s.name])),
    args: (spec.args ?? []).map((a) => ({ name: a.name, hint: hintOf(a.complete), variadic: !!a.variadic })),
  };
}

function umbrellaNode(commands: readonly CommandSpec[]): CommandNode {
  const help: CommandNode = {
    path: ['help'],
    summary: 'show help for a command',
    options: [],
    subcommands: [],
    args: [{ name: 'command', hint: 'commands', variadic: false }],
  };
  return {
    path: [],
    summary: 'cross-build Debian packages',
    options: [
      { names: ['-h', '--help'], description: 'show this help', repeatable: false },
      { names: ['--version'], description: 'print the version', repeatable: false },
    ],
    subcommands: [...commands.map((c) => commandNode(c, [c.name])), help],
    args: [],
  };
}

function* walk(node: CommandNode): Generator<CommandNode> {
  yield node;
  for (const s of node.subcommands) yield* walk(s);
}

/** The names completion is registered for: xdeb and every xdeb-<cmd> binary. */
export function completionNames(commands: readonly CommandSpec[]): string[] {
  return ['xdeb', ...commands.filter((c) => c.standalone).map((c) => `xdeb-${c.name}`)];
}

/** A word for a single-quoted shell string. */
function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function wrapWords(words: readonly string[], indent: string, width = 96): string {
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + w.length + 1 > width) {
      lines.push(line);
      line = '';
    }
    line += (line ? ' ' : '') + w;
  }
  if (line) lines.push(line);
  return lines.join('\n' + indent);
}

const HEADER = (shell: string) =>
  `# ${shell} completion for xdeb, generated from the command definitions (src/commands/*.ts)\n` +
  `# by scripts/gen-assets.mjs and \`xdeb completion ${shell}\`. Do not edit.\n`;

// ---------------------------------------------------------------------------------------------
// bash

/** The bash script: source it, or install it as /usr/share/bash-completion/completions/<name>. */
export function bashCompletion(input: CompletionInput): string {
  const root = umbrellaNode(input.commands);
  const names = completionNames(input.commands);
  const nodes = [...walk(root)];
  const key = (n: CommandNode) => n.path.join(' ');

  const nodeCases = nodes.map((n) => {
    const words = n.options.flatMap((o) => o.names);
    const args = n.args.map((a) => a.hint);
    const variadic = n.args.some((a) => a.variadic) ? 1 : 0;
    return (
      `    ${sq(key(n))})\n` +
      `      _xdeb_opts=${sq(words.join(' '))}\n` +
      `      _xdeb_subs=${sq(n.subcommands.map((s) => s.path[s.path.length - 1]!).join(' '))}\n` +
      `      _xdeb_args=(${args.map(sq).join(' ')}) _xdeb_variadic=${variadic} ;;`
    );
  });

  const valueCases: string[] = [];
  for (const n of nodes) {
    for (const o of n.options) {
      if (o.hint === undefined) continue;
      valueCases.push(`    ${o.names.map((name) => sq(`${key(n)}|${name}`)).join('|')}) _xdeb_hint=${sq(o.hint)} ;;`);
    }
  }

  return `${HEADER('bash')}
_xdeb_archs=${sq(wrapWords(input.archs, ''))}
_xdeb_profiles=${sq((input.profiles ?? KNOWN_PROFILES).join(' '))}
_xdeb_commands=${sq(root.subcommands.map((s) => s.path[0]!).join(' '))}

# Sets _xdeb_opts, _xdeb_subs, _xdeb_args (what each positional argument takes) and
# _xdeb_variadic (the last one repeats) for a command path: '' for xdeb, 'deps reduce', ….
_xdeb_node() {
  _xdeb_opts='' _xdeb_subs='' _xdeb_args=() _xdeb_variadic=0
  case $1 in
${nodeCases.join('\n')}
  esac
}

# Succeeds when option $2 of command path $1 takes a value, and sets _xdeb_hint to what it takes.
_xdeb_value() {
  case "$1|$2" in
${valueCases.join('\n')}
    *) return 1 ;;
  esac
}

# _xdeb_config_value KEY: the value of a configuration key from XDEB_* or the configuration
# files, highest precedence first (plain bash: no process). Sets _xdeb_v.
_xdeb_config_value() {
  local var=XDEB_\${1^^} f line k v
  var=\${var//-/_}
  _xdeb_v=\${!var-}
  [[ -n $_xdeb_v ]] && return 0
  local -a files
  if [[ -n \${_xdeb_local_config-} ]]; then
    files=("$_xdeb_local_config")
  else
    files=("\${XDG_CONFIG_HOME:-$HOME/.config}/xdeb/xdeb.cfg" "\${XDEB_SYSTEM_CONFIG:-/etc/xdeb/xdeb.cfg}")
  fi
  for f in "\${files[@]}"; do
    [[ -r $f ]] || continue
    while IFS= read -r line || [[ -n $line ]]; do
      line=\${line%$'\\r'}
      line=\${line#"\${line%%[![:space:]]*}"}
      [[ $line == '['* ]] && break
      [[ $line == *=* ]] || continue
      k=\${line%%=*} v=\${line#*=}
      k=\${k//[[:space:]]/}
      [[ $k == "$1" ]] || continue
      v=\${v#"\${v%%[![:space:]]*}"}
      v=\${v%"\${v##*[![:space:]]}"}
      _xdeb_v=$v
      return 0
    done < "$f"
  done
  return 1
}

_xdeb_data_home() {
  _xdeb_v=\${XDG_DATA_HOME:-$HOME/.local/share}
}

# Files and directories: bash-completion's _filedir when it is loaded, else compgen.
_xdeb_files() {
  if declare -F _filedir >/dev/null; then
    _filedir "$@"
    return
  fi
  compopt -o filenames 2>/dev/null
  local IFS=$'\\n'
  case $1 in
    -d) COMPREPLY+=($(compgen -d -- "$cur")) ;;
    '') COMPREPLY+=($(compgen -f -- "$cur")) ;;
    *) COMPREPLY+=($(compgen -d -- "$cur") $(compgen -f -X "!*.$1" -- "$cur")) ;;
  esac
}

# Source package names from the local repository's Sources indexes (compressed ones only
# when there is no plain one).
_xdeb_repo_sources() {
  local repo=\${_xdeb_local_repo-} f line name
  if [[ -z $repo ]]; then
    if _xdeb_config_value local-repo; then
      repo=$_xdeb_v
    else
      _xdeb_data_home
      repo=$_xdeb_v/xdeb/repo
    fi
  fi
  [[ $repo == '~/'* ]] && repo=$HOME/\${repo#'~/'}
  local -A seen=()
  local -a lines
  for f in "$repo"/dists/*/*/source/Sources "$repo"/dists/*/*/source/Sources.gz; do
    [[ -f $f ]] || continue
    if [[ $f == *.gz ]]; then
      [[ -f \${f%.gz} ]] && continue
      mapfile -t lines < <(zcat -- "$f" 2>/dev/null)
    else
      mapfile -t lines < "$f"
    fi
    for line in "\${lines[@]}"; do
      [[ $line == Package:* ]] || continue
      name=\${line#Package:}
      name=\${name//[[:space:]]/}
      [[ $name == "$cur"* && -z \${seen[$name]-} ]] || continue
      seen[$name]=1
      COMPREPLY+=("$name")
    done
  done
}

# Names of the chroots xdeb-chroot keeps: the entries of chroot-dir (a directory or an image
# per chroot).
_xdeb_chroots() {
  local dir f name
  if _xdeb_config_value chroot-dir; then
    dir=$_xdeb_v
  else
    _xdeb_data_home
    dir=$_xdeb_v/xdeb/chroots
  fi
  [[ $dir == '~/'* ]] && dir=$HOME/\${dir#'~/'}
  local -A seen=()
  for f in "$dir"/*; do
    [[ -e $f ]] || continue
    name=\${f##*/}
    case $name in *.lock|*.tmp|*.log) continue ;; esac
    name=\${name%.json}
    name=\${name%.tar.zst}; name=\${name%.tar.gz}; name=\${name%.tar.xz}; name=\${name%.tar}
    name=\${name%.squashfs}; name=\${name%.sqfs}
    [[ $name == "$cur"* && -z \${seen[$name]-} ]] || continue
    seen[$name]=1
    COMPREPLY+=("$name")
  done
}

# A comma-separated list: complete the part after the last comma.
_xdeb_list() {
  local prefix='' word=$cur w
  if [[ $cur == *,* ]]; then
    prefix=\${cur%,*},
    word=\${cur##*,}
  fi
  for w in $1; do
    [[ $w == "$word"* ]] && COMPREPLY+=("$prefix$w")
  done
  [[ \${#COMPREPLY[@]} -eq 1 ]] && compopt -o nospace 2>/dev/null
}

_xdeb_complete_hint() {
  local IFS=$' \\t\\n'
  case $1 in
    arch)
      # The plain Linux names first; the others (kfreebsd-amd64, musl-linux-arm64…) once typed.
      if [[ -z $cur ]]; then
        local a
        for a in $_xdeb_archs; do [[ $a == *-* ]] || COMPREPLY+=("$a"); done
      else
        COMPREPLY+=($(compgen -W "$_xdeb_archs" -- "$cur"))
      fi ;;
    profile) _xdeb_list "$_xdeb_profiles" ;;
    file) _xdeb_files ;;
    dir) _xdeb_files -d ;;
    dsc) _xdeb_files dsc ;;
    changes) _xdeb_files changes ;;
    source) _xdeb_files dsc; _xdeb_repo_sources ;;
    chroot) _xdeb_chroots ;;
    commands) COMPREPLY+=($(compgen -W "$_xdeb_commands" -- "$cur")) ;;
    words:*) COMPREPLY+=($(compgen -W "\${1#words:}" -- "$cur")) ;;
  esac
}

_xdeb() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null; then
    _init_completion -s || return
  else
    # Without bash-completion: join '--opt', '=', 'value' back into one word.
    local i j=0 w glue=0
    words=()
    for ((i = 0; i < \${#COMP_WORDS[@]}; i++)); do
      w=\${COMP_WORDS[i]}
      if [[ $w == = ]] && ((j > 0)) && [[ \${words[j-1]} == --* && \${words[j-1]} != *=* ]]; then
        words[j-1]+==
        glue=1
      elif ((glue)); then
        words[j-1]+=$w
        glue=0
      else
        words[j]=$w
        ((j++))
      fi
      ((i == COMP_CWORD)) && cword=$((j - 1))
    done
    ((COMP_CWORD >= \${#COMP_WORDS[@]})) && { words[j]=''; cword=$j; }
    cur=\${words[cword]}
    [[ $cur == --?*=* ]] && cur=\${cur#*=}
    prev=\${words[cword-1]}
  fi
  COMPREPLY=()

  local cmd=\${words[0]##*/} path
  cmd=\${cmd%.js}
  case $cmd in
    xdeb) path='' ;;
    xdeb-*) path=\${cmd#xdeb-} ;;
    *) return ;;
  esac
  _xdeb_node "$path"

  # Walk the words before the cursor: options (and their values), subcommands, positionals.
  local i w npos=0 skip=0 endopts=0 _xdeb_hint _xdeb_local_config='' _xdeb_local_repo='' last=''
  for ((i = 1; i < cword; i++)); do
    w=\${words[i]}
    if ((skip)); then
      skip=0
      case $last in
        --local-config) _xdeb_local_config=$w ;;
        --local-repo) _xdeb_local_repo=$w ;;
      esac
      continue
    fi
    if ((!endopts)); then
      case $w in
        --) endopts=1; continue ;;
        --local-config=*) _xdeb_local_config=\${w#*=}; continue ;;
        --local-repo=*) _xdeb_local_repo=\${w#*=}; continue ;;
        --*=*) continue ;;
        -?*) _xdeb_value "$path" "$w" && skip=1 last=$w; continue ;;
      esac
    fi
    if ((npos == 0)) && [[ -n $_xdeb_subs && " $_xdeb_subs " == *" $w "* ]]; then
      path=\${path:+$path }$w
      _xdeb_node "$path"
      continue
    fi
    ((npos++))
  done

  # The value of an option?
  local opt=''
  if [[ \${words[cword]} == --?*=* ]]; then
    opt=\${words[cword]%%=*}
  elif ((skip)); then
    opt=\${words[cword-1]}
  fi
  if [[ -n $opt ]]; then
    _xdeb_value "$path" "$opt" && _xdeb_complete_hint "$_xdeb_hint"
    return 0
  fi

  if ((!endopts)) && [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$_xdeb_opts" -- "$cur"))
    return 0
  fi
  if ((npos == 0)) && [[ -n $_xdeb_subs ]]; then
    COMPREPLY=($(compgen -W "$_xdeb_subs" -- "$cur"))
    return 0
  fi
  local n=\${#_xdeb_args[@]}
  if ((npos < n)); then
    _xdeb_complete_hint "\${_xdeb_args[npos]}"
  elif ((n > 0 && _xdeb_variadic)); then
    _xdeb_complete_hint "\${_xdeb_args[n-1]}"
  elif [[ -z $cur ]]; then
    COMPREPLY=($(compgen -W "$_xdeb_opts" -- "$cur"))
  fi
  return 0
}

complete -F _xdeb ${names.join(' ')}
`;
}

// ---------------------------------------------------------------------------------------------
// zsh

/** Text inside a zsh _arguments description: [ ] : and ' need care. */
function zdesc(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/[[\]:]/g, (c) => '\\' + c)
    .replace(/'/g, `'\\''`);
}

function zaction(h: Hint): string {
  if (h.startsWith('words:')) return `(${h.slice(6)})`;
  switch (h) {
    case 'arch':
      return '_xdeb_arch';
    case 'profile':
      return '_xdeb_profile';
    case 'file':
      return '_files';
    case 'dir':
      return '_files -/';
    case 'dsc':
      return '_files -g "*.dsc"';
    case 'changes':
      return '_files -g "*.changes"';
    case 'source':
      return '_xdeb_source';
    case 'chroot':
      return '_xdeb_chroot';
    case 'commands':
      return '_xdeb_commands';
    default:
      return ' ';
  }
}

function zfunc(n: CommandNode): string {
  return '_xdeb_cmd' + (n.path.length ? '_' + n.path.join('_').replace(/-/g, '_') : '');
}

function zshFunction(n: CommandNode): string {
  const specs: string[] = [];
  for (const o of n.options) {
    const excl = o.repeatable ? '*' : o.names.length > 1 ? `(${o.names.join(' ')})` : '';
    for (const name of o.names) {
      const suffix = o.hint === undefined ? '' : name.startsWith('--') ? '=' : '+';
      const value = o.hint === undefined ? '' : `:${zdesc(o.valueName || 'value')}:${zaction(o.hint)}`;
      specs.push(`'${excl}${name}${suffix}[${zdesc(o.description)}]${value}'`);
    }
  }
  let body: string;
  if (n.subcommands.length) {
    specs.push(`'1:command:->sub'`, `'*::argument:->args'`);
    const described = n.subcommands.map((s) => `'${zdesc(s.path[s.path.length - 1]!)}:${zdesc(s.summary)}'`);
    body =
      `  local curcontext=$curcontext state line\n` +
      `  _arguments -C -s -S \\\n    ${specs.join(' \\\n    ')} && return\n` +
      `  case $state in\n` +
      `    sub)\n      local -a subs=(\n        ${described.join('\n        ')}\n      )\n      _describe -t commands command subs ;;\n` +
      `    args)\n      case $line[1] in\n` +
      n.subcommands.map((s) => `        ${s.path[s.path.length - 1]}) ${zfunc(s)} ;;`).join('\n') +
      `\n      esac ;;\n  esac`;
  } else {
    n.args.forEach((a, i) => {
      specs.push(a.variadic ? `'*:${zdesc(a.name)}:${zaction(a.hint)}'` : `'${i + 1}:${zdesc(a.name)}:${zaction(a.hint)}'`);
    });
    body = `  _arguments -s -S \\\n    ${specs.join(' \\\n    ')}`;
  }
  return `${zfunc(n)}() {\n${body}\n}\n`;
}

/** The zsh script: install it as _xdeb in a $fpath directory (/usr/share/zsh/vendor-completions). */
export function zshCompletion(input: CompletionInput): string {
  const root = umbrellaNode(input.commands);
  const names = completionNames(input.commands);
  const fns = [...walk(root)].map(zshFunction);
  return `#compdef ${names.join(' ')}
${HEADER('zsh')}
_xdeb_archs=(
  ${wrapWords(input.archs, '  ')}
)

_xdeb_arch() {
  compadd -a _xdeb_archs
}

_xdeb_profile() {
  _values -s , profile ${(input.profiles ?? KNOWN_PROFILES).join(' ')}
}

_xdeb_commands() {
  compadd ${root.subcommands.map((s) => s.path[0]).join(' ')}
}

# (plain zsh, no process: the configuration files and the local repository's Sources)
_xdeb_config_value() {
  local var=XDEB_\${\${(U)1}//-/_} f line k v
  REPLY=\${(P)var}
  [[ -n $REPLY ]] && return 0
  for f in "\${XDG_CONFIG_HOME:-$HOME/.config}/xdeb/xdeb.cfg" "\${XDEB_SYSTEM_CONFIG:-/etc/xdeb/xdeb.cfg}"; do
    [[ -r $f ]] || continue
    while IFS= read -r line || [[ -n $line ]]; do
      [[ $line == [[:space:]]#\\[* ]] && break
      [[ $line == *=* ]] || continue
      k=\${\${line%%=*}//[[:space:]]/} v=\${line#*=}
      [[ $k == $1 ]] || continue
      REPLY=\${\${v##[[:space:]]#}%%[[:space:]]#}
      return 0
    done < $f
  done
  return 1
}

_xdeb_source() {
  local repo f line
  local -a names
  _xdeb_config_value local-repo && repo=$REPLY || repo=\${XDG_DATA_HOME:-$HOME/.local/share}/xdeb/repo
  for f in $repo/dists/*/*/source/Sources(N); do
    while IFS= read -r line; do
      [[ $line == Package:* ]] && names+=(\${\${line#Package:}//[[:space:]]/})
    done < $f
  done
  _alternative 'files:source directory or .dsc:_files -g "*.dsc"' "sources:source in the local repository:(\${(u)names})"
}

_xdeb_chroot() {
  local dir
  _xdeb_config_value chroot-dir && dir=$REPLY || dir=\${XDG_DATA_HOME:-$HOME/.local/share}/xdeb/chroots
  local -a names=($dir/*(N:t))
  names=(\${names%.json})
  names=(\${\${\${\${names%.tar.zst}%.tar.gz}%.tar.xz}%.tar})
  compadd -- \${(u)names}
}

${fns.join('\n')}
_xdeb() {
  local cmd=\${words[1]:t}
  cmd=\${cmd%.js}
  case $cmd in
    xdeb) _xdeb_cmd ;;
    xdeb-*) _xdeb_cmd_\${\${cmd#xdeb-}//-/_} ;;
  esac
}

_xdeb "$@"
`;
}

// Manual pages, generated from the command specs: one page model per command, rendered as roff
// (man/man1/xdeb-<cmd>.1, installed as real man pages) and as Markdown (docs/reference/).

import { envName, type ConfigKey } from '../lib/config-keys.js';
import { allOptions, HELP_OPTION, parseFlags } from './options.js';
import type { CommandSpec, OptionSpec } from './spec.js';

/** Inline text: plain, bold (commands, flags, literal words), italic (things to replace) or a command line. */
export type Span = string | { b: string } | { i: string } | { code: string };

export type Block =
  | { kind: 'para'; text: Span[] }
  | { kind: 'code'; lines: string[] }
  | { kind: 'items'; items: { term: Span[]; body: Block[] }[] }
  | { kind: 'subsection'; title: string };

export interface Page {
  /** 'xdeb-build' */
  name: string;
  section: 1 | 5;
  /** The NAME line's summary. */
  summary: string;
  version: string;
  sections: { title: string; blocks: Block[] }[];
}

export interface ManualInput {
  commands: readonly CommandSpec[];
  version: string;
  configKeys: readonly ConfigKey[];
  /** Named sections of the configuration file and the keys each takes. */
  sectionKinds: ReadonlyMap<string, readonly string[]>;
}

export const COMMON_EXIT: readonly { code: number; meaning: string }[] = [
  { code: 0, meaning: 'success' },
  { code: 1, meaning: 'the answer is no (unsatisfiable, build failed, comparison false)' },
  { code: 2, meaning: 'usage error or bad input (the message names the file and line)' },
  { code: 3, meaning: 'the environment is not as needed (a tool missing, a repository not answering)' },
  { code: 70, meaning: 'internal error: a bug in xdeb (a stack trace follows)' },
  { code: 130, meaning: 'interrupted' },
];

export const CONFIG_FILES = [
  { path: '/etc/xdeb/xdeb.cfg', description: 'the system configuration (see xdeb.cfg(5))' },
  {
    path: '~/.config/xdeb/xdeb.cfg',
    description: 'the user configuration, overriding the system one ($XDG_CONFIG_HOME/xdeb/xdeb.cfg when set)',
  },
];

const para = (...text: Span[]): Block => ({ kind: 'para', text });

/** Paragraphs of a spec's description: blank lines separate them, single newlines are wraps. */
function paragraphs(text: string): Block[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s*\n\s*/g, ' ').trim())
    .filter(Boolean)
    .map((p) => para(p));
}

function optionTerm(o: OptionSpec): Span[] {
  const f = parseFlags(o.flags);
  const spans: Span[] = [];
  if (f.short) spans.push({ b: f.short });
  if (f.short && f.long) spans.push(', ');
  if (f.long) spans.push({ b: f.long });
  if (f.value) {
    const name = f.value.replace(/^[<[]|[>\]]$/g, '');
    spans.push(' ', f.optionalValue ? '[' : '', { i: name }, f.optionalValue ? ']' : '');
  }
  return spans.filter((s) => s !== '');
}

function optionBody(o: OptionSpec): Block[] {
  let text = o.description;
  if (o.choices?.length) text += ` (one of: ${o.choices.join(', ')})`;
  if (o.default !== undefined && o.default !== false) text += ` (default: ${o.default})`;
  if (o.repeatable) text += '; may be given more than once';
  return [para(text)];
}

function argSynopsis(spec: CommandSpec): Span[] {
  const spans: Span[] = [];
  for (const a of spec.args ?? []) {
    const name = a.variadic ? `${a.name}...` : a.name;
    spans.push(' ', a.required ? '' : '[', { i: name }, a.required ? '' : ']');
  }
  return spans.filter((s) => s !== '');
}

function synopsis(spec: CommandSpec, words: string[]): Span[] {
  const spans: Span[] = [{ b: words.join(' ') }];
  if (allOptions(spec).length) spans.push(' [', { i: 'options' }, ']');
  if (spec.subcommands?.length && !spec.args?.length) spans.push(' ', { i: 'subcommand' }, ' ...');
  return [...spans, ...argSynopsis(spec)];
}

function optionItems(spec: CommandSpec): Block {
  return { kind: 'items', items: [...allOptions(spec), HELP_OPTION].map((o) => ({ term: optionTerm(o), body: optionBody(o) })) };
}

/** Does the command read the configuration files (it takes --local-config)? */
export function readsConfig(spec: CommandSpec): boolean {
  return (spec.options ?? []).some((o) => parseFlags(o.flags).long === '--local-config') || (spec.subcommands ?? []).some(readsConfig);
}

function exitItems(spec: CommandSpec): Block {
  const specific = new Map<number, string[]>();
  const collect = (s: CommandSpec) => {
    for (const e of s.exitStatus ?? []) specific.set(e.code, [...(specific.get(e.code) ?? []), e.meaning]);
    for (const sub of s.subcommands ?? []) collect(sub);
  };
  collect(spec);
  const items = COMMON_EXIT.map((e) => {
    const extra = [...new Set(specific.get(e.code) ?? [])];
    return { term: [{ b: String(e.code) }] as Span[], body: [para(extra.length ? `${e.meaning}: ${extra.join('; ')}` : e.meaning)] };
  });
  for (const [code, meanings] of specific) {
    if (!COMMON_EXIT.some((e) => e.code === code))
      items.push({ term: [{ b: String(code) }], body: [para([...new Set(meanings)].join('; '))] });
  }
  items.sort((a, b) => Number((a.term[0] as { b: string }).b) - Number((b.term[0] as { b: string }).b));
  return { kind: 'items', items };
}

function configEnvironment(keys: readonly ConfigKey[]): { term: Span[]; body: Block[] }[] {
  return [
    ...keys.map((k) => ({
      term: [{ b: envName(k.key) }] as Span[],
      body: [para(`overrides the configuration key ${k.key}: ${k.description}`)],
    })),
    { term: [{ b: 'XDEB_SYSTEM_CONFIG' }], body: [para('read this file instead of /etc/xdeb/xdeb.cfg')] },
    { term: [{ b: 'XDG_CONFIG_HOME' }], body: [para('where the user configuration is (default: ~/.config)')] },
    { term: [{ b: 'XDG_DATA_HOME' }], body: [para('where the local repository and the chroots are by default (default: ~/.local/share)')] },
    {
      term: [{ b: 'XDG_CACHE_HOME' }],
      body: [para('where xdeb keeps what it can make again: binary indexes, icecream bundles (default: ~/.cache)')],
    },
  ];
}

function exampleItems(spec: CommandSpec): Block[] {
  const all = [...(spec.examples ?? []), ...(spec.subcommands ?? []).flatMap((s) => s.examples ?? [])];
  if (!all.length) return [];
  return [{ kind: 'items', items: all.map((e) => ({ term: [{ code: `$ ${e.command}` }], body: [para(e.description)] })) }];
}

/** The page of one command: xdeb-<name>(1). */
export function commandPage(spec: CommandSpec, input: ManualInput): Page {
  const name = `xdeb-${spec.name}`;
  const sections: Page['sections'] = [];
  const syn: Block[] = [];
  const forms: string[][] = spec.standalone ? [[name], ['xdeb', spec.name]] : [['xdeb', spec.name]];
  if (spec.subcommands?.length) {
    for (const sub of spec.subcommands) for (const f of forms) syn.push(para(...synopsis(sub, [...f, sub.name])));
  } else {
    for (const f of forms) syn.push(para(...synopsis(spec, f)));
  }
  sections.push({ title: 'SYNOPSIS', blocks: syn });

  const desc: Block[] = [para(spec.summary.charAt(0).toUpperCase() + spec.summary.slice(1) + '.')];
  if (spec.description) desc.push(...paragraphs(spec.description));
  if (!spec.standalone) desc.push(para('There is no ', { b: name }, ' binary: run it as ', { b: `xdeb ${spec.name}` }, '.'));
  sections.push({ title: 'DESCRIPTION', blocks: desc });

  if (spec.subcommands?.length) {
    const blocks: Block[] = [];
    for (const sub of spec.subcommands) {
      blocks.push({ kind: 'subsection', title: `xdeb ${spec.name} ${sub.name}` });
      blocks.push(para(...synopsis(sub, ['xdeb', spec.name, sub.name])));
      blocks.push(para(sub.summary.charAt(0).toUpperCase() + sub.summary.slice(1) + '.'));
      if (sub.description) blocks.push(...paragraphs(sub.description));
      blocks.push(optionItems(sub));
    }
    sections.push({ title: 'SUBCOMMANDS', blocks });
    if (spec.options?.length) sections.push({ title: 'OPTIONS', blocks: [optionItems(spec)] });
  } else {
    sections.push({ title: 'OPTIONS', blocks: [optionItems(spec)] });
  }
  if (spec.args?.length && !spec.subcommands?.length) {
    sections.push({
      title: 'ARGUMENTS',
      blocks: [
        {
          kind: 'items',
          items: spec.args.map((a) => ({ term: [{ i: a.variadic ? `${a.name}...` : a.name }], body: [para(a.description)] })),
        },
      ],
    });
  }
  const json = [spec, ...(spec.subcommands ?? [])].filter((s) => s.json);
  if (json.length) {
    const blocks: Block[] = [
      para(
        'With ',
        { b: '--json' },
        ' the result is printed on standard output as one JSON document, and nothing else is. Fields may be added in later versions; none is removed or changes meaning.',
      ),
    ];
    // The shape, then (after a blank line) what the fields mean.
    for (const s of json) {
      if (!s.jsonOutput) continue;
      const [shape, ...prose] = s.jsonOutput.split(/\n\s*\n/);
      blocks.push({ kind: 'code', lines: shape!.split('\n') }, ...paragraphs(prose.join('\n\n')));
    }
    sections.push({ title: 'JSON OUTPUT', blocks });
  }
  const examples = exampleItems(spec);
  if (examples.length) sections.push({ title: 'EXAMPLES', blocks: examples });
  sections.push({ title: 'EXIT STATUS', blocks: [exitItems(spec)] });

  const config = readsConfig(spec) || spec.name === 'config';
  const env = [
    ...(config ? configEnvironment(input.configKeys) : []),
    ...(spec.environment ?? []).map((e) => ({ term: [{ b: e.name }] as Span[], body: [para(e.description)] })),
  ];
  const seenEnv = new Set<string>();
  const envItems = env.filter((e) => {
    const k = (e.term[0] as { b: string }).b;
    if (seenEnv.has(k)) return false;
    seenEnv.add(k);
    return true;
  });
  if (envItems.length) sections.push({ title: 'ENVIRONMENT', blocks: [{ kind: 'items', items: envItems }] });
  const files = [...(config ? CONFIG_FILES : []), ...(spec.files ?? [])];
  if (files.length)
    sections.push({
      title: 'FILES',
      blocks: [{ kind: 'items', items: files.map((f) => ({ term: [{ i: f.path }], body: [para(f.description)] })) }],
    });

  const seeAlso = ['xdeb(1)', ...(spec.seeAlso ?? []).map((s) => (/\(\d\)$/.test(s) ? s : `${s}(1)`)), ...(config ? ['xdeb.cfg(5)'] : [])];
  sections.push({ title: 'SEE ALSO', blocks: [para(...seeAlsoSpans([...new Set(seeAlso)].filter((s) => s !== `${name}(1)`)))] });
  return { name, section: 1, summary: spec.summary, version: input.version, sections };
}

function seeAlsoSpans(refs: string[]): Span[] {
  const spans: Span[] = [];
  refs.forEach((r, i) => {
    const m = /^(.*)\((\d)\)$/.exec(r)!;
    if (i) spans.push(', ');
    spans.push({ b: m[1]! }, `(${m[2]})`);
  });
  return spans;
}

/** xdeb(1): the umbrella command and the list of commands. */
export function umbrellaPage(input: ManualInput): Page {
  const cmds = input.commands;
  const standalone = cmds.filter((c) => c.standalone);
  return {
    name: 'xdeb',
    section: 1,
    summary: 'cross-build Debian packages',
    version: input.version,
    sections: [
      {
        title: 'SYNOPSIS',
        blocks: [
          para({ b: 'xdeb' }, ' ', { i: 'command' }, ' [', { i: 'options' }, '] [', { i: 'arguments' }, ']'),
          para({ b: 'xdeb-' }, { i: 'command' }, ' [', { i: 'options' }, '] [', { i: 'arguments' }, ']'),
          para({ b: 'xdeb help' }, ' ', { i: 'command' }),
          para({ b: 'xdeb --version' }),
        ],
      },
      {
        title: 'DESCRIPTION',
        blocks: [
          para(
            'xdeb is a suite of small commands that cross-build Debian packages: for each source package they decide which build-dependencies are needed for the build architecture and which for the host architecture, install them, run the build, and publish the results into a local apt repository that the next build can use; for many packages they work out the build order, breaking dependency loops with staged builds.',
          ),
          para(
            { b: 'xdeb' },
            ' ',
            { i: 'command' },
            ' is the same as ',
            { b: 'xdeb-' },
            { i: 'command' },
            ` where that binary is installed (${standalone.map((c) => `xdeb-${c.name}`).join(', ')}). Each command has its own manual page, xdeb-`,
            { i: 'command' },
            '(1).',
          ),
          para(
            'Data goes to standard output and nothing else does; messages go to standard error, and progress is shown only on a terminal or with --verbose. Commands that print data take --json.',
          ),
        ],
      },
      {
        title: 'COMMANDS',
        blocks: [
          {
            kind: 'items',
            items: cmds.map((c) => ({
              term: [{ b: c.standalone ? `xdeb-${c.name}` : `xdeb ${c.name}` }],
              body: [para(`${c.summary}; see xdeb-${c.name}(1)`)],
            })),
          },
        ],
      },
      {
        title: 'COMMON OPTIONS',
        blocks: [
          {
            kind: 'items',
            items: [
              { term: [{ b: '-h' }, ', ', { b: '--help' }], body: [para('show the help of xdeb or of a command, with examples')] },
              { term: [{ b: '-q' }, ', ', { b: '--quiet' }], body: [para('print nothing but data and errors')] },
              { term: [{ b: '-v' }, ', ', { b: '--verbose' }], body: [para('say what is being done, also when not on a terminal')] },
              { term: [{ b: '--json' }], body: [para('for commands that print data: print it as one JSON document')] },
              {
                term: [{ b: '-a' }, ', ', { b: '--host-arch' }, ' ', { i: 'arch' }],
                body: [para('for commands that build: the architecture to build for')],
              },
              { term: [{ b: '--version' }], body: [para('print the version (xdeb only)')] },
            ],
          },
        ],
      },
      {
        title: 'EXIT STATUS',
        blocks: [{ kind: 'items', items: COMMON_EXIT.map((e) => ({ term: [{ b: String(e.code) }], body: [para(e.meaning)] })) }],
      },
      { title: 'ENVIRONMENT', blocks: [{ kind: 'items', items: configEnvironment(input.configKeys) }] },
      {
        title: 'FILES',
        blocks: [{ kind: 'items', items: CONFIG_FILES.map((f) => ({ term: [{ i: f.path }], body: [para(f.description)] })) }],
      },
      {
        title: 'SEE ALSO',
        blocks: [
          para(...seeAlsoSpans([...cmds.map((c) => `xdeb-${c.name}(1)`), 'xdeb.cfg(5)', 'dpkg-buildpackage(1)', 'dpkg-architecture(1)'])),
        ],
      },
    ],
  };
}

/** xdeb.cfg(5): the configuration file. */
export function configPage(input: ManualInput): Page {
  const keyItems = input.configKeys.map((k) => ({
    term: [{ b: k.key }, ' = ', { i: k.kind === 'bool' ? 'yes|no' : k.kind }] as Span[],
    body: [para(`${k.description}.${k.default !== undefined ? ` Default: ${k.default}.` : ''} Environment: ${envName(k.key)}.`)],
  }));
  const sectionItems = [...input.sectionKinds].map(([kind, keys]) => ({
    term: [{ b: `[${kind} ` }, { i: 'NAME' }, { b: ']' }] as Span[],
    body: [para(`takes the keys ${keys.join(', ')}.`)],
  }));
  return {
    name: 'xdeb.cfg',
    section: 5,
    summary: 'configuration of the xdeb commands',
    version: input.version,
    sections: [
      { title: 'SYNOPSIS', blocks: [para({ i: '/etc/xdeb/xdeb.cfg' }, ', ', { i: '~/.config/xdeb/xdeb.cfg' })] },
      {
        title: 'DESCRIPTION',
        blocks: [
          para(
            'Every xdeb command reads its settings from, in increasing precedence: /etc/xdeb/xdeb.cfg, ~/.config/xdeb/xdeb.cfg, XDEB_* environment variables (XDEB_HOST_ARCH for host-arch), and its command-line flags. With --local-config FILE only FILE is read, not the two files. Run ',
            { b: 'xdeb config' },
            ' to see the effective values and where each comes from.',
          ),
          para(
            'A file holds lines "key = value"; blank lines and lines starting with # or ; are ignored. Lists are separated by commas or blanks; yes/no values also accept true/false, on/off, 1/0. A key may be set once per file. After a section header "[KIND NAME]" the lines belong to that section. An unknown key, a bad value or a malformed line is an error (exit status 2) naming the file and the line.',
          ),
        ],
      },
      { title: 'KEYS', blocks: [{ kind: 'items', items: keyItems }] },
      { title: 'SECTIONS', blocks: [{ kind: 'items', items: sectionItems }] },
      {
        title: 'EXAMPLES',
        blocks: [
          {
            kind: 'code',
            lines: [
              '# ~/.config/xdeb/xdeb.cfg',
              'host-arch = arm64',
              'profiles = cross, nocheck',
              'local-repo = /srv/xdeb/repo',
              'use-remote-repo = yes',
              'root-cmd = sudo',
            ],
          },
        ],
      },
      {
        title: 'FILES',
        blocks: [{ kind: 'items', items: CONFIG_FILES.map((f) => ({ term: [{ i: f.path }], body: [para(f.description)] })) }],
      },
      { title: 'SEE ALSO', blocks: [para(...seeAlsoSpans(['xdeb(1)', 'xdeb-config(1)']))] },
    ],
  };
}

/** Every page: xdeb(1), xdeb-<cmd>(1) for each command, xdeb.cfg(5). */
export function allPages(input: ManualInput): Page[] {
  return [umbrellaPage(input), ...input.commands.map((c) => commandPage(c, input)), configPage(input)];
}

// ---------------------------------------------------------------------------------------------
// roff

function roffEscape(s: string): string {
  return s.replace(/\\/g, '\\e').replace(/-/g, '\\-').replace(/'/g, '\\(aq').replace(/`/g, '\\(ga');
}

/** A line of text that roff must not read as a request. */
function roffLine(s: string): string {
  return /^[.']/.test(s) ? `\\&${s}` : s;
}

function roffSpans(spans: Span[]): string {
  return spans
    .map((s) =>
      typeof s === 'string'
        ? roffEscape(s)
        : 'i' in s
          ? `\\fI${roffEscape(s.i)}\\fR`
          : 'b' in s
            ? `\\fB${roffEscape(s.b)}\\fR`
            : `\\fB\\%${roffEscape(s.code)}\\fR`,
    )
    .join('');
}

function roffBlocks(blocks: Block[], indented = false): string[] {
  const out: string[] = [];
  blocks.forEach((b, n) => {
    switch (b.kind) {
      case 'para':
        if (n > 0 || !indented) out.push(indented ? '.IP' : '.PP');
        out.push(roffLine(roffSpans(b.text)));
        break;
      case 'code':
        out.push('.PP', '.RS 4', '.nf', ...b.lines.map((l) => roffLine(roffEscape(l))), '.fi', '.RE');
        break;
      case 'items':
        for (const it of b.items) {
          out.push('.TP', roffLine(roffSpans(it.term)));
          out.push(...roffBlocks(it.body, true));
        }
        break;
      case 'subsection':
        out.push(`.SS "${roffEscape(b.title)}"`);
        break;
    }
  });
  return out;
}

export function renderRoff(page: Page): string {
  const lines = [
    `.\\" Generated from the xdeb command definitions by scripts/gen-assets.mjs. Do not edit.`,
    `.TH "${roffEscape(page.name.toUpperCase())}" "${page.section}" "" "xdeb ${roffEscape(page.version)}" "xdeb manual"`,
    '.SH NAME',
    `${roffEscape(page.name)} \\- ${roffEscape(page.summary)}`,
  ];
  for (const s of page.sections) {
    lines.push(`.SH "${roffEscape(s.title)}"`);
    lines.push(...roffBlocks(s.blocks));
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Markdown

function mdEscape(s: string): string {
  return s.replace(/([\\`*_<>[\]|])/g, '\\$1');
}

function mdSpans(spans: Span[]): string {
  return spans
    .map((s) =>
      typeof s === 'string' ? mdEscape(s) : 'b' in s ? `**${mdEscape(s.b)}**` : 'i' in s ? `*${mdEscape(s.i)}*` : mdCode(s.code),
    )
    .join('');
}

function mdCode(s: string): string {
  const fence = s.includes('`') ? '``' : '`';
  return `${fence}${fence.length > 1 ? ' ' : ''}${s}${fence.length > 1 ? ' ' : ''}${fence}`;
}

function mdBlocks(blocks: Block[], indent = ''): string[] {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'para':
        out.push(indent + mdSpans(b.text), '');
        break;
      case 'code':
        out.push(indent + '```', ...b.lines.map((l) => indent + l), indent + '```', '');
        break;
      case 'items':
        for (const it of b.items) {
          const body = mdBlocks(it.body, indent + '  ');
          out.push(`${indent}- ${mdSpans(it.term)}${body.length ? '  ' : ''}`);
          // The first paragraph continues the list item on the next line.
          out.push(...body.filter((l, i) => !(l === '' && i === body.length - 1)));
        }
        out.push('');
        break;
      case 'subsection':
        out.push(`### ${b.title}`, '');
        break;
    }
  }
  return out;
}

export function renderMarkdown(page: Page): string {
  const lines = [
    `<!-- Generated from the xdeb command definitions by scripts/gen-assets.mjs. Do not edit. -->`,
    `# ${page.name}(${page.section})`,
    '',
    '## NAME',
    '',
    `${mdEscape(page.name)} — ${mdEscape(page.summary)}`,
    '',
  ];
  for (const s of page.sections) lines.push(`## ${s.title}`, '', ...mdBlocks(s.blocks));
  return (
    lines
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd() + '\n'
  );
}

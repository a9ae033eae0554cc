#!/usr/bin/env node
// Generates, from the compiled command definitions (dist/), what is built rather than written:
//   completions/bash/<name>   one bash completion file per command name (xdeb, xdeb-build, …)
//   completions/zsh/_xdeb     the zsh completion
//   man/man1/*.1, man/man5/*.5  the manual pages
//   docs/reference/*.md       the same pages in Markdown
// Run by `npm run build` after tsc. --out DIR writes under DIR instead of the package root.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const out = outIndex >= 0 ? args[outIndex + 1] : root;
if (!out) {
  process.stderr.write('usage: gen-assets.mjs [--out DIR]\n');
  process.exit(2);
}

const [{ commands }, completion, manual, { archTable }, { CONFIG_KEYS, SECTION_KINDS }] = await Promise.all([
  import('../dist/cli/registry.js'),
  import('../dist/ui/completion.js'),
  import('../dist/ui/manpage.js'),
  import('../dist/lib/arch.js'),
  import('../dist/lib/config.js'),
]);
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;

/** Replace a directory's generated files: write the new set, remove the ones no longer made. */
function writeDir(dir, files, isGenerated) {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (isGenerated(f) && !(f in files)) rmSync(join(dir, f));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

const input = { commands, archs: archTable().names() };
const bash = completion.bashCompletion(input);
writeDir(
  join(out, 'completions', 'bash'),
  Object.fromEntries(completion.completionNames(commands).map((n) => [n, bash])),
  (f) => f === 'xdeb' || f.startsWith('xdeb-'),
);
writeDir(join(out, 'completions', 'zsh'), { _xdeb: completion.zshCompletion(input) }, (f) => f === '_xdeb');

const pages = manual.allPages({ commands, version, configKeys: CONFIG_KEYS, sectionKinds: SECTION_KINDS });
for (const section of [1, 5]) {
  const these = pages.filter((p) => p.section === section);
  writeDir(
    join(out, 'man', `man${section}`),
    Object.fromEntries(these.map((p) => [`${p.name}.${section}`, manual.renderRoff(p)])),
    (f) => f.startsWith('xdeb') && f.endsWith(`.${section}`),
  );
}
writeDir(
  join(out, 'docs', 'reference'),
  Object.fromEntries(pages.map((p) => [`${p.name}.md`, manual.renderMarkdown(p)])),
  (f) => f.startsWith('xdeb') && f.endsWith('.md'),
);

// npm installs the man pages that package.json lists: say when a new command's page is missing.
if (out === root) {
  const listed = new Set(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).man ?? []);
  const missing = pages.map((p) => `man/man${p.section}/${p.name}.${p.section}`).filter((p) => !listed.has(p));
  if (missing.length)
    process.stderr.write(`gen-assets: add to "man" in package.json (npm install -g installs only those): ${missing.join(' ')}\n`);
}

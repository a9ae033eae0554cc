// xdeb-sequence --report DIR (docs/report.md): DIR/index.html from the plan and the state of its
// steps, each step's build log and messages copied into DIR/logs/, and DIR/report.json with the
// same data. Written into temporary names and renamed, so a reader never sees half a report.

import { copyFile, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { renderReportHtml, reportRows, summarizeReport, type ReportData } from '../lib/report-html.js';
import type { Plan } from '../lib/plan.js';
import type { Output } from '../ui/output.js';
import type { SequenceState } from './sequence-run.js';

async function filesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

export async function writeReport(
  dir: string,
  plan: Plan,
  state: SequenceState | undefined,
  command: string,
): Promise<{ index: string; summary: ReturnType<typeof summarizeReport> }> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  const logsTmp = join(root, `.logs.tmp-${process.pid}`);
  await rm(logsTmp, { recursive: true, force: true });
  await mkdir(logsTmp, { recursive: true });
  const links = new Map<number, { log?: string; messages?: string }>();
  for (const st of state?.steps ?? []) {
    const files = await filesIn(st.dir);
    if (!files.length) continue;
    const sub = basename(st.dir);
    await mkdir(join(logsTmp, sub), { recursive: true });
    const l: { log?: string; messages?: string } = {};
    for (const f of files) {
      if (f.endsWith('.build')) {
        await copyFile(join(st.dir, f), join(logsTmp, sub, `${f}.txt`));
        l.log = `logs/${sub}/${f}.txt`;
      } else if (f === 'xdeb-sequence.log') {
        await copyFile(join(st.dir, f), join(logsTmp, sub, 'messages.txt'));
        l.messages = `logs/${sub}/messages.txt`;
      }
    }
    links.set(st.n, l);
  }
  const data: ReportData = {
    title: `Cross-buildability for ${plan.hostArch}`,
    generated: new Date().toISOString(),
    buildArch: plan.buildArch,
    hostArch: plan.hostArch,
    profiles: plan.profiles,
    command,
    rows: reportRows(plan.steps, plan.loops, state?.steps, (n) => links.get(n) ?? {}),
  };
  await rm(join(root, 'logs'), { recursive: true, force: true });
  await rename(logsTmp, join(root, 'logs'));
  const summary = summarizeReport(data.rows);
  const index = join(root, 'index.html');
  await writeFile(`${index}.tmp`, renderReportHtml(data));
  await writeFile(join(root, `report.json.tmp`), JSON.stringify({ ...data, summary }, null, 1) + '\n');
  await rename(join(root, 'report.json.tmp'), join(root, 'report.json'));
  await rename(`${index}.tmp`, index);
  return { index, summary };
}

/** The hook of xdeb-sequence: write the report when --report DIR was given. */
export async function reportIfAsked(dir: string | undefined, plan: Plan, state: SequenceState | undefined, out: Output): Promise<void> {
  if (dir === undefined) return;
  const { index, summary } = await writeReport(dir, plan, state, `xdeb-sequence ${process.argv.slice(2).join(' ')}`);
  out.info(
    `report: ${index} (${summary.sources} sources: ${summary.satisfiable} satisfiable, ${summary.built} built, ${summary.failed} failed)`,
  );
}

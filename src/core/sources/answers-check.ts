import { databasesProblem } from '../databases/answers';
import { rootsProblem } from './selection';

/**
 * The checks of the answers that say what is backed up (issue 14: "sources", "databases", "dumpDir",
 * "hooks") beyond their JSON types, for the setup's validation to run before anything is touched.
 * Pure: the answers in, the problems (each with its fix) out.
 */
export function backupSetProblems(answers: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (answers.source !== undefined && answers.sources !== undefined) problems.push('"source" and "sources" are both given; keep "sources" (a list), which replaces "source".');
  if (Array.isArray(answers.sources)) {
    const p = rootsProblem(answers.sources.map(String));
    if (p) problems.push(`"sources": ${p}`);
  }
  if (answers.databases !== undefined) {
    const p = databasesProblem(answers.databases);
    if (p) problems.push(p);
  }
  if (typeof answers.dumpDir === 'string' && !answers.dumpDir.startsWith('/')) problems.push('"dumpDir" must be an absolute path.');
  const hooks = answers.hooks as Record<string, unknown> | undefined;
  for (const phase of ['before', 'after']) {
    const list = hooks?.[phase];
    if (Array.isArray(list) && list.some((c) => typeof c !== 'string' || !c.trim() || /\n/.test(c))) problems.push(`"hooks.${phase}" must list one-line commands (run with bash -c).`);
  }
  return problems;
}

import { existingExportFiles } from '../../core/keys/export';
import { confirmExportTarget, defaultExportDir, expandPath, exportKeysFlow } from '../keys/export';
import type { Step } from '../run-steps';
import type { SetupState } from './state';

/**
 * Export: both keys, secret and public, into a folder the person picks (0700, files 0600), proven
 * complete by a re-import, with an optional paper copy. New keys must be exported (they exist
 * nowhere else); reused keys may skip it with an empty answer.
 */
export const exportStep: Step<SetupState> = {
  id: 'export',
  title: 'Export',
  async run(state) {
    const { ctx } = state;
    const { prompt, env } = ctx;
    const keys = state.keys;
    if (!keys) throw new Error('the Export step runs after the Keys step');
    const mustExport = keys.generated;
    const answer = await prompt.text({
      id: 'export.dir',
      message: 'Folder to export both keys into:',
      help: mustExport
        ? 'The new keys exist only on this server: without a copy elsewhere, losing it loses every backup.'
        : 'Leave empty to skip: these keys were already in GnuPG, so a copy may exist elsewhere.',
      default: state.exportDir ?? (mustExport ? defaultExportDir(env) : ''),
      validate: (v) => (!v.trim() && mustExport ? 'New keys must be exported: give a folder.' : undefined),
    });
    if (!answer.trim()) {
      prompt.show({ title: 'Export skipped: make sure a copy of both keys exists somewhere other than this server.', tone: 'warning' });
      state.exportDir = undefined;
      return;
    }
    const dir = expandPath(answer, env);
    const paper = await prompt.confirm({ id: 'export.paper', message: 'Also write a printable paper copy (armored keys, fingerprints, restore note)?', default: false });
    // Coming back to this step after exporting here: the files are ours, from this run.
    const sameAsBefore = state.exportDir === dir && (await existingExportFiles(dir, paper)).length > 0;
    const overwrite = sameAsBefore || await confirmExportTarget(prompt, dir, paper);
    await exportKeysFlow(ctx, keys.gnupgHome, keys, { dir, paper, overwrite });
    state.exportDir = dir;
  },
};

import { UserError } from '../core/errors';
// Filled in by the Keys issue.
const todo = async (..._args: unknown[]): Promise<number> => { throw new UserError('keys: not implemented yet'); };
export const keysGenerateCommand = todo, keysListCommand = todo, keysExportCommand = todo, keysImportCommand = todo;

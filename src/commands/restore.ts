import { UserError } from '../core/errors';
export async function restoreCommand(..._args: unknown[]): Promise<number> { throw new UserError('restore: not implemented yet'); }

import { UserError } from '../core/errors';
export async function checkCommand(..._args: unknown[]): Promise<number> { throw new UserError('check: not implemented yet'); }

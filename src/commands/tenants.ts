import { UserError } from '../core/errors';
export async function tenantsCommand(..._args: unknown[]): Promise<number> { throw new UserError('tenants: not implemented yet'); }

import { UserError } from '../errors';

/**
 * The service catalog, reduced to what we need: object-store endpoints by region and interface.
 * v3 and v2.0 shape it differently; both normalise to one list here.
 */

export type Interface = 'public' | 'internal' | 'admin';
export const INTERFACES: Interface[] = ['public', 'internal', 'admin'];

export interface Endpoint {
  type: string;
  region?: string;
  interface: Interface;
  url: string;
}

interface V3Service {
  type?: string;
  endpoints?: { interface?: string; region?: string; region_id?: string; url?: string }[];
}

interface V2Service {
  type?: string;
  endpoints?: { region?: string; publicURL?: string; internalURL?: string; adminURL?: string }[];
}

export function fromV3Catalog(catalog: V3Service[] | undefined): Endpoint[] {
  const out: Endpoint[] = [];
  for (const service of catalog ?? []) {
    for (const ep of service.endpoints ?? []) {
      const iface = ep.interface as Interface;
      if (!service.type || !ep.url || !INTERFACES.includes(iface)) continue;
      out.push({ type: service.type, region: ep.region_id ?? ep.region ?? undefined, interface: iface, url: ep.url.replace(/\/+$/, '') });
    }
  }
  return out;
}

export function fromV2Catalog(catalog: V2Service[] | undefined): Endpoint[] {
  const out: Endpoint[] = [];
  for (const service of catalog ?? []) {
    for (const ep of service.endpoints ?? []) {
      for (const iface of INTERFACES) {
        const url = ep[`${iface}URL`];
        if (service.type && url) out.push({ type: service.type, region: ep.region ?? undefined, interface: iface, url: url.replace(/\/+$/, '') });
      }
    }
  }
  return out;
}

export function objectStore(endpoints: Endpoint[]): Endpoint[] {
  return endpoints.filter((e) => e.type === 'object-store');
}

/** Regions that have an object-store endpoint, in catalog order. */
export function regionsOf(endpoints: Endpoint[]): string[] {
  return [...new Set(objectStore(endpoints).map((e) => e.region ?? ''))];
}

export function interfacesIn(endpoints: Endpoint[], region: string | undefined): Interface[] {
  return INTERFACES.filter((i) => objectStore(endpoints).some((e) => e.interface === i && (region === undefined || (e.region ?? '') === region)));
}

/**
 * The one object-store endpoint for a region and interface, or a UserError naming what exists.
 * `region` undefined means "whichever, if there is only one region".
 */
export function pickEndpoint(endpoints: Endpoint[], want: { region?: string; interface: Interface }): Endpoint {
  const stores = objectStore(endpoints);
  if (stores.length === 0) {
    throw new UserError('This project\'s catalog has no object-store (Swift) endpoint.', {
      fix: 'Pick a project with object storage enabled, or ask your provider to enable Swift for this project.',
      code: 'no-object-store',
    });
  }
  const regions = regionsOf(stores);
  let region = want.region;
  if (region === undefined) {
    if (regions.length > 1) {
      throw new UserError(`Object storage is offered in several regions: ${regions.join(', ')}. No region was chosen.`, {
        fix: `Pass --region (or set OS_REGION_NAME) to one of: ${regions.join(', ')}.`,
        code: 'region-ambiguous',
      });
    }
    region = regions[0]!;
  }
  const inRegion = stores.filter((e) => (e.region ?? '') === region);
  if (inRegion.length === 0) {
    throw new UserError(`There is no object-store endpoint in region "${region}".`, {
      fix: `Use one of the regions that have one: ${regions.map((r) => r || '(none)').join(', ')} (--region or OS_REGION_NAME; names are case-sensitive).`,
      code: 'region',
    });
  }
  const match = inRegion.find((e) => e.interface === want.interface);
  if (!match) {
    const offered = interfacesIn(stores, region);
    throw new UserError(`Region "${region}" has no ${want.interface} object-store endpoint.`, {
      fix: `Use --interface ${offered.join(' or ')} (or OS_INTERFACE).`,
      code: 'interface',
    });
  }
  return match;
}

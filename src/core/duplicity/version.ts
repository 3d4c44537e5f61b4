/** duplicity's command-line flags changed at 2.0 and 3.0; every generated command depends on this. */
export type FlagFamily = '0.8' | '2.x' | '3.x';

export interface Version {
  major: number;
  minor: number;
  patch: number;
  text: string;
}

export function parseVersion(text: string): Version | undefined {
  const match = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0), text: match[0] };
}

export function compareVersions(a: Version, b: Pick<Version, 'major' | 'minor' | 'patch'>): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function atLeast(v: Version, major: number, minor = 0, patch = 0): boolean {
  return compareVersions(v, { major, minor, patch }) >= 0;
}

export function flagFamily(v: Version): FlagFamily {
  if (v.major >= 3) return '3.x';
  if (v.major >= 2) return '2.x';
  return '0.8';
}

/** The Swift backend with Keystone v2/v3 auth arrived in 0.6.22. */
export const MIN_DUPLICITY_FOR_SWIFT = { major: 0, minor: 6, patch: 22 } as const;

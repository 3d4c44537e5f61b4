import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlagFamily } from '../duplicity/version';
import { UserError } from '../errors';
import { listFiles, type Entry } from './listing';
import { pathFlag, restore } from './restore';
import type { BackupSource } from './source';

export interface DrillReport {
  ok: boolean;
  sample: string;
  bytes: number;
  seconds: number;
  /** identical: same bytes as the live file; live-changed: the live file moved on since (not a failure). */
  comparison: 'identical' | 'differs' | 'live-changed' | 'live-missing' | 'not-compared';
  sha256: string;
}

/** The same sample for the same list and day, different ones across days: drills walk the backup. */
export function pickSample(files: Entry[], seed: string): Entry | undefined {
  if (!files.length) return undefined;
  const n = createHash('sha256').update(seed).digest().readUInt32BE(0);
  return files[n % files.length];
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * A restore drill, as Deja Dup checks its backups: restore one file of the newest backup into a
 * temp folder and, when the live file has not changed since, compare their bytes. Touches nothing
 * but its own temp folder.
 */
export async function drill(opts: {
  source: BackupSource;
  /** The live folder that was backed up, for the comparison; absent on another machine. */
  liveRoot?: string;
  /** Drill this file instead of a sample. */
  path?: string;
  flagFamily: FlagFamily;
  signal?: AbortSignal;
  seed?: string;
}): Promise<DrillReport> {
  const started = Date.now();
  const index = await listFiles(opts.source, { signal: opts.signal });
  const sample = opts.path ? index.get(opts.path) : pickSample(index.regularFiles(), opts.seed ?? new Date().toISOString().slice(0, 10));
  if (!sample) throw new UserError(opts.path ? `${opts.path} is not in the newest backup.` : 'The newest backup holds no regular file to drill with.', { code: 'drill-empty' });
  const dir = await mkdtemp(join(tmpdir(), 'dupliswift-drill-'));
  try {
    const summary = await restore({ source: opts.source, path: sample.path, target: join(dir, 'out'), flagFamily: opts.flagFamily, signal: opts.signal });
    const restored = summary.restoredAt;
    const digest = await sha256(restored);
    let comparison: DrillReport['comparison'] = 'not-compared';
    if (opts.liveRoot) {
      const live = join(opts.liveRoot, sample.path);
      const st = await lstat(live).catch(() => undefined);
      if (!st) comparison = 'live-missing';
      else if (Math.floor(st.mtimeMs / 1000) !== Math.floor(sample.mtime.getTime() / 1000)) comparison = 'live-changed';
      else comparison = (await sha256(live)) === digest ? 'identical' : 'differs';
    }
    return { ok: comparison !== 'differs', sample: sample.path, bytes: summary.bytes, seconds: (Date.now() - started) / 1000, comparison, sha256: digest };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The drill as a bash function for the generated backup script (the backup-job issue wires it into
 * its schedule). It expects the script to have exported what the backup itself uses: GNUPGHOME,
 * PASSPHRASE, SIGN_PASSPHRASE and the SWIFT_* variables. Without `archiveDir` it starts from an
 * empty cache, as a new machine would (and never contends for the job's). It restores one sample file of the newest
 * backup into a temp folder, compares it with the live file when that is unchanged, prints one line,
 * and returns non-zero on failure so the script's alerting fires.
 */
export function drillScriptFragment(opts: { duplicity: string; family: FlagFamily; url: string; archiveDir?: string; source: string }): string {
  const flag = pathFlag(opts.family);
  return `# Restore drill: prove the newest backup restores (one sample file, compared with the live one).
dupliswift_restore_drill() {
  local dup=${shellQuote(opts.duplicity)} url=${shellQuote(opts.url)} cache=${shellQuote(opts.archiveDir ?? '')} live=${shellQuote(opts.source)}
  local work pick sample stamp restored rc=0
  work=$(mktemp -d "\${TMPDIR:-/tmp}/dupliswift-drill.XXXXXX") || return 1
  # No cache given: an empty one, as on a new machine, so the drill also proves the remote metadata decrypts.
  [ -n "$cache" ] || cache="$work/cache"
  # The machine log (fd 3) carries UTC times and quoted names; skip names with escapes for simplicity.
  "$dup" list-current-files --archive-dir "$cache" --log-fd 3 "$url" 3>"$work/list" >/dev/null 2>"$work/err" || {
    echo "restore drill FAILED: cannot list the newest backup: $(tail -n 3 "$work/err" | tr '\\n' ' ')" >&2; rm -rf "$work"; return 1; }
  pick=$(awk -v q="'" 'BEGIN { srand() }
    $1 == "INFO" && $2 == "10" && $NF == "reg" {
      name = $0; sub(/^INFO 10 [^ ]+ /, "", name); sub(/ reg$/, "", name)
      if (substr(name, 1, 1) != q || substr(name, length(name), 1) != q || index(name, "\\\\") > 0) next
      n++; if (int(rand() * n) == 0) { pick = substr(name, 2, length(name) - 2); stamp = $3 }
    }
    END { if (n) print stamp " " pick }' "$work/list")
  if [ -z "$pick" ]; then echo "restore drill: no plain file to sample" >&2; rm -rf "$work"; return 0; fi
  stamp=\${pick%% *}; sample=\${pick#* }
  restored="$work/restored"
  if ! "$dup" restore --archive-dir "$cache" ${flag} "$sample" "$url" "$restored" >/dev/null 2>"$work/err"; then
    echo "restore drill FAILED: $sample did not restore: $(tail -n 3 "$work/err" | tr '\\n' ' ')" >&2; rc=1
  elif [ -f "$live/$sample" ] && [ "$(date -u -r "$live/$sample" +%Y%m%dT%H%M%SZ)" = "$stamp" ]; then
    if cmp -s "$restored" "$live/$sample"; then echo "restore drill OK: $sample restored, identical to the live file"
    else echo "restore drill FAILED: $sample restored but differs from the unchanged live file" >&2; rc=1; fi
  else
    echo "restore drill OK: $sample restored ($(stat -c %s "$restored") bytes; live file changed since, not compared)"
  fi
  rm -rf "$work"
  return $rc
}
`;
}

import type { ModelsLocation } from '../models-fetch/locate.ts';
import { formatBytes } from '../models-fetch/progress.ts';
import type { PackReport } from '../models-fetch/status.ts';

/** The human table of `models list`, with a hint for each pack that is not installed. */
export function formatList(loc: ModelsLocation, packs: readonly PackReport[]): string {
  const lines: string[] = [`model packs in ${loc.modelsDir} (active: ${loc.activePack}, marked *)`, ''];
  if (packs.length === 0) {
    lines.push('  no packs found (a pack is a folder with a manifest.json)');
  }
  const header = ['', 'PACK', 'STATUS', 'ON DISK', 'KIND', 'FAMILY', 'SIZE', 'TITLE'];
  const rows = packs.map((p) => [
    p.active ? '*' : ' ',
    p.name,
    p.status,
    p.bytesExpected
      ? `${formatBytes(p.bytesOnDisk)} / ${formatBytes(p.bytesExpected)}`
      : formatBytes(p.bytesOnDisk),
    p.kind ?? '-',
    p.family ?? '-',
    p.size ?? '-',
    p.title ?? (p.problem ? 'unreadable manifest.json (see below)' : ''),
  ]);
  if (rows.length > 0) {
    const all = [header, ...rows];
    const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
    for (const r of all)
      lines.push(
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
          .join('  ')
          .trimEnd(),
      );
  }
  const notes: string[] = [];
  const missing = packs.filter((p) => p.status === 'missing');
  if (missing.length > 0) {
    notes.push(`  not downloaded: ${missing.map((p) => p.name).join(', ')}`);
    notes.push('  fetch one with: npm run models:fetch -- <pack>');
  }
  for (const p of packs) {
    if (p.status === 'installed' || p.status === 'missing') continue;
    const cmd = p.dir.startsWith(loc.modelsDir)
      ? `npm run models:fetch -- ${p.name}`
      : `npm run models:fetch -- ${p.dir}`;
    const bad = p.files.filter((f) => f.state === 'corrupt').map((f) => `${f.file}: ${f.problem}`);
    const absent = p.files.filter((f) => f.state !== 'present' && f.state !== 'corrupt').length;
    const why =
      p.problem ?? (bad.length > 0 ? bad.join('; ') : `${absent} of ${p.files.length} files not downloaded`);
    notes.push(`  ${p.name}: ${p.status} (${why}) → ${p.problem ? 'fix its manifest.json' : cmd}`);
  }
  const active = packs.find((p) => p.active);
  if (!active)
    notes.push(`  the active pack "${loc.activePack}" was not found (set MODEL_PACK to a pack above)`);
  if (notes.length > 0) lines.push('', ...notes);
  return `${lines.join('\n')}\n`;
}

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ExamConfig } from '../src/core/exam-schema.js';
import { formatIssues } from '../src/core/issues.js';
import type { ExamStore } from './domain/exam-store.js';
import { photoKey } from './domain/identity.js';
import type { BlobStore } from './storage/blob-store.js';

/** A reference photo is a portrait, not a scan of a document: a few megabytes at most. */
const MAX_PHOTO_BYTES = 5 * 1024 * 1024;

/** What the photo's bytes say it is (the file name can lie). */
function imageKind(b: Uint8Array): 'jpg' | 'png' | 'webp' | null {
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpg';
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP') return 'webp';
  return null;
}

export type ImportResult = { ok: true; exam: ExamConfig } | { ok: false; problems: string[] };

/**
 * Reads and validates an exam file and the reference photos it names. Nothing is written unless
 * everything is valid; then the photos are stored (blob store, `photos/<exam>/<candidate>.<ext>`)
 * and the exam.
 */
export async function importExamFile(file: string, exams: ExamStore, blobs: BlobStore): Promise<ImportResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { ok: false, problems: [`(file): cannot read ${file}: ${(err as Error).message}`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [`(file): not valid JSON: ${(err as Error).message}`] };
  }
  const parsed = ExamConfig.safeParse(json);
  if (!parsed.success) return { ok: false, problems: formatIssues(parsed.error) };
  const exam = parsed.data;

  const baseDir = path.dirname(path.resolve(file));
  const photos = exam.roster.flatMap((c, i) => (c.photo ? [{ i, from: path.resolve(baseDir, c.photo), id: c.id }] : []));
  const problems: string[] = [];
  const read: { key: string; bytes: Uint8Array }[] = [];
  for (const p of photos) {
    const bytes = await readFile(p.from).catch(() => null);
    const where = `roster[${p.i}].photo`;
    if (!bytes) problems.push(`${where}: no such file ${p.from}`);
    else if (bytes.length > MAX_PHOTO_BYTES) problems.push(`${where}: ${p.from} is over 5 MB; use a smaller portrait`);
    else if (imageKind(bytes) === null) problems.push(`${where}: ${p.from} is not a JPEG, PNG or WebP image`);
    else if (!photoKey(exam.id, p.id, p.from).endsWith(`.${imageKind(bytes)}`)) problems.push(`${where}: ${p.from} is a ${imageKind(bytes)?.toUpperCase()} image; give it that extension`);
    else read.push({ key: photoKey(exam.id, p.id, p.from), bytes: new Uint8Array(bytes) });
  }
  if (problems.length) return { ok: false, problems };
  for (const r of read) await blobs.put(r.key, r.bytes);
  await exams.put(exam);
  return { ok: true, exam };
}

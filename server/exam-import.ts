import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ExamConfig } from '../src/core/exam-schema.js';
import { formatIssues } from '../src/core/issues.js';
import type { ExamStore } from './domain/exam-store.js';

export type ImportResult = { ok: true; exam: ExamConfig } | { ok: false; problems: string[] };

/**
 * Reads and validates an exam file and the reference photos it names. Nothing is written unless
 * everything is valid; then the photos are copied under the data directory and the exam stored.
 */
export async function importExamFile(file: string, exams: ExamStore, dataDir: string): Promise<ImportResult> {
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
  const missing: string[] = [];
  for (const p of photos) {
    const ok = await stat(p.from).then((s) => s.isFile(), () => false);
    if (!ok) missing.push(`roster[${p.i}].photo: no such file ${p.from}`);
  }
  if (missing.length) return { ok: false, problems: missing };

  const photoDir = path.join(dataDir, 'exams', exam.id, 'photos');
  await mkdir(photoDir, { recursive: true });
  for (const p of photos) await copyFile(p.from, path.join(photoDir, `${p.id}${path.extname(p.from).toLowerCase()}`));
  await exams.put(exam);
  return { ok: true, exam };
}

import type { ExamSummary } from '../../../src/core/api-schema.js';
import type { ExamStore, StoredExam } from '../../domain/exam-store.js';
import { notFound } from '../api-error.js';

export function examSummary({ config, times }: StoredExam): ExamSummary {
  return { id: config.id, title: config.title, helpLine: config.helpLine, times, faceMatch: config.face.match.enabled };
}

/** The signed-in user's exam, or 404 when it was removed since. */
export async function existingExam(exams: ExamStore, examId: string): Promise<StoredExam> {
  const exam = await exams.get(examId);
  if (!exam) throw notFound('this exam no longer exists');
  return exam;
}

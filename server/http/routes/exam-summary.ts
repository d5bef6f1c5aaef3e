import type { ExamSummary } from '../../../src/core/api-schema.js';
import type { StoredExam } from '../../domain/exam-store.js';

export function examSummary({ config, times }: StoredExam): ExamSummary {
  return { id: config.id, title: config.title, helpLine: config.helpLine, times };
}

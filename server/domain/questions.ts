import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import type { SealedQuestions } from '../../src/core/api-schema.js';
import { ApiError } from '../http/api-error.js';
import type { StoredExam } from './exam-store.js';

/**
 * Question release (R9, README "Questions"): the questions leave the server only encrypted
 * (AES-256-GCM, exam id as associated data); the key is released at the start time, or with the
 * questions at entry for `sealed-at-entry` exams. The key is derived from the server secret and
 * the questions themselves, so nothing extra is stored and a re-import changes it.
 */
export class Questions {
  constructor(private readonly secret: Uint8Array, private readonly now: () => number) {}

  key(exam: StoredExam): Buffer {
    const digest = createHash('sha256').update(JSON.stringify(exam.config.questions)).digest('hex');
    return createHmac('sha256', this.secret).update(`invigil/questions/v1/${exam.config.id}/${digest}`).digest();
  }

  keyReleased(exam: StoredExam): boolean {
    return exam.config.questionRelease === 'sealed-at-entry' || this.now() >= exam.times.startAt;
  }

  sealed(exam: StoredExam): SealedQuestions {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key(exam), iv);
    cipher.setAAD(Buffer.from(exam.config.id, 'utf8'));
    const body = Buffer.concat([cipher.update(JSON.stringify({ questions: exam.config.questions }), 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return {
      examId: exam.config.id,
      iv: iv.toString('base64'),
      ciphertext: body.toString('base64'),
      key: this.keyReleased(exam) ? this.key(exam).toString('base64') : null,
      startAt: exam.times.startAt,
    };
  }

  releasedKey(exam: StoredExam): string {
    if (!this.keyReleased(exam)) throw new ApiError(403, 'too_early', 'the questions are released at the start time', { startAt: exam.times.startAt });
    return this.key(exam).toString('base64');
  }
}


import { QuestionList, type SealedQuestions } from '../core/api-schema.js';
import { fromBase64 } from '../core/base64.js';

/**
 * Opens the question package the server sealed (server/domain/questions.ts): AES-256-GCM, the
 * exam id as associated data, base64 on the wire, the 16-byte tag after the ciphertext.
 */
const enc = new TextEncoder();
function bytes(text: string): Uint8Array<ArrayBuffer> {
  const out = fromBase64(text);
  if (!out) throw new Error('malformed base64 in the question package');
  return out;
}

async function aesKey(subtle: SubtleCrypto, raw: Uint8Array<ArrayBuffer>, use: KeyUsage): Promise<CryptoKey> {
  return subtle.importKey('raw', raw, 'AES-GCM', false, [use]);
}

/** Decrypts and validates; throws when the key does not fit (e.g. the questions were re-imported). */
export async function openQuestions(subtle: SubtleCrypto, sealed: Pick<SealedQuestions, 'examId' | 'iv' | 'ciphertext'>, key: string): Promise<QuestionList> {
  const plain = await subtle.decrypt(
    { name: 'AES-GCM', iv: bytes(sealed.iv), additionalData: enc.encode(sealed.examId) },
    await aesKey(subtle, bytes(key), 'decrypt'),
    bytes(sealed.ciphertext),
  );
  return QuestionList.parse(JSON.parse(new TextDecoder().decode(plain)));
}

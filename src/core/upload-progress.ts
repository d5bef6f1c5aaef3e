/** What one recording's row shows: bytes the server holds of those recorded. */
export interface ShownProgress { done: number; total: number }

/**
 * The next figure for a recording's upload row, from the last one shown, the device's recording
 * row and the last upload pass's outcome (which may be older or newer than the row, or missing).
 * It never shows more uploaded than recorded, and neither figure goes backwards — a pass that does
 * not mention the recording, or a row read before the last chunks were counted, changes nothing;
 * before any pass (a page reopened mid-upload) the row's acknowledged bytes are the figure.
 * Verified: all of it.
 */
export function nextProgress(
  prev: ShownProgress | undefined,
  rec: { bytes: number; verified: boolean; uploadedBytes?: number },
  outcome: { recordedBytes: number; verifiedBytes: number } | undefined,
): ShownProgress {
  const total = Math.max(prev?.total ?? 0, rec.bytes, outcome?.recordedBytes ?? 0);
  // The row's own count of acknowledged bytes: a page opened mid-upload starts from it, not from 0.
  const seen = rec.verified ? total : Math.min(Math.max(outcome?.verifiedBytes ?? 0, rec.uploadedBytes ?? 0), total);
  return { done: Math.min(total, Math.max(prev?.done ?? 0, seen)), total };
}

/** The first webm type this browser records, for a stream with or without audio. */
export function pickMimeType(withAudio: boolean, isSupported = (t: string) => MediaRecorder.isTypeSupported(t)): string {
  const candidates = withAudio
    ? ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm']
    : ['video/webm;codecs=vp8', 'video/webm;codecs=vp9', 'video/webm'];
  const found = candidates.find(isSupported);
  if (!found) throw new Error('this browser cannot record webm video');
  return found;
}

/**
 * Whether this browser can make our recording format: WebM with VP8/VP9 video and Opus audio
 * (Chrome, Edge, Firefox, Safari 18.4+). Without it nothing can be recorded: the device check fails.
 */
export function canRecordWebm(isSupported = (t: string) => typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported(t)): boolean {
  try {
    pickMimeType(true, isSupported);
    pickMimeType(false, isSupported);
    return true;
  } catch {
    return false;
  }
}

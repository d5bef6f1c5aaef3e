/** The first webm type this browser records, for a stream with or without audio. */
export function pickMimeType(withAudio: boolean, isSupported = (t: string) => MediaRecorder.isTypeSupported(t)): string {
  const candidates = withAudio
    ? ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm']
    : ['video/webm;codecs=vp8', 'video/webm;codecs=vp9', 'video/webm'];
  const found = candidates.find(isSupported);
  if (!found) throw new Error('this browser cannot record webm video');
  return found;
}

/**
 * A still of a recording at `offsetMs`, decoded by this browser and drawn to a JPEG (nothing
 * leaves the page but the request for the segment). Null when no frame comes within `timeoutMs`.
 */
export async function stillFrame(url: string, offsetMs: number, width = 320, timeoutMs = 10_000): Promise<Blob | null> {
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  try {
    const ready = new Promise<void>((resolve, reject) => {
      video.addEventListener('seeked', () => resolve(), { once: true });
      video.addEventListener('error', () => reject(new Error('the segment does not play')), { once: true });
      video.addEventListener('loadedmetadata', () => { video.currentTime = offsetMs / 1000; }, { once: true });
    });
    video.src = url;
    await withTimeout(ready, timeoutMs);
    if (!video.videoWidth) return null;
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = Math.round((width * video.videoHeight) / video.videoWidth);
    const g = canvas.getContext('2d');
    if (!g) return null;
    g.drawImage(video, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.82));
  } catch {
    return null;
  } finally {
    video.removeAttribute('src');
    video.load();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms))]);
}

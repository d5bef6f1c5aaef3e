/** Thrown when the candidate shared a window or tab instead of the whole screen (R7). */
export class NotWholeScreenError extends Error {
  readonly code = 'not_whole_screen';
}

export interface CameraSettings { width: number; height: number; frameRate: number }

/**
 * The one place the page asks for the camera (and microphone): a 640 px preview for the device
 * check, the face gate at login and the identity step — or, below, the exam's recording.
 */
export function capturePreview(withMicrophone = false): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 } }, audio: withMicrophone });
}

/** Camera and microphone at the exam's (low-bandwidth) resolution. */
export function captureCamera(s: CameraSettings, ids: { camera?: string; microphone?: string } = {}): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({
    video: { width: { ideal: s.width }, height: { ideal: s.height }, frameRate: { ideal: s.frameRate }, ...(ids.camera ? { deviceId: { exact: ids.camera } } : {}) },
    audio: { echoCancellation: true, noiseSuppression: true, ...(ids.microphone ? { deviceId: { exact: ids.microphone } } : {}) },
  });
}

/** The whole monitor; anything else is stopped and refused, so the candidate is asked again. */
export async function captureScreen(frameRate = 5): Promise<MediaStream> {
  const stream = await navigator.mediaDevices.getDisplayMedia({ video: { displaySurface: 'monitor', frameRate: { ideal: frameRate } }, audio: false });
  const surface = stream.getVideoTracks()[0]?.getSettings().displaySurface;
  if (surface !== undefined && surface !== 'monitor') {
    stream.getTracks().forEach((t) => t.stop());
    throw new NotWholeScreenError(`shared a ${surface}, not the whole screen`);
  }
  return stream;
}

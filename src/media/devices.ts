export interface DeviceChoice { id: string; label: string }
export interface DeviceLists { cameras: DeviceChoice[]; microphones: DeviceChoice[] }

/** Cameras and microphones (labels appear once the page has been allowed to use them). */
export async function listDevices(): Promise<DeviceLists> {
  const all = await navigator.mediaDevices.enumerateDevices();
  const pick = (kind: MediaDeviceKind, fallback: string) => all.filter((d) => d.kind === kind && d.deviceId)
    .map((d, i) => ({ id: d.deviceId, label: d.label || `${fallback} ${i + 1}` }));
  return { cameras: pick('videoinput', 'Camera'), microphones: pick('audioinput', 'Microphone') };
}

/** The fake camera playing in a muted video element (the face group's camera shows a real face). */
export async function cameraVideo(): Promise<{ video: HTMLVideoElement; stop: () => void }> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = stream;
  await video.play();
  while (video.videoWidth === 0) await new Promise((r) => setTimeout(r, 20));
  return { video, stop: () => stream.getTracks().forEach((t) => t.stop()) };
}

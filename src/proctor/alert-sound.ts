let ctx: AudioContext | null = null;

/**
 * A short two-tone chime for a new 【求助】 message or flag, made in the page (no sound file to
 * fetch). Browsers allow sound only after the proctor interacted with the page (they logged in).
 */
export function beep(): void {
  try {
    ctx ??= new AudioContext();
    void ctx.resume();
    const t = ctx.currentTime;
    for (const [at, hz] of [[0, 880], [0.18, 660]] as const) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0.0001, t + at);
      gain.gain.exponentialRampToValueAtTime(0.25, t + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + at + 0.16);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t + at);
      osc.stop(t + at + 0.17);
    }
  } catch {
    // No audio on this device: the badge still shows.
  }
}

/** The microphone's level (0..1, RMS of the latest samples) through an AnalyserNode. */
export class LevelMeter {
  private readonly ctx = new AudioContext();
  private readonly analyser: AnalyserNode;
  private readonly buf: Float32Array<ArrayBuffer>;
  /** The highest level seen so far (the device check asks for one loud enough moment). */
  peak = 0;

  constructor(stream: MediaStream) {
    this.analyser = this.ctx.createAnalyser();
    this.analyser.fftSize = 1024;
    this.buf = new Float32Array(this.analyser.fftSize);
    this.ctx.createMediaStreamSource(stream).connect(this.analyser);
    // Before any user gesture the context may start suspended (autoplay policy): resume it at once
    // if allowed, else at the first click or key press on the page.
    const resume = () => void this.ctx.resume().catch(() => undefined);
    resume();
    for (const type of ['pointerdown', 'keydown'] as const) window.addEventListener(type, resume, { once: true, capture: true });
  }

  level(): number {
    this.analyser.getFloatTimeDomainData(this.buf);
    let sum = 0;
    for (const v of this.buf) sum += v * v;
    const rms = Math.min(1, Math.sqrt(sum / this.buf.length) * 2);
    this.peak = Math.max(this.peak, rms);
    return rms;
  }

  close(): void {
    void this.ctx.close().catch(() => undefined);
  }
}

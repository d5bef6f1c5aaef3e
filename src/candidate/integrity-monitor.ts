import type { EventType } from '../core/event-schema.js';
import { extraDisplay, onDisplayChange } from '../media/displays.js';

/**
 * The page area shrinking this much more than the window (against the gap when the exam view
 * opened) is taken for docked developer tools. A browser zoom change looks the same; both are
 * only logged, never acted on.
 */
const DEVTOOLS_GAP_PX = 200;

/**
 * Integrity signals in the exam (R7, R9): switching away, fullscreen exit, a display attached,
 * copy / paste / context menu (blocked), PrintScreen, devtools-sized resizes, device changes,
 * offline / online. Each is reported once per occurrence to `log`; the caller stores it.
 */
export class IntegrityMonitor {
  private readonly off: (() => void)[] = [];

  constructor(private readonly log: (type: EventType, detail?: Record<string, string | number | boolean>) => void) {}

  start(): void {
    const on = <K extends keyof WindowEventMap>(target: Window, type: K, fn: (e: WindowEventMap[K]) => void) => {
      target.addEventListener(type, fn);
      this.off.push(() => target.removeEventListener(type, fn));
    };
    const onDoc = <K extends keyof DocumentEventMap>(type: K, fn: (e: DocumentEventMap[K]) => void) => {
      document.addEventListener(type, fn);
      this.off.push(() => document.removeEventListener(type, fn));
    };
    onDoc('visibilitychange', () => this.log(document.visibilityState === 'hidden' ? 'tab-hidden' : 'tab-visible'));
    on(window, 'blur', () => this.log('window-blur'));
    onDoc('fullscreenchange', () => { if (!document.fullscreenElement) this.log('fullscreen-exit'); });
    const block = (type: 'copy' | 'paste' | 'context-menu') => (e: Event) => {
      // The help chat may paste; everything else in the exam view may not.
      if (type === 'paste' && e.composedPath().some((n) => n instanceof HTMLTextAreaElement)) return;
      e.preventDefault();
      this.log(type);
    };
    onDoc('copy', block('copy'));
    onDoc('cut', block('copy'));
    onDoc('paste', block('paste'));
    onDoc('contextmenu', block('context-menu'));
    onDoc('keyup', (e) => { if (e.key === 'PrintScreen') this.log('print-screen'); });
    let docked = false;
    const gapNow = () => Math.max(window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight);
    const baseline = gapNow();
    on(window, 'resize', () => {
      const gap = gapNow() - baseline;
      const now = gap > DEVTOOLS_GAP_PX;
      if (now && !docked) this.log('devtools-resize', { gap });
      docked = now;
    });
    on(window, 'online', () => this.log('online'));
    on(window, 'offline', () => this.log('offline'));
    const devices = () => this.log('device-change');
    navigator.mediaDevices.addEventListener('devicechange', devices);
    this.off.push(() => navigator.mediaDevices.removeEventListener('devicechange', devices));
    this.off.push(onDisplayChange(() => { if (extraDisplay() === true) this.log('display-attached'); }));
  }

  stop(): void {
    this.off.splice(0).forEach((f) => f());
  }
}

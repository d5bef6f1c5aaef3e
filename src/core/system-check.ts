import { expectedRecordingBytes, storageVerdict, type Bitrates } from './storage-budget.js';

/** What the device check measured (R1); null where the browser cannot tell. */
export interface CheckMeasures {
  camera: 'ok' | 'denied' | 'missing' | 'error';
  /** Peak microphone level seen, 0..1; null while no microphone. */
  micPeak: number | null;
  battery: { level: number; charging: boolean } | null;
  online: boolean;
  /** Measured upload rate to our server, kbit/s; null when not measured (offline). */
  uploadKbps: number | null;
  /**
   * Room, and whether the browser keeps our storage for good (`persisted`): best-effort storage
   * is deleted whole when the disk fills (Chromium evicts the least recently used origin).
   */
  storage: { quota: number; usage: number; persisted?: boolean | null } | null;
  recorder: boolean;
  /** true when a second display is attached; null when the browser cannot tell. */
  extraDisplay: boolean | null;
}

export const CHECK_ITEMS = ['camera', 'microphone', 'battery', 'network', 'storage', 'recorder', 'display'] as const;
export type CheckItem = (typeof CHECK_ITEMS)[number];
export type CheckStatus = 'pass' | 'warn' | 'fail';
export interface CheckResult { item: CheckItem; status: CheckStatus; /** i18n key suffix: `check.<item>.<advice>` */ advice: string }

/** Below this a mic that works still looks silent: warn, ask the candidate to speak. */
const MIC_HEARD = 0.02;
/** What the recording uploads live (camera + mic + screen); below it the upload trails behind. */
export function liveUploadKbps(b: Bitrates): number {
  return (b.videoBitsPerSecond + b.audioBitsPerSecond + b.screenBitsPerSecond) / 1000;
}

/**
 * Pass / warn / fail per item, with the advice to show. Only what makes recording impossible
 * fails (camera, recorder); everything else warns, because the exam still works offline.
 */
export function evaluateCheck(m: CheckMeasures, bitrates: Bitrates, examSeconds: number): CheckResult[] {
  const r = (item: CheckItem, status: CheckStatus, advice: string): CheckResult => ({ item, status, advice });
  const storage = m.storage ? storageVerdict(m.storage.quota, m.storage.usage, expectedRecordingBytes(bitrates, examSeconds)) : null;
  return [
    m.camera === 'ok' ? r('camera', 'pass', 'ok') : r('camera', 'fail', m.camera),
    m.micPeak === null ? r('microphone', 'fail', 'missing') : m.micPeak >= MIC_HEARD ? r('microphone', 'pass', 'ok') : r('microphone', 'warn', 'quiet'),
    m.battery === null ? r('battery', 'pass', 'unknown')
      : m.battery.charging || m.battery.level >= 0.5 ? r('battery', 'pass', 'ok') : r('battery', 'warn', 'low'),
    !m.online ? r('network', 'warn', 'offline')
      : m.uploadKbps !== null && m.uploadKbps < liveUploadKbps(bitrates) ? r('network', 'warn', 'slow') : r('network', 'pass', 'ok'),
    storage !== null && !storage.ok ? r('storage', 'fail', 'low')
      : m.storage?.persisted === false ? r('storage', 'warn', 'evictable') : r('storage', 'pass', 'ok'),
    m.recorder ? r('recorder', 'pass', 'ok') : r('recorder', 'fail', 'unsupported'),
    m.extraDisplay === true ? r('display', 'warn', 'extra') : r('display', 'pass', m.extraDisplay === null ? 'unknown' : 'ok'),
  ];
}

/** The candidate may go on unless an item failed. */
export function checkPassed(results: CheckResult[]): boolean {
  return results.every((x) => x.status !== 'fail');
}

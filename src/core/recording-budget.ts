/** What the server lets one candidate store, derived from the exam so an honest exam never hits it. */
export interface RecordingBudget {
  /** Bytes one recording may hold, per kind. */
  perRecording: { camera: number; screen: number; evidence: number };
  /** Bytes across all of one candidate's recordings. */
  perCandidate: number;
  /** Recordings of one kind per candidate (a takeover or a shared PC starts another). */
  recordingsPerKind: number;
  loginCaptures: number;
  /** Events a candidate's devices may post per minute (an offline backlog arrives at once), and in all. */
  eventsPerMinute: number;
  events: number;
  chatMessages: number;
}

export interface BudgetInputs {
  videoBitsPerSecond: number;
  audioBitsPerSecond: number;
  screenBitsPerSecond: number;
  maxRecordingBytes?: number | undefined;
  maxCandidateBytes?: number | undefined;
  maxRecordingsPerKind: number;
  /** Minutes from entry opening to the end of answering. */
  examMinutes: number;
}

const MiB = 1024 * 1024;
/** Extra time a proctor may grant, and MediaRecorder's overshoot of its target bitrate (measured ≤ 1.3×). */
const EXTRA_MINUTES = 60;
const OVERSHOOT = 2;
const FLOOR = 256 * MiB;

export function recordingBudget(i: BudgetInputs): RecordingBudget {
  const seconds = (i.examMinutes + EXTRA_MINUTES) * 60;
  const bytes = (bps: number) => Math.max(FLOOR, Math.ceil((bps / 8) * seconds * OVERSHOOT));
  const derived = {
    camera: bytes(i.videoBitsPerSecond + i.audioBitsPerSecond),
    screen: bytes(i.screenBitsPerSecond + i.audioBitsPerSecond),
    evidence: bytes(i.videoBitsPerSecond + i.audioBitsPerSecond),
  };
  const cap = (n: number) => (i.maxRecordingBytes === undefined ? n : i.maxRecordingBytes);
  const perRecording = { camera: cap(derived.camera), screen: cap(derived.screen), evidence: cap(derived.evidence) };
  // Each kind twice over: a takeover or a second phone starts another recording of that kind.
  const perCandidate = i.maxCandidateBytes ?? 2 * (perRecording.camera + perRecording.screen + perRecording.evidence);
  return { perRecording, perCandidate, recordingsPerKind: i.maxRecordingsPerKind, loginCaptures: 20, eventsPerMinute: 3000, events: 50_000, chatMessages: 2000 };
}

import { INTEGRITY_EVENTS, type EventType } from './event-schema.js';
import type { RecordingKind } from './recording-schema.js';
import type { Completeness, ReviewCase, ReviewDecision, ReviewRecording, ReviewState } from './review-schema.js';
import type { TileUpload } from './room-schema.js';

/** Pure helpers of review (R13): flags as intervals, markers on one server-time lane, segments placed, priority. */

interface LoggedEvent { id: string; type: EventType; at: number; detail?: Record<string, string | number | boolean> | undefined }

/** A presence flag from its raise to its clear (`to` null: never cleared while the device was heard). */
export interface FlagSpan { id: string; flag: string; kind: 'cant-see' | 'suspicious'; from: number; to: number | null }

export function flagSpans(events: readonly LoggedEvent[]): FlagSpan[] {
  const open = new Map<string, FlagSpan>();
  const spans: FlagSpan[] = [];
  for (const e of [...events].sort((a, b) => a.at - b.at)) {
    if (e.type !== 'face-flag') continue;
    const flag = String(e.detail?.flag ?? '');
    if (e.detail?.state === 'raised') {
      if (open.has(flag)) continue;
      const span: FlagSpan = { id: e.id, flag, kind: e.detail.kind === 'cant-see' ? 'cant-see' : 'suspicious', from: e.at, to: null };
      open.set(flag, span);
      spans.push(span);
    } else {
      const span = open.get(flag);
      if (span) span.to = e.at;
      open.delete(flag);
    }
  }
  return spans;
}

/** The standing decision of each subject: the newest wins, the older ones stay on record. */
export function currentDecisions(decisions: readonly ReviewDecision[]): Map<string, ReviewDecision> {
  const current = new Map<string, ReviewDecision>();
  for (const d of [...decisions].sort((a, b) => a.at - b.at)) current.set(d.subject, d);
  return current;
}

export const flagSubject = (flagId: string) => `flag:${flagId}`;

export function reviewState(decisions: readonly ReviewDecision[]): ReviewState {
  const d = currentDecisions(decisions).get('candidate')?.decision;
  if (d === 'cleared' || d === 'incident' || d === 'in-review') return d;
  return decisions.some((x) => x.subject.startsWith('flag:')) ? 'in-review' : 'not-started';
}

/**
 * Per kind of recording: bytes verified ÷ bytes the device reported recording. A recording the
 * device never reported and the server has not verified leaves the ratio unknown (null).
 */
export function completeness(uploads: readonly TileUpload[]): Completeness[] {
  const kinds = [...new Set(uploads.map((u) => u.kind))].sort((a, b) => KIND_ORDER.indexOf(a) - KIND_ORDER.indexOf(b));
  return kinds.map((kind) => {
    const mine = uploads.filter((u) => u.kind === kind);
    const verifiedBytes = mine.reduce((n, u) => n + (u.verified ? u.heldBytes : 0), 0);
    const known = mine.every((u) => u.recordedBytes !== null);
    const recordedBytes = known ? mine.reduce((n, u) => n + (u.recordedBytes ?? 0), 0) : null;
    const ratio = recordedBytes === null ? null : recordedBytes === 0 ? 1 : Math.min(1, verifiedBytes / recordedBytes);
    return { kind, verifiedBytes, recordedBytes, ratio };
  });
}
export const KIND_ORDER: readonly RecordingKind[] = ['camera', 'screen', 'evidence'];

/** What needs a person most comes first: undecided before decided, then suspicious flags, gaps in evidence, identity, outages. */
export function reviewPriority(r: {
  state: ReviewState; unreviewed: { 'cant-see': number; suspicious: number }; integrity: number;
  outages: { count: number }; identity: { needsLiveCheck: boolean; confirmedAt: number | null }; completeness: readonly Completeness[];
}): number {
  if (r.state === 'cleared' || r.state === 'incident') return 0;
  const missing = r.completeness.reduce((n, c) => n + (c.ratio === null ? 0.5 : 1 - c.ratio), 0);
  const identity = r.identity.needsLiveCheck && r.identity.confirmedAt === null ? 1 : 0;
  return 1 + r.unreviewed.suspicious * 12 + r.unreviewed['cant-see'] * 3 + Math.round(missing * 20) + identity * 8
    + Math.min(r.integrity, 20) + r.outages.count * 2 + (r.state === 'in-review' ? 0.5 : 0);
}

export const MARKER_TYPES = ['phase', 'flag', 'integrity', 'outage', 'chat', 'action'] as const;
export type MarkerType = (typeof MARKER_TYPES)[number];

/** One mark under the review timeline; clicking it seeks every stream to `at`. */
export interface ReviewMarker {
  id: string;
  type: MarkerType;
  at: number;
  /** Flags and outages last: their end, or null while never ended. */
  until?: number | null;
  /** phase: entered/reading/answering/end · flag: its flag name · integrity: the event type · chat: from · action: its type. */
  name: string;
  kind?: 'cant-see' | 'suspicious';
  text?: string;
}

export function reviewMarkers(c: Pick<ReviewCase, 'exam' | 'events' | 'chat' | 'outages' | 'actions'>, progress: { enteredAt: number | null; endedAt: number | null; extraMs?: number }): ReviewMarker[] {
  const t = c.exam.times;
  const phases: ReviewMarker[] = [];
  if (progress.enteredAt !== null) phases.push({ id: 'phase:entered', type: 'phase', at: progress.enteredAt, name: 'entered' });
  phases.push({ id: 'phase:reading', type: 'phase', at: t.startAt, name: 'reading' });
  phases.push({ id: 'phase:answering', type: 'phase', at: t.answeringAt, name: 'answering' });
  const end = Math.min(progress.endedAt ?? Infinity, t.endAt + (progress.extraMs ?? 0));
  phases.push({ id: 'phase:end', type: 'phase', at: end, name: 'end' });
  const markers: ReviewMarker[] = [
    ...phases,
    ...flagSpans(c.events).map((f): ReviewMarker => ({ id: flagSubject(f.id), type: 'flag', at: f.from, until: f.to, name: f.flag, kind: f.kind })),
    ...c.events.filter((e) => INTEGRITY_EVENTS.has(e.type)).map((e): ReviewMarker => ({ id: `event:${e.id}`, type: 'integrity', at: e.at, name: e.type })),
    ...c.outages.map((o, i): ReviewMarker => ({ id: `outage:${i}`, type: 'outage', at: o.from, until: o.to, name: o.source })),
    ...c.chat.map((m): ReviewMarker => ({ id: `chat:${m.id}`, type: 'chat', at: m.at, name: m.from, text: m.text })),
    ...c.actions.map((a): ReviewMarker => ({ id: `action:${a.id}`, type: 'action', at: a.at, name: a.type })),
  ];
  return markers.sort((a, b) => a.at - b.at || MARKER_TYPES.indexOf(a.type) - MARKER_TYPES.indexOf(b.type));
}

/** A segment on the server-time line: `from`..`to`, ms. */
export interface PlacedSegment { recording: string; kind: RecordingKind; segment: number; from: number; to: number }

/**
 * Each kind's segments in server time. A segment without a start (never announced) follows the
 * one before it; overlapping segments (a device's clock corrected mid-exam) keep their order, the
 * later one cut at nothing — a reviewer sees both ends.
 */
export function placeSegments(recordings: readonly ReviewRecording[]): Map<RecordingKind, PlacedSegment[]> {
  const byKind = new Map<RecordingKind, PlacedSegment[]>();
  for (const rec of recordings) {
    let cursor: number | null = null;
    const placed = byKind.get(rec.kind) ?? [];
    for (const s of [...rec.segments].sort((a, b) => a.segment - b.segment)) {
      const from: number | null = s.startedAt ?? cursor;
      if (from === null) continue;
      placed.push({ recording: rec.id, kind: rec.kind, segment: s.segment, from, to: from + s.durationMs });
      cursor = from + s.durationMs;
    }
    byKind.set(rec.kind, placed.sort((a, b) => a.from - b.from));
  }
  return byKind;
}

/** The segment playing at server time `t` and the offset into it, or null in a gap. */
export function segmentAt(placed: readonly PlacedSegment[], t: number): { segment: PlacedSegment; offsetMs: number } | null {
  let hit: PlacedSegment | undefined;
  for (const s of placed) if (s.from <= t && t < s.to) hit = s;
  return hit ? { segment: hit, offsetMs: t - hit.from } : null;
}

/** Gaps between a kind's segments longer than `minMs` (shown as gaps on the timeline, never squeezed out). */
export function segmentGaps(placed: readonly PlacedSegment[], minMs = 500): { from: number; to: number }[] {
  const gaps: { from: number; to: number }[] = [];
  let end = -Infinity;
  for (const s of placed) {
    if (end !== -Infinity && s.from - end > minMs) gaps.push({ from: end, to: s.from });
    end = Math.max(end, s.to);
  }
  return gaps;
}

/** The span the timeline shows: every segment and marker, at least the exam itself. */
export function reviewSpan(placed: Iterable<readonly PlacedSegment[]>, markers: readonly ReviewMarker[]): { from: number; to: number } {
  let from = Infinity;
  let to = -Infinity;
  for (const list of placed) for (const s of list) { from = Math.min(from, s.from); to = Math.max(to, s.to); }
  for (const m of markers) { from = Math.min(from, m.at); to = Math.max(to, m.until ?? m.at); }
  return from <= to ? { from, to } : { from: 0, to: 0 };
}

/** The next (dir 1) or previous (dir -1) marker from `t`, skipping those within 250 ms of it. */
export function nextMarker(markers: readonly ReviewMarker[], t: number, dir: 1 | -1): ReviewMarker | null {
  const list = dir === 1 ? markers.filter((m) => m.at > t + 250) : markers.filter((m) => m.at < t - 250).reverse();
  return list[0] ?? null;
}

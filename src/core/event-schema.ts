import { z } from 'zod';

/**
 * Integrity signals and flow events a candidate's device logs (R7, R9): each is kept on the device
 * with a client-made id and the server-estimated time, and posted when online; the server
 * dedupes by id and stamps its own receive time beside it.
 */
export const EVENT_TYPES = [
  'login-capture', 'entered', 'ended-early', 'recording-resumed', 'tab-hidden', 'tab-visible', 'window-blur',
  'fullscreen-exit', 'display-attached', 'copy', 'paste', 'context-menu', 'print-screen',
  'devtools-resize', 'track-ended', 'track-muted', 'device-change', 'device-switched', 'offline',
  'online', 'storage-full', 'storage-error', 'face-flag', 'face-summary', 'face-match', 'quota-exceeded',
  'outbox-refused', 'recorder-unavailable', 'identity-confirmed', 'proctor-warning', 'extra-time', 'ended-for-cause',
  'phone-bound', 'phone-scan', 'phone-hidden', 'phone-visible', 'phone-stopped',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Written by the server itself (the identity path): a device cannot post these. */
export const SERVER_EVENTS: ReadonlySet<EventType> = new Set([
  'face-match', 'quota-exceeded', 'identity-confirmed', 'proctor-warning', 'extra-time', 'ended-for-cause', 'phone-bound',
]);

/** What a bound evidence phone may post (its own scan, page and camera; stored with `source: phone`). */
export const PHONE_EVENTS: ReadonlySet<EventType> = new Set([
  'phone-scan', 'phone-hidden', 'phone-visible', 'phone-stopped', 'track-ended', 'track-muted', 'recording-resumed',
  'storage-full', 'storage-error', 'offline', 'online', 'outbox-refused', 'recorder-unavailable',
]);

/** Integrity signals (R7, R9) as counted on the proctor's tile. */
export const INTEGRITY_EVENTS: ReadonlySet<EventType> = new Set([
  'tab-hidden', 'window-blur', 'fullscreen-exit', 'display-attached', 'copy', 'paste', 'context-menu', 'print-screen',
  'devtools-resize', 'track-ended', 'track-muted', 'device-change',
]);

/** Problems of the device itself (storage, refused items, limits, the recorder). */
export const DEVICE_PROBLEM_EVENTS: ReadonlySet<EventType> = new Set([
  'storage-full', 'storage-error', 'outbox-refused', 'recorder-unavailable', 'quota-exceeded',
]);

/**
 * What a device may still report after it stopped speaking for the candidate (a takeover or a
 * logout): problems of the recordings it made. Everything else needs the current device.
 */
export const RECORDING_PROBLEM_EVENTS: ReadonlySet<EventType> = new Set(['storage-full']);

/** Events shown to the candidate as a warning when they happen in the exam view. */
export const WARNED_EVENTS: ReadonlySet<EventType> = new Set([
  'tab-hidden', 'window-blur', 'fullscreen-exit', 'display-attached', 'copy', 'paste', 'context-menu',
  'print-screen', 'devtools-resize', 'track-ended', 'track-muted',
]);

export const ClientId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'an 8–64 character id');
const Detail = z.record(z.string().max(40), z.union([z.string().max(200), z.number(), z.boolean()]));

export const ExamEvent = z.object({
  id: ClientId,
  type: z.enum(EVENT_TYPES),
  /** Server time as the device estimated it (server clock offset), epoch ms. */
  at: z.number().int().nonnegative(),
  detail: Detail.optional(),
});
export type ExamEvent = z.infer<typeof ExamEvent>;
export const EventBatch = z.object({ events: z.array(ExamEvent).min(1).max(200) });
export const EventBatchReply = z.object({ accepted: z.number().int() });

export const MAX_CHAT_TEXT = 2000;
export const ChatOut = z.object({ id: ClientId, text: z.string().trim().min(1).max(MAX_CHAT_TEXT), at: z.number().int().nonnegative() });
export type ChatOut = z.infer<typeof ChatOut>;
export const ChatBatch = z.object({ messages: z.array(ChatOut).min(1).max(50) });

export const ChatMessage = ChatOut.extend({
  from: z.enum(['candidate', 'proctor']),
  receivedAt: z.number(),
  /** A proctor's formal warning is shown apart from ordinary replies. */
  /** `identity`: the proctor confirmed the candidate's identity (the text is for the record; the device shows its own words). */
  kind: z.enum(['message', 'warning', 'identity']).default('message'),
});
export type ChatMessage = z.infer<typeof ChatMessage>;
export const ChatThread = z.object({ messages: z.array(ChatMessage) });
export type ChatThread = z.infer<typeof ChatThread>;

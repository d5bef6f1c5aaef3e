import type { Generated } from 'kysely';

/** Tables, typed for Kysely. Times are epoch milliseconds (server clock). */
export interface Database {
  access_log: { id: Generated<number>; exam_id: string; candidate_id: string; viewer_role: string; viewer_id: string; what: string; at: number };
  exams: { id: string; config: string; imported_at: number };
  review_decisions: { id: Generated<number>; exam_id: string; candidate_id: string; subject: string; decision: string; note: string; decided_by: string; decided_at: number };
  retention_holds: { exam_id: string; candidate_id: string; reason: string; held_by: string; held_at: number };
  sessions: {
    id: string;
    exam_id: string;
    role: 'candidate' | 'proctor' | 'phone';
    subject_id: string;
    device_id: string;
    refresh_hash: string;
    created_at: number;
    last_seen_at: number;
    ended_at: number | null;
    end_reason: string | null;
  };
  upload_credentials: {
    id: string;
    exam_id: string;
    candidate_id: string;
    device_id: string;
    issued_at: number;
    expires_at: number;
    revoked_at: number | null;
    scope: Generated<'all' | 'evidence'>;
    retired_at: number | null;
  };
  binding_codes: { code_hash: string; exam_id: string; candidate_id: string; issued_at: number; expires_at: number; used_at: number | null };
  evidence_phones: {
    id: string;
    exam_id: string;
    candidate_id: string;
    device_id: string;
    credential_id: string;
    bound_at: number;
    replaced_at: number | null;
    state: string;
    /** The phone's last report (JSON: PhoneReport). */
    report: string;
    last_heard_at: number;
  };
  lottery: {
    exam_id: string;
    candidate_id: string;
    room: string;
    number: number;
    method: 'draw' | 'auto';
    assigned_at: number;
  };
  recordings: {
    id: string;
    exam_id: string;
    candidate_id: string;
    kind: 'camera' | 'screen' | 'evidence';
    mime_type: string;
    created_at: number;
    bytes: number;
    verified_at: number | null;
    chain_head: string | null;
    problem: string | null;
    /** The device that created it (null: made before devices were recorded). */
    device_id: string | null;
    /** The bytes its device last reported recording (null: none heard yet). */
    reported_bytes: number | null;
  };
  retired_refresh_tokens: { hash: string; session_id: string; retired_at: number };
  recording_segments: {
    recording_id: string;
    segment: number;
    started_at: number;
    mime_type: string;
  };
  recording_chunks: {
    recording_id: string;
    segment: number;
    seq: number;
    size: number;
    sha256: string;
    stored_at: number;
    /** Last re-read by the scrub and found intact; null until then. */
    checked_at: number | null;
    /** Kept inside this pack (a framed request's file on local disk) at `pack_offset`; null: under its own chunk key. */
    pack: string | null;
    pack_offset: number | null;
  };
  progress: {
    exam_id: string;
    candidate_id: string;
    entered_at: number | null;
    ended_at: number | null;
    /** Extra answering time granted by proctors, ms. */
    extra_ms: number;
    ended_by: 'candidate' | 'proctor' | null;
  };
  acceptances: { exam_id: string; candidate_id: string; document: 'procedure' | 'pledge' | 'notice'; accepted_at: number };
  /** Face match at login (R2): consent and the identity path, one row per candidate. */
  identity_checks: {
    exam_id: string; candidate_id: string; consent: number | null; consent_at: number | null;
    path: string | null; similarity: number | null; threshold: number | null; decided_at: number | null;
    /** JSON of both descriptors, only when the exam's face.match.storeDescriptors is on. */
    descriptors: string | null;
    /** A proctor confirmed identity after a live check. */
    confirmed_at: number | null;
    confirmed_by: string | null;
  };
  events: { exam_id: string; candidate_id: string; id: string; type: string; client_at: number; received_at: number; detail: string | null };
  chat_messages: {
    exam_id: string;
    candidate_id: string;
    id: string;
    sender: 'candidate' | 'proctor';
    text: string;
    client_at: number;
    received_at: number;
    kind: 'message' | 'warning' | 'identity';
  };
  outages: { exam_id: string; candidate_id: string; started_at: number; ended_at: number | null };
  proctor_actions: { id: string; exam_id: string; candidate_id: string; proctor_id: string; type: string; detail: string; at: number };
  chat_reads: { exam_id: string; candidate_id: string; proctor_id: string; read_at: number };
}

import type { Kysely, Migration } from 'kysely';
import { floatType, idColumn } from './engine.js';

/** Migrations in order; never edit a released one, add the next. */
export const migrations: Record<string, Migration> = {
  '0001_foundation': {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('exams')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('imported_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('exam_id', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('refresh_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint')
        .addColumn('end_reason', 'text')
        .execute();
      await db.schema.createIndex('sessions_subject').on('sessions').columns(['exam_id', 'role', 'subject_id']).execute();
      await db.schema.createTable('upload_credentials')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('exam_id', 'text', (c) => c.notNull())
        .addColumn('candidate_id', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createTable('lottery')
        .addColumn('exam_id', 'text', (c) => c.notNull())
        .addColumn('candidate_id', 'text', (c) => c.notNull())
        .addColumn('room', 'text', (c) => c.notNull())
        .addColumn('number', 'integer', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('assigned_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('lottery_pk', ['exam_id', 'candidate_id'])
        .addUniqueConstraint('lottery_unique_number', ['exam_id', 'room', 'number'])
        .execute();
      await db.schema.createTable('progress')
        .addColumn('exam_id', 'text', (c) => c.notNull())
        .addColumn('candidate_id', 'text', (c) => c.notNull())
        .addColumn('entered_at', 'bigint')
        .addColumn('ended_at', 'bigint')
        .addPrimaryKeyConstraint('progress_pk', ['exam_id', 'candidate_id'])
        .execute();
    },
  },
  '0002_recordings': {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('recordings')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('exam_id', 'text', (c) => c.notNull())
        .addColumn('candidate_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('mime_type', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('bytes', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('verified_at', 'bigint')
        .addColumn('chain_head', 'text')
        .execute();
      await db.schema.createIndex('recordings_owner').on('recordings').columns(['exam_id', 'candidate_id']).execute();
      await db.schema.createTable('recording_segments')
        .addColumn('recording_id', 'text', (c) => c.notNull())
        .addColumn('segment', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('mime_type', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('recording_segments_pk', ['recording_id', 'segment'])
        .execute();
      await db.schema.createTable('recording_chunks')
        .addColumn('recording_id', 'text', (c) => c.notNull())
        .addColumn('segment', 'integer', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('stored_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('recording_chunks_pk', ['recording_id', 'segment', 'seq'])
        .execute();
    },
  },
  '0003_recording_problem': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('recordings').addColumn('problem', 'text').execute();
    },
  },
  '0004_flow': {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('acceptances')
        .addColumn('exam_id', 'text', (c) => c.notNull())
        .addColumn('candidate_id', 'text', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('accepted_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('acceptances_pk', ['exam_id', 'candidate_id', 'document'])
        .execute();
      await db.schema.createTable('events')
        .addColumn('exam_id', 'text', (c) => c.notNull())
        .addColumn('candidate_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('client_at', 'bigint', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addPrimaryKeyConstraint('events_pk', ['exam_id', 'candidate_id', 'id'])
        .execute();
      await db.schema.createTable('chat_messages')
        .addColumn('exam_id', 'text', (c) => c.notNull())
        .addColumn('candidate_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('client_at', 'bigint', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('chat_messages_pk', ['exam_id', 'candidate_id', 'id'])
        .execute();
    },
  },
  '0005_identity': {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('identity_checks')
        .addColumn('exam_id', 'text', (c) => c.notNull())
        .addColumn('candidate_id', 'text', (c) => c.notNull())
        .addColumn('consent', 'integer')
        .addColumn('consent_at', 'bigint')
        .addColumn('path', 'text')
        .addColumn('similarity', floatType(db))
        .addColumn('threshold', floatType(db))
        .addColumn('decided_at', 'bigint')
        .addColumn('descriptors', 'text')
        .addPrimaryKeyConstraint('identity_checks_pk', ['exam_id', 'candidate_id'])
        .execute();
    },
  },
  '0006_hardening': {
    async up(db: Kysely<unknown>) {
      // Refresh tokens rotate; a retired one used again ends its session (RFC 9700 §4.14.2).
      await db.schema.createTable('retired_refresh_tokens')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('retired_at', 'bigint', (c) => c.notNull())
        .execute();
      // The device whose credential created a recording: after a takeover only it may add to it.
      await db.schema.alterTable('recordings').addColumn('device_id', 'text').execute();
      await db.schema.createIndex('sessions_device').on('sessions').columns(['subject_id', 'device_id']).execute();
    },
  },
  '0007_proctor_console': {
    async up(db: Kysely<unknown>) {
      // Offline intervals during the exam, from heartbeats (the device's own events refine them on read).
      await db.schema.createTable('outages')
        .addColumn('exam_id', 'text', (c) => c.notNull())
        .addColumn('candidate_id', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint')
        .addPrimaryKeyConstraint('outages_pk', ['exam_id', 'candidate_id', 'started_at'])
        .execute();
      await db.schema.createTable('proctor_actions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('exam_id', 'text', (c) => c.notNull())
        .addColumn('candidate_id', 'text', (c) => c.notNull())
        .addColumn('proctor_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('proctor_actions_candidate').on('proctor_actions').columns(['exam_id', 'candidate_id']).execute();
      await db.schema.createTable('chat_reads')
        .addColumn('exam_id', 'text', (c) => c.notNull())
        .addColumn('candidate_id', 'text', (c) => c.notNull())
        .addColumn('proctor_id', 'text', (c) => c.notNull())
        .addColumn('read_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('chat_reads_pk', ['exam_id', 'candidate_id', 'proctor_id'])
        .execute();
      await db.schema.alterTable('progress').addColumn('extra_ms', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('progress').addColumn('ended_by', 'text').execute();
      await db.schema.alterTable('identity_checks').addColumn('confirmed_at', 'bigint').execute();
      await db.schema.alterTable('identity_checks').addColumn('confirmed_by', 'text').execute();
      await db.schema.alterTable('chat_messages').addColumn('kind', 'text', (c) => c.notNull().defaultTo('message')).execute();
    },
  },
  '0008_evidence_phone': {
    async up(db: Kysely<unknown>) {
      // One-time binding codes (R4), kept as SHA-256 only; a new code retires the unused ones.
      await db.schema.createTable('binding_codes')
        .addColumn('code_hash', 'text', (c) => c.primaryKey())
        .addColumn('exam_id', 'text', (c) => c.notNull())
        .addColumn('candidate_id', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .execute();
      await db.schema.createIndex('binding_codes_candidate').on('binding_codes').columns(['exam_id', 'candidate_id']).execute();
      // Each phone bound as a candidate's evidence camera; the latest unreplaced one is current.
      await db.schema.createTable('evidence_phones')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('exam_id', 'text', (c) => c.notNull())
        .addColumn('candidate_id', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('credential_id', 'text', (c) => c.notNull())
        .addColumn('bound_at', 'bigint', (c) => c.notNull())
        .addColumn('replaced_at', 'bigint')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('report', 'text', (c) => c.notNull())
        .addColumn('last_heard_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('evidence_phones_candidate').on('evidence_phones').columns(['exam_id', 'candidate_id']).execute();
      // What an upload credential may do: `all` (the laptop) or `evidence` (a phone: its own evidence recording only).
      await db.schema.alterTable('upload_credentials').addColumn('scope', 'text', (c) => c.notNull().defaultTo('all')).execute();
      // A replaced phone's credential: it finishes what it recorded, and starts nothing new.
      await db.schema.alterTable('upload_credentials').addColumn('retired_at', 'bigint').execute();
    },
  },
  '0009_access_log': {
    async up(db: Kysely<unknown>) {
      // Who looked at a candidate's evidence (recordings, photos, report), and when: personal data
      // of this kind is sensitive (PIPL Art. 28, GDPR Art. 9), so every view leaves a trace.
      await db.schema.createTable('access_log')
        .addColumn('id', ...idColumn(db))
        .addColumn('exam_id', 'text', (c) => c.notNull())
        .addColumn('candidate_id', 'text', (c) => c.notNull())
        .addColumn('viewer_role', 'text', (c) => c.notNull())
        .addColumn('viewer_id', 'text', (c) => c.notNull())
        .addColumn('what', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('access_log_candidate').on('access_log').columns(['exam_id', 'candidate_id', 'at']).execute();
    },
  },
  '0010_retention_holds': {
    async up(db: Kysely<unknown>) {
      // A candidate whose evidence must outlive the exam's retention (an incident under review).
      await db.schema.createTable('retention_holds')
        .addColumn('exam_id', 'text', (c) => c.notNull())
        .addColumn('candidate_id', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('held_by', 'text', (c) => c.notNull())
        .addColumn('held_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('retention_holds_pk', ['exam_id', 'candidate_id'])
        .execute();
    },
  },
  '0011_review_decisions': {
    async up(db: Kysely<unknown>) {
      // A reviewer's judgements (R13): each flag confirmed or dismissed, the candidate cleared or an
      // incident — appended, never updated, so who decided what and when stays on record.
      await db.schema.createTable('review_decisions')
        .addColumn('id', ...idColumn(db))
        .addColumn('exam_id', 'text', (c) => c.notNull())
        .addColumn('candidate_id', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('decision', 'text', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('review_decisions_candidate').on('review_decisions').columns(['exam_id', 'candidate_id', 'decided_at']).execute();
    },
  },
  '0012_chunk_scrub': {
    async up(db: Kysely<unknown>) {
      // When the stored bytes of a chunk were last re-read and found to match their digest (the
      // background scrub); null: not yet. Completion no longer re-reads them.
      await db.schema.alterTable('recording_chunks').addColumn('checked_at', 'bigint').execute();
      await db.schema.createIndex('recording_chunks_unchecked').on('recording_chunks').columns(['checked_at', 'stored_at']).execute();
    },
  },
  '0013_reported_bytes': {
    async up(db: Kysely<unknown>) {
      // The bytes the device last said it recorded (written every 30 s): completeness after a restart.
      await db.schema.alterTable('recordings').addColumn('reported_bytes', 'bigint').execute();
    },
  },
  '0014_chunk_packs': {
    async up(db: Kysely<unknown>) {
      // A chunk kept inside a request's pack file (local disk): the pack's key and where it starts.
      await db.schema.alterTable('recording_chunks').addColumn('pack', 'text').execute();
      await db.schema.alterTable('recording_chunks').addColumn('pack_offset', 'bigint').execute();
    },
  },
};

import path from 'node:path';
import { z } from 'zod';
import { formatIssues } from '../../src/core/issues.js';
import type { BlobStore } from './blob-store.js';
import { LocalDiskStore } from './local-disk-store.js';

const S3Env = z.object({
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().min(1).optional(),
  S3_PREFIX: z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, { error: 'letters, digits, . _ - and / between parts' })
    .refine((p) => p.split('/').every((part) => part !== '.' && part !== '..'), { error: 'no . or .. parts' }).optional(),
  S3_FORCE_PATH_STYLE: z.enum(['0', '1', 'true', 'false']).optional(),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  AWS_SESSION_TOKEN: z.string().min(1).optional(),
});

export interface OpenedStore {
  store: BlobStore;
  /** Where the bytes go, for the start-up line (no secrets). */
  where: string;
  /** The local disk store (it sweeps its temporaries at start), when that is the store. */
  disk: LocalDiskStore | null;
}

/**
 * Where recordings, photos and captures are kept: an S3-compatible bucket when `S3_BUCKET` is set
 * (credentials from the standard AWS variables or the instance's role), else `DATA_DIR/blobs`.
 * The S3 client is loaded only then.
 */
export async function openBlobStore(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<OpenedStore> {
  const parsed = S3Env.safeParse(env);
  if (!parsed.success) throw new Error(`invalid storage settings:\n${formatIssues(parsed.error).join('\n')}`);
  const { S3_BUCKET, S3_ENDPOINT, S3_REGION, S3_PREFIX, S3_FORCE_PATH_STYLE, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = parsed.data;
  if (!S3_BUCKET) {
    if (S3_ENDPOINT) throw new Error('invalid storage settings: S3_ENDPOINT is set but S3_BUCKET is not; set both, or neither for the local disk');
    const disk = new LocalDiskStore(path.join(dataDir, 'blobs'));
    return { store: disk, where: `local disk ${path.join(dataDir, 'blobs')}`, disk };
  }
  const { S3Store } = await import('./s3-store.js');
  const store = new S3Store({
    bucket: S3_BUCKET,
    ...(S3_ENDPOINT ? { endpoint: S3_ENDPOINT } : {}),
    ...(S3_REGION ? { region: S3_REGION } : {}),
    ...(S3_PREFIX ? { prefix: S3_PREFIX } : {}),
    ...(S3_FORCE_PATH_STYLE ? { forcePathStyle: S3_FORCE_PATH_STYLE === '1' || S3_FORCE_PATH_STYLE === 'true' } : {}),
    // Keys from these settings; without them the SDK's own chain (profile, instance or task role).
    ...(AWS_ACCESS_KEY_ID && AWS_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY, ...(AWS_SESSION_TOKEN ? { sessionToken: AWS_SESSION_TOKEN } : {}) } }
      : {}),
  });
  return { store, where: `S3 bucket ${S3_BUCKET}${S3_PREFIX ? `/${S3_PREFIX}` : ''}${S3_ENDPOINT ? ` at ${S3_ENDPOINT}` : ''}`, disk: null };
}

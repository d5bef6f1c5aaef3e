import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand, type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { assertSafeKey, type BlobStore } from './blob-store.js';

/** Objects at least this large go up in parts (S3's part minimum is 5 MiB, except the last). */
export const MULTIPART_FROM = 16 * 1024 * 1024;
const PART_BYTES = 8 * 1024 * 1024;
/** DeleteObjects takes at most 1,000 keys per call. */
const DELETE_BATCH = 1_000;

export interface S3StoreOptions {
  endpoint?: string;
  bucket: string;
  region?: string;
  /** Path-style addresses (`endpoint/bucket/key`): MinIO, Ceph RGW and s3rver want them. */
  forcePathStyle?: boolean;
  /** Keys go under this prefix (one bucket shared by several deployments). */
  prefix?: string;
  credentials?: S3ClientConfig['credentials'];
}

/**
 * An S3-compatible object store (AWS S3, MinIO, Ceph RGW, Alibaba OSS, Tencent COS): the same
 * content-addressed keys as on disk. A PUT is atomic on S3 (a reader sees the whole object or
 * none); large objects go up in parts and appear only when the upload completes. Reads stream
 * the object's body. Credentials come from the standard AWS variables unless given.
 */
export class S3Store implements BlobStore {
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(opts: S3StoreOptions) {
    this.bucket = opts.bucket;
    this.prefix = opts.prefix ? `${opts.prefix.replace(/\/+$/, '')}/` : '';
    this.client = new S3Client({
      region: opts.region ?? 'us-east-1',
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      forcePathStyle: opts.forcePathStyle ?? opts.endpoint !== undefined,
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
    });
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const Key = this.key(key);
    if (bytes.length < MULTIPART_FROM) {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: bytes, ContentLength: bytes.length }));
      return;
    }
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key }));
    if (!UploadId) throw new Error(`S3: no upload id for ${key}`);
    try {
      const parts: { ETag: string; PartNumber: number }[] = [];
      for (let at = 0, n = 1; at < bytes.length; at += PART_BYTES, n++) {
        const body = bytes.subarray(at, Math.min(at + PART_BYTES, bytes.length));
        const { ETag } = await this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key, UploadId, PartNumber: n, Body: body, ContentLength: body.length }));
        if (!ETag) throw new Error(`S3: no ETag for part ${n} of ${key}`);
        parts.push({ ETag, PartNumber: n });
      }
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (err) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId })).catch(() => undefined);
      throw err;
    }
  }

  async read(key: string): Promise<AsyncIterable<Uint8Array> | null> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return (res.Body as AsyncIterable<Uint8Array> | undefined) ?? null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async readRange(key: string, start: number, end: number): Promise<Uint8Array | null> {
    const from = Math.max(0, start);
    try {
      if (end <= from) {
        // No bytes asked: only whether the key is there.
        await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
        return new Uint8Array(0);
      }
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key), Range: `bytes=${from}-${end - 1}` }));
      const bytes = res.Body ? await res.Body.transformToByteArray() : new Uint8Array(0);
      // Cut to what was asked by where the reply says it starts: a store may send more (s3rver answers
      // `bytes=0-0` with the whole value; one ignoring ranges sends it without a Content-Range).
      const at = Number(/^bytes (\d+)-/.exec(res.ContentRange ?? '')?.[1] ?? 0);
      return bytes.subarray(from - at, end - at);
    } catch (err) {
      if (isNotFound(err)) return null;
      // A range starting at or past the end: the value is there, with nothing in it from `start`.
      if (isPastEnd(err)) return new Uint8Array(0);
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
  }

  async deleteTree(prefix: string): Promise<void> {
    const Prefix = `${this.key(prefix)}/`;
    // Each listing starts afresh: what the last one named is gone (a failed delete throws).
    for (;;) {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix, MaxKeys: DELETE_BATCH }));
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (!keys.length) return;
      const res = await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }));
      const failed = res.Errors?.[0];
      if (failed) throw new Error(`S3: could not delete ${failed.Key ?? '?'}: ${failed.Code ?? ''} ${failed.Message ?? ''}`);
    }
  }

  private key(key: string): string {
    assertSafeKey(key);
    return this.prefix + key;
  }
}

function isPastEnd(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'InvalidRange' || e.$metadata?.httpStatusCode === 416;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

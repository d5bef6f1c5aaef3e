const PROBE_BYTES = 48 * 1024;

/** Upload rate to our own server in kbit/s, timed over one small POST; null when it failed. */
export async function measureUploadKbps(base = '', timeoutMs = 8_000): Promise<number | null> {
  const body = crypto.getRandomValues(new Uint8Array(PROBE_BYTES));
  const started = performance.now();
  try {
    const res = await fetch(`${base}/api/probe`, { method: 'POST', body, cache: 'no-store', signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return null;
    await res.arrayBuffer();
  } catch {
    return null;
  }
  const seconds = Math.max(0.001, (performance.now() - started) / 1000);
  return Math.round((PROBE_BYTES * 8) / 1000 / seconds);
}

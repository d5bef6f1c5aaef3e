/** "820 KB", "12.4 MB", "1.20 GB": enough precision to see progress at low bitrates. */
export function formatBytes(bytes: number): string {
  const b = Math.max(0, bytes);
  if (b < 1024 * 1024) return `${Math.ceil(b / 1024)} KB`;
  if (b < 1024 ** 3) return `${(b / 1024 ** 2).toFixed(1)} MB`;
  return `${(b / 1024 ** 3).toFixed(2)} GB`;
}

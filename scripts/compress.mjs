// Precompresses the built app: a .br (brotli) and a .gz (gzip -9) beside every file the server
// sends compressed (server/http/static.ts), when it saves anything. Low-bandwidth candidates
// download the shell and the face model once; this is most of what they download before the exam.
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
const COMPRESSIBLE = /\.(js|mjs|css|html|json|webmanifest|svg|txt|wasm|bin)$/;

/** Returns { files, bytes, br, gz } totals over what was compressed. */
export async function compressDir(dir) {
  const totals = { files: 0, bytes: 0, br: 0, gz: 0 };
  const names = (await readdir(dir, { recursive: true })).filter((n) => COMPRESSIBLE.test(n));
  await Promise.all(names.map(async (name) => {
    const file = path.join(dir, name);
    if (!(await stat(file)).isFile()) return;
    const bytes = await readFile(file);
    if (bytes.length < 256) return;
    const [br, gz] = await Promise.all([
      brotli(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: bytes.length > 2 * 1024 * 1024 ? 9 : 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }),
      gzip(bytes, { level: 9 }),
    ]);
    if (gz.length >= bytes.length) return;
    await writeFile(`${file}.gz`, gz);
    if (br.length < gz.length) await writeFile(`${file}.br`, br);
    totals.files++;
    totals.bytes += bytes.length;
    totals.br += Math.min(br.length, gz.length);
    totals.gz += gz.length;
  }));
  return totals;
}

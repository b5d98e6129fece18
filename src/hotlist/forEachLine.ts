/** Reading a hot-list file line by line as bytes (the importer and its parse workers). */
import { open } from 'node:fs/promises';

const CHUNK = 4 << 20;

/**
 * Calls `onLine(buf, start, end)` for each line of bytes [from, to) of the file (without its line
 * break, CR LF or LF), in order, reading CHUNK bytes at a time into one reused buffer (grown for a
 * longer line). `from` must be the start of a line; `onBytes` gets the bytes read so far.
 */
export async function forEachLine(
  file: string,
  onLine: (buf: Buffer, start: number, end: number) => void,
  onBytes: (n: number) => void,
  from = 0,
  to = Number.POSITIVE_INFINITY,
): Promise<void> {
  const fh = await open(file, 'r');
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let have = 0; // bytes in buf, a partial line first
    let total = 0;
    for (;;) {
      if (have === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      const want = Math.min(buf.length - have, to - from - total);
      const { bytesRead } = want > 0 ? await fh.read(buf, have, want, from + total) : { bytesRead: 0 };
      total += bytesRead;
      onBytes(total);
      const end = have + bytesRead;
      let start = 0;
      if (bytesRead === 0) {
        if (end > 0) onLine(buf, 0, buf[end - 1] === 13 ? end - 1 : end);
        return;
      }
      const filled = buf.subarray(0, end);
      for (let nl = filled.indexOf(10, have); nl >= 0; nl = filled.indexOf(10, start)) {
        onLine(buf, start, nl > start && buf[nl - 1] === 13 ? nl - 1 : nl);
        start = nl + 1;
      }
      have = end - start;
      if (have > 0 && start > 0) buf.copy(buf, 0, start, end);
    }
  } finally {
    await fh.close();
  }
}

/**
 * The one atomic file write of flopwise (data/atomic re-exports it): write a temp file beside the
 * target, then rename, so a crash never leaves a half-written file. It lives in the engine, the
 * bottom layer, because the engine imports nothing from the layers above and writes checkpoints too.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';

/** Writes `data` to `path` all at once or not at all. */
export function atomicWrite(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

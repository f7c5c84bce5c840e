import { open } from 'node:fs/promises';
import { join } from 'node:path';

/** Mean time of one small append + fdatasync on the disk of `dir`: the least a durable step can cost. */
export async function fsyncFloorMs(dir: string, count = 500): Promise<number> {
  const handle = await open(join(dir, 'floor.bin'), 'a');
  try {
    const record = Buffer.alloc(200, 1);
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      await handle.write(record);
      await handle.datasync();
    }
    return (performance.now() - start) / count;
  } finally {
    await handle.close();
  }
}

import { open, rm } from 'node:fs/promises';
import { failpoint } from '../failpoints.js';
import { withReleasers } from './releasers.js';

/**
 * Create `path` holding `content`, refused with the open error (EEXIST when it
 * exists) so that two claimants never both win. A write that fails closes the
 * file and removes it: an empty claim matches no owner and would hold its slot
 * until removed by hand.
 */
export async function writeClaimFile(path: string, content: string): Promise<void> {
  await withReleasers(async (owned) => {
    const handle = await open(path, 'wx');
    owned.defer(() => rm(path, { force: true }));
    try {
      failpoint('claim-before-write');
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
  });
}

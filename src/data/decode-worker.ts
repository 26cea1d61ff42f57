// Child-process entry of the decode pool: reads its files, decodes them, and sends the pixels back.
import { readFileSync } from 'node:fs';
import { isEdgePruneError } from '../core/errors.ts';
import { decodeImages, type DecodeSpec } from './decode-images.ts';

/** The job a parent sends. */
interface DecodeJob {
  files: string[];
  spec: DecodeSpec;
}

process.once('message', (job: DecodeJob) => {
  void (async () => {
    try {
      const bytes = job.files.map((f) => readFileSync(f));
      let sent = 0;
      const result = await decodeImages(bytes, job.files, job.spec, (done) => {
        if (done - sent < 2048) return;
        process.send?.({ progress: done - sent });
        sent = done;
      });
      process.send?.({ progress: job.files.length - sent, images: result.images, resized: result.resized }, () => process.exit(0));
    } catch (error) {
      const detail = isEdgePruneError(error) ? error.toJSON() : { code: 'INTERNAL', message: (error as Error).message };
      process.send?.({ error: detail }, () => process.exit(1));
    }
  })();
});

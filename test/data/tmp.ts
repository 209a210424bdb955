import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempRoot } from '../helpers/temp-dir.js';

/** A temporary folder for this test file, removed when its tests end. */
export function tempDir(): {
  dir: string;
  write(name: string, content: string | Uint8Array): string;
} {
  const dir = tempRoot('edora-data-');
  return {
    dir,
    write(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
  };
}

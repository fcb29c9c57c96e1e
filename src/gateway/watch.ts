/**
 * @module gateway/watch
 * Watching the config file for the CLI's hot reload. The directory is watched, not the file: editors and
 * Kubernetes ConfigMaps replace a file by renaming another over it, which ends a watch on the file itself.
 * Changes are debounced, so a save that writes in several steps reloads once, after it is complete.
 */
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface FileWatch {
  close(): void;
}

export function watchFile(file: string, debounceMs: number, onChange: () => void): FileWatch {
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
    if (changed !== null && changed !== name && !String(changed).startsWith('..')) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  });
  watcher.on('error', () => watcher.close());
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}

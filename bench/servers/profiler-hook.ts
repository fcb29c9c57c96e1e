/**
 * @module bench/servers/profiler-hook
 * Loaded with `--import` into a benchmark server: profiles exactly the measured window, not the start-up
 * (module loading and type stripping would otherwise dominate a short run). The parent sends
 * `profile:start` and `profile:stop` over IPC; on stop the hook writes the V8 CPU profile to a temp file and
 * answers `{"profile": path}`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const session = new Session();
session.connect();

process.on('message', async (message) => {
  if (message === 'profile:start') {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    process.send?.({ profiling: true });
  } else if (message === 'profile:stop') {
    const { profile } = await session.post('Profiler.stop');
    const path = join(tmpdir(), `tokenguard-${process.pid}-${Date.now()}.cpuprofile`);
    writeFileSync(path, JSON.stringify(profile));
    process.send?.({ profile: path });
  }
});

import { describe, expect, it } from 'vitest';

import { platewatch } from './fixtures.js';

describe('platewatch capture', () => {
  it('--json prints status changes, reads and final counters of a file camera, one object per line', async () => {
    const { stdout, code } = await platewatch(
      'capture',
      'samples/city-720p.mp4',
      '--seconds',
      '6',
      '--json',
      '--unread',
    );
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const states = lines.flatMap((l) => (l.status ? [(l.status as { state: string }).state] : []));
    expect(states).toEqual(['connecting', 'playing', 'stopped', 'closed']);
    const reads = lines.filter((l) => l.read);
    expect(reads.length).toBeGreaterThan(0);
    expect(reads[0]).toMatchObject({ camera: 'cam1', read: { cameraId: 'cam1' } });
    const stats = lines.find((l) => l.stats)?.stats as { framesDecoded: number; reads: number };
    expect(stats.framesDecoded).toBeGreaterThan(30);
    expect(stats.reads).toBe(reads.length);
  });

  it('a bad source stops with the code and the reason', async () => {
    const { stderr, code } = await platewatch('capture', 'ftp://127.0.0.1/cam');
    expect(code).toBe(2);
    expect(stderr).toContain('ERR_CAMERA_URI');
    expect(stderr).toContain("'ftp'");
  });

  it('--help describes the command', async () => {
    const { stdout, code } = await platewatch('capture', '--help');
    expect(code).toBe(0);
    expect(stdout).toContain('--seconds');
  });
});

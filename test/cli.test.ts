import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { fixtureDir, platewatch, renderPlate } from './fixtures.js';

describe('platewatch CLI', () => {
  it('--help lists the commands', async () => {
    const { stdout, code } = await platewatch('--help');
    expect(code).toBe(0);
    expect(stdout).toContain('recognize');
  });

  it('recognize --json prints one JSON object per image', async () => {
    const file = renderPlate('CLI123');
    const { stdout, code } = await platewatch('recognize', file, '--json');
    expect(code).toBe(0);
    const out = JSON.parse(stdout.trim());
    expect(out.image).toBe(file);
    expect(out.result.width).toBe(300);
    expect(Array.isArray(out.result.reads)).toBe(true);
  });

  it('recognize reports a bad image by name with its code, carries on and exits 1', async () => {
    const good = renderPlate('CLI456');
    const missing = path.join(fixtureDir(), 'nope.jpg');
    const { stdout, code } = await platewatch('recognize', missing, good, '--json');
    expect(code).toBe(1);
    const [first, second] = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(first.error.code).toBe('ERR_FILE_NOT_FOUND');
    expect(first.error.message).toContain('nope.jpg');
    expect(second.result.width).toBe(300);
  });

  it('a bad config file stops with the key named', async () => {
    const { stderr, code } = await platewatch('--config', '/nonexistent.yaml', 'recognize', 'x.jpg');
    expect(code).toBe(2);
    expect(stderr).toContain('/nonexistent.yaml');
  });
});

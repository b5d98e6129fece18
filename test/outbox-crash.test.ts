/**
 * The outbox survives `kill -9`: every message whose enqueue() resolved before the kill is there after
 * reopening, intact and in order. The writer runs in a child process that is killed mid-stream.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { Outbox } from '../src/nats/Outbox.js';
import { packageRoot } from '../src/paths.js';

describe('Outbox crash safety', () => {
  it('kill -9 during enqueues loses no acknowledged message and corrupts nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'platewatch-outbox-crash-'));
    const script = path.join(dir, 'writer.mjs');
    const outboxUrl = new URL(`file://${path.join(packageRoot, 'dist', 'src', 'nats', 'Outbox.js')}`).href;
    writeFileSync(
      script,
      `import { Outbox } from ${JSON.stringify(outboxUrl)};
const box = new Outbox(${JSON.stringify(path.join(dir, 'outbox'))});
for (let i = 1; ; i++) {
  await box.enqueue([{ kind: 'hit', subject: 'platewatch.hits.warrant.cam1', msgId: 'm' + i, payload: JSON.stringify({ i, pad: 'x'.repeat(2000) }), enqueuedAt: Date.now() }]);
  process.stdout.write(i + '\\n');
}
`,
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let acked = 0;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        const last = d.toString().trim().split('\n').pop();
        acked = Number(last);
        if (acked >= 40) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((r) => child.once('exit', r));
    const box = new Outbox(path.join(dir, 'outbox'));
    try {
      expect(box.depth).toBeGreaterThanOrEqual(acked);
      const items = box.peek(10_000);
      items.forEach((item, idx) => {
        expect(item.message.msgId).toBe(`m${idx + 1}`);
        expect(JSON.parse(item.message.payload).i).toBe(idx + 1);
      });
      // Still writable after the crash, after the last message.
      await box.enqueue([
        { kind: 'read', subject: 'platewatch.reads.cam1', msgId: 'after', payload: '{}', enqueuedAt: 0 },
      ]);
      expect(box.peek(10_000).at(-1)?.message.msgId).toBe('after');
    } finally {
      await box.close();
    }
  });
});

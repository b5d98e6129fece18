import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { camerasFromConfig } from '../src/capture/options.js';
import { recognizerOptions } from '../src/cli/options.js';
import { loadConfig } from '../src/config/load.js';
import { ConfigError } from '../src/errors.js';
import { fixtureDir } from './fixtures.js';

function configFile(name: string, text: string): string {
  const file = path.join(fixtureDir(), name);
  writeFileSync(file, text);
  return file;
}

describe('config', () => {
  it('still images use recognizer.readerModel, cameras capture.readerModel and rereadFrames, per camera overridable', () => {
    const config = loadConfig(
      configFile(
        'readers.yaml',
        'cameras:\n  - id: a\n    uri: samples/city-720p.mp4\n  - id: b\n    uri: samples/city-720p.mp4\n    readerModel: plate_ocr_fast\n    rereadFrames: 0\n',
      ),
    );
    expect(recognizerOptions(config).readerModel).toBe('plate_ocr');
    const [a, b] = camerasFromConfig(config);
    expect(a!.recognizer.readerModel).toBe('plate_ocr');
    expect(b!.recognizer.readerModel).toBe('plate_ocr_fast');
    // Cameras read a tracked plate again every 4th analysed frame (or when it has grown); stills have no
    // frame sequence, so the option is not set for them at all.
    expect(a!.recognizer.rereadFrames).toBe(4);
    expect(b!.recognizer.rereadFrames).toBe(0);
    expect(recognizerOptions(config).rereadFrames).toBeUndefined();
    expect(() => loadConfig(configFile('bad-reread.yaml', 'capture:\n  rereadFrames: -1\n'))).toThrow(
      /capture\.rereadFrames/,
    );
    // A plate is re-read at least every half group gap, or one vehicle would split into several hits.
    const capped = (yaml: string) =>
      camerasFromConfig(loadConfig(configFile('cap.yaml', yaml)))[0]!.recognizer.rereadFrames;
    expect(capped('capture:\n  analyseFps: 2\n')).toBe(1); // 4 frames = 2000 ms > 750 ms
    expect(capped('pipeline:\n  groupGapMs: 200\n')).toBe(1); // 100 ms at 15 fps
    expect(capped('pipeline:\n  groupGapMs: 100\n')).toBe(0); // under a frame: every frame
    expect(capped('capture:\n  analyseFps: 0\n')).toBe(4); // every decoded frame: no fixed rate
    // The detector threshold likewise: 0.4 for stills and for cameras, each with its own key.
    expect(recognizerOptions(config).detectorThreshold).toBe(0.4);
    expect(a!.recognizer.detectorThreshold).toBe(0.4);
    const [c] = camerasFromConfig(
      loadConfig(
        configFile('thr.yaml', 'cameras:\n  - id: c\n    uri: samples/city-720p.mp4\n    detectorThreshold: 0.45\n'),
      ),
    );
    expect(c!.recognizer.detectorThreshold).toBe(0.45);
    // The second look: on for stills, off by default for cameras (capture.secondLookBelow: it costs their latency).
    expect(recognizerOptions(config).secondLookBelow).toBe(0.5);
    expect(a!.recognizer.secondLookBelow).toBe(0);
    const [l] = camerasFromConfig(
      loadConfig(
        configFile('look.yaml', 'cameras:\n  - id: l\n    uri: samples/city-720p.mp4\n    secondLookBelow: 0.4\n'),
      ),
    );
    expect(l!.recognizer.secondLookBelow).toBe(0.4);
    expect(() => loadConfig(configFile('bad-look.yaml', 'recognizer:\n  secondLookBelow: 2\n'))).toThrow(
      /recognizer\.secondLookBelow/,
    );
    expect(() => loadConfig(configFile('bad-reader.yaml', 'recognizer:\n  readerModel: ../x\n'))).toThrow(
      /recognizer\.readerModel/,
    );
  });

  it('the built-in defaults validate', () => {
    const config = loadConfig();
    expect(config.recognizer.topN).toBeGreaterThan(0);
    expect(config.dataDir).toBeTruthy();
  });

  it('a file is merged over the defaults key by key', () => {
    const config = loadConfig(configFile('ok.yaml', 'recognizer:\n  topN: 3\n'));
    expect(config.recognizer.topN).toBe(3);
    expect(config.recognizer.minPlateHeight).toBe(loadConfig().recognizer.minPlateHeight);
  });

  it('a bad value is rejected with a ConfigError naming the key and the value', () => {
    const file = configFile('bad.yaml', 'recognizer:\n  minConfidence: 7\n');
    expect(() => loadConfig(file)).toThrow(ConfigError);
    expect(() => loadConfig(file)).toThrow(/recognizer\.minConfidence: .*\(got 7\)/);
  });

  it('an unknown key is rejected by name', () => {
    expect(() => loadConfig(configFile('unknown.yaml', 'recognizer:\n  topn: 3\n'))).toThrow(
      /unknown key 'recognizer\.topn'/,
    );
  });

  it('malformed YAML and a missing file are ConfigErrors naming the file', () => {
    const bad = configFile('broken.yaml', 'recognizer: [\n');
    expect(() => loadConfig(bad)).toThrow(/not valid YAML/);
    expect(() => loadConfig('/nonexistent/platewatch.yaml')).toThrow(/cannot read config file \/nonexistent/);
  });
});

/** FrameRead streams the tests build themselves (no camera, no recognizer accuracy involved). */
import type { FrameRead } from '../src/reads.js';

let seq = 0;

/** One read of `plate` at camera cam1 (override any field). */
export function read(plate: string, confidence = 0.9, over: Partial<FrameRead> = {}): FrameRead {
  seq++;
  return {
    cameraId: 'cam1',
    plate,
    confidence,
    charConfidences: [...plate].map(() => confidence),
    candidates: [{ plate, confidence }],
    box: { x: 10, y: 10, width: 100, height: 30 },
    capturedAt: Date.now(),
    pts: seq,
    frameSeq: seq,
    ...over,
  };
}

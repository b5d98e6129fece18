/**
 * The contract between capture (issue 4) and the stream pipeline (issue 5): one plate read from one
 * analysed video frame of one camera. Capture produces these (in batches from the native core);
 * the pipeline groups them into one read per passing vehicle and matches them against the hot list.
 */
import type { Box, PlateAlternative } from './native.js';

export interface FrameRead {
  cameraId: string;
  /** Upper-case letters and digits as read (not yet normalized for matching). */
  plate: string;
  confidence: number;
  charConfidences: number[];
  /** Top-N readings, best first (the first equals `plate`). */
  candidates: PlateAlternative[];
  /** Two-letter state code read from the plate, absent when unknown. */
  state?: string;
  stateConfidence?: number;
  /** Plate box in the full-resolution frame. */
  box: Box;
  /** Wall-clock capture time of the frame, ms since the epoch. */
  capturedAt: number;
  /** Stream presentation timestamp of the frame, ns (-1 when the source has none). */
  pts: number;
  /** Sequence number of the frame within the camera's current session. */
  frameSeq: number;
  /** Evidence: a small JPEG of the plate, and a downscaled JPEG of the whole frame. */
  plateJpeg?: Buffer;
  contextJpeg?: Buffer;
}

/**
 * Frames for benchmarks, made here (nothing downloaded, no ../shared/data needed):
 * - `renderScenes`: roadway scenes from the project's renderer (tools/synth/scene.py) with or without
 *   plates, at any size, seeded;
 * - `footageFrames`: frames of the sample footage (samples/*.mp4) decoded by GStreamer, split by the
 *   manifest into frames with a readable plate and frames with no vehicle in view.
 * Both are JPEG files (quality 95) in a fresh temp folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { packageRoot } from '../../src/paths.js';

/** Debian's python3 (numpy, OpenCV, PIL): the one tools/synth is written for. */
export const PYTHON = '/usr/bin/python3';

export interface SceneOptions {
  width: number;
  height: number;
  /** Backgrounds and distractors only. */
  empty: boolean;
  count: number;
  seed: number;
  /** Plate width range in pixels (the renderer's --min-plate/--max-plate). */
  minPlate: number;
  maxPlate: number;
}

/** Renders the scenes into a fresh temp folder (the caller removes it: `path.dirname` of any file). */
export function renderScenes(o: SceneOptions): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'platewatch-bench-scenes-'));
  const args = ['-m', 'tools.synth.scene', dir, '--count', String(o.count), '--seed', String(o.seed)];
  args.push('--width', String(o.width), '--height', String(o.height));
  args.push('--min-plate', String(o.minPlate), '--max-plate', String(o.maxPlate));
  if (o.empty) args.push('--empty');
  execFileSync(PYTHON, args, { cwd: packageRoot });
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .map((f) => path.join(dir, f));
}

interface ManifestVehicle {
  enterS: number;
  exitS: number;
  readableS: [number, number];
}
interface ManifestFile {
  file: string;
  width: number;
  height: number;
  seconds: number;
  vehicles: ManifestVehicle[];
}

export interface FootageFrames {
  file: string;
  /** The temp folder holding the frames (the caller removes it). */
  dir: string;
  width: number;
  height: number;
  /** Frames at a time when at least one plate is readable (manifest `readableS`). */
  withPlates: string[];
  /** Frames at a time when no vehicle is in view at all. */
  noPlate: string[];
}

/**
 * Decodes `samples/<file>` with GStreamer (decodebin, as the cameras do) at `fps` frames per second and
 * sorts the frames with the manifest. Up to `max` frames of each kind, spread over the clip.
 */
export function footageFrames(file: string, fps = 5, max = 5): FootageFrames {
  const manifest = JSON.parse(readFileSync(path.join(packageRoot, 'samples', 'manifest.json'), 'utf8')) as {
    files: ManifestFile[];
  };
  const entry = manifest.files.find((f) => f.file === file);
  if (!entry) throw new Error(`samples/manifest.json has no entry for ${file}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'platewatch-bench-footage-'));
  execFileSync('gst-launch-1.0', [
    '-q',
    'filesrc',
    `location=${path.join(packageRoot, 'samples', file)}`,
    '!',
    'decodebin',
    '!',
    'videoconvert',
    '!',
    'videorate',
    '!',
    `video/x-raw,framerate=${fps}/1`,
    '!',
    'jpegenc',
    'quality=95',
    '!',
    'multifilesink',
    `location=${path.join(dir, '%05d.jpg')}`,
  ]);
  const frames = readdirSync(dir)
    .filter((f) => f.endsWith('.jpg'))
    .sort();
  const withPlates: string[] = [];
  const noPlate: string[] = [];
  frames.forEach((f, k) => {
    const t = k / fps;
    if (entry.vehicles.some((v) => t >= v.readableS[0] && t <= v.readableS[1])) withPlates.push(path.join(dir, f));
    else if (!entry.vehicles.some((v) => t >= v.enterS && t <= v.exitS)) noPlate.push(path.join(dir, f));
  });
  const spread = (xs: string[]) =>
    xs.length <= max ? xs : Array.from({ length: max }, (_, i) => xs[Math.floor((i * xs.length) / max)]!);
  return {
    file,
    dir,
    width: entry.width,
    height: entry.height,
    withPlates: spread(withPlates),
    noPlate: spread(noPlate),
  };
}

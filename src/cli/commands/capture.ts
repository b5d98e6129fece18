/**
 * `platewatch capture [source...]`: opens cameras (the configured ones, or sources given on the command
 * line), prints their status changes and plate reads as they happen, and their counters at the end.
 * For checking a camera by hand before it goes into `platewatch run`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { type Command, InvalidArgumentError } from 'commander';

import type { Camera } from '../../capture/camera.js';
import { type CameraOptions, cameraOptions, camerasFromConfig, openCamera } from '../../capture/index.js';
import { ConfigError } from '../../errors.js';
import type { FrameRead } from '../../reads.js';
import { configFor, recognizerOptions } from '../options.js';

interface CaptureOpts {
  camera?: string[];
  seconds?: number;
  analyseFps?: number;
  loop?: boolean;
  json?: boolean;
  evidence?: string;
  unread?: boolean;
}

function positive(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number > 0`);
    return n;
  };
}

function readLine(cam: string, r: FrameRead): string {
  const b = r.box;
  const state = r.state ? ` ${r.state} (${r.stateConfidence?.toFixed(2)})` : '';
  const alts = r.candidates
    .slice(1, 4)
    .map((c) => `${c.plate} ${c.confidence.toFixed(2)}`)
    .join(', ');
  return `${cam}  frame ${r.frameSeq}  ${(r.plate || '(unread)').padEnd(9)} conf ${r.confidence.toFixed(2)}${state} at ${b.x},${b.y} ${b.width}x${b.height}${alts ? `  alt: ${alts}` : ''}`;
}

export function registerCapture(program: Command): void {
  program
    .command('capture')
    .description(
      'Open cameras and print their status and plate reads live (the configured cameras, or the sources given)',
    )
    .argument(
      '[source...]',
      'rtsp://, http(s)://, file:// URIs, file paths or /dev/videoN (default: the configured cameras)',
    )
    .option('--camera <id...>', 'only these configured cameras')
    .option(
      '--seconds <s>',
      'stop after this many seconds (default: until Ctrl-C, or the end of a file)',
      positive('--seconds'),
    )
    .option('--analyse-fps <fps>', 'analysis rate per camera (default: capture.analyseFps)', positive('--analyse-fps'))
    .option('--loop', 'play files in a loop')
    .option(
      '--json',
      'one JSON object per line: {camera, status}, {camera, error}, {camera, read}, and {camera, stats} at the end',
    )
    .option('--evidence <dir>', 'write each read plate crop and context image (JPEG) into this folder')
    .option('--unread', 'also report regions found but not read (empty plate)')
    .action(async (sources: string[], opts: CaptureOpts, command: Command) => {
      const config = configFor(command);
      const over: Partial<CameraOptions> = {};
      if (opts.analyseFps !== undefined) over.analyseFps = opts.analyseFps;
      if (opts.loop) over.loop = true;
      let options: CameraOptions[];
      if (sources.length > 0) {
        options = sources.map((uri, i) =>
          cameraOptions({ id: `cam${i + 1}`, uri }, config.capture, recognizerOptions(config)),
        );
      } else {
        options = camerasFromConfig(config).filter((c) => !opts.camera || opts.camera.includes(c.id));
        if (opts.camera) {
          const missing = opts.camera.filter((id) => !options.some((o) => o.id === id));
          if (missing.length)
            throw new ConfigError(`--camera: no enabled camera named ${missing.join(', ')} in the configuration`);
        }
      }
      if (options.length === 0) throw new ConfigError('no cameras: give a source or configure cameras');
      if (opts.evidence) mkdirSync(opts.evidence, { recursive: true });
      const out = (obj: Record<string, unknown>, text: string) => console.log(opts.json ? JSON.stringify(obj) : text);

      const cams: Camera[] = options.map((o) => openCamera({ ...o, ...over }));
      let ended = 0;
      let finish: () => void = () => {};
      const done = new Promise<void>((resolve) => {
        finish = resolve;
      });
      for (const cam of cams) {
        cam.on('status', (s) => {
          out(
            { camera: cam.id, status: s },
            `${cam.id}  ${s.state}${'code' in s ? ` ${s.code}: ${s.message}` : ''}${'delayMs' in s ? ` (attempt ${s.attempt}, in ${s.delayMs} ms)` : ''}${s.state === 'playing' ? ` ${s.width}x${s.height} ${s.format}` : ''}`,
          );
          if (s.state === 'eos' || s.state === 'failed') {
            ended += 1;
            if (ended === cams.length) finish();
          }
        });
        cam.on('error', (e) =>
          out(
            { camera: cam.id, error: { code: e.code, message: e.message } },
            `${cam.id}  error ${e.code}: ${e.message}`,
          ),
        );
        cam.on('reads', (reads) => {
          for (const r of reads) {
            if (!r.plate && !opts.unread) continue;
            const { plateJpeg, contextJpeg, ...rest } = r;
            if (opts.evidence) {
              const base = path.join(
                opts.evidence,
                `${cam.id}-${r.frameSeq}-${r.plate || 'unread'}-${r.box.x}x${r.box.y}`,
              );
              if (plateJpeg) writeFileSync(`${base}-plate.jpg`, plateJpeg);
              if (contextJpeg) writeFileSync(`${base}-context.jpg`, contextJpeg);
            }
            out(
              {
                camera: cam.id,
                read: { ...rest, plateJpegBytes: plateJpeg?.length ?? 0, contextJpegBytes: contextJpeg?.length ?? 0 },
              },
              readLine(cam.id, r),
            );
          }
        });
      }
      const onSignal = () => finish();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const timer = opts.seconds ? setTimeout(finish, opts.seconds * 1000) : undefined;
      try {
        for (const cam of cams) await cam.start();
        await done;
      } finally {
        clearTimeout(timer);
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        for (const cam of cams) {
          await cam.close();
          const s = cam.stats();
          out(
            { camera: cam.id, stats: s },
            `${cam.id}  decoded ${s.framesDecoded}, analysed ${s.framesAnalysed}, skipped ${s.framesSkipped.rate + s.framesSkipped.motion}, ` +
              `dropped ${s.framesDropped.busy + s.framesDropped.delivery}, reads ${s.reads}, reconnects ${s.reconnects}, ` +
              `analyse ${s.analyseMsMean.toFixed(1)} ms/frame`,
          );
        }
      }
    });
}

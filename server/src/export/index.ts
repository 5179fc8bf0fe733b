/**
 * Exports: every mask format people train and edit with, written from an {@link ExportSource}
 * (frames, objects, per-frame masks) as a stream, cancellable, atomically renamed into place.
 */

export { exportCocoJson } from './coco-json.ts';
export type { Polygon } from './contours.ts';
export { maskPolygons } from './contours.ts';
export { exportCutoutPngZip, exportCutoutWebm } from './cutouts.ts';
export { exportDavisZip } from './davis.ts';
export {
  type ExportableSession,
  type ExportJobState,
  ExportJobs,
  type ExportJobsDeps,
  type ExportJobView,
  exportCacheKey,
} from './export-jobs.ts';
export { attachment, requestedRange, sendFile } from './file-response.ts';
export { exportOverlayVideo } from './overlay-video.ts';
export { encodeIndexedPng, vocPalette } from './png.ts';
export {
  checkExportRegistry,
  EXPORT_FORMAT_IDS,
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportFormatId,
  exportFormat,
  formatsFor,
  runExport,
} from './registry.ts';
export { type ExportsRouterDeps, exportsRouter, StartExportBodySchema } from './router.ts';
export { createExportsService, type ExportsService, type ExportsServiceDeps } from './service.ts';
export {
  type SessionDocument,
  type SessionFiles,
  type SessionSnapshotForExport,
  sessionExportSource,
  sessionFramesDir,
  sessionOpener,
  snapshotSession,
} from './session-source.ts';
export { exportCutoutPng, exportMaskPng } from './single-frame.ts';
export type {
  Exporter,
  ExportObject,
  ExportOptions,
  ExportProgress,
  ExportResult,
  ExportSessionKind,
  ExportSource,
  FrameMasks,
} from './types.ts';
export { exportMaskVideo } from './video-exports.ts';
export { exportYoloSegZip } from './yolo-seg.ts';
export { exportYtvisJson } from './ytvis-json.ts';
export { writeZip, ZipWriter } from './zip-writer.ts';

/**
 * Media handling: which ffmpeg/ffprobe to run, what an upload really is, safe probing, decoding a
 * video once to JPEG frames, timeline thumbnails, and re-encoding uploaded images.
 */

export {
  type DecodedVideo,
  type DecodeOptions,
  type DecodeProgress,
  decodeFrames,
  fitEven,
  frameFileName,
  framePath,
  readFrameRgb,
} from './decode.ts';
export { isMediaError, MediaError, type MediaErrorCode, type MediaErrorReason } from './errors.ts';
export {
  type DecodedPayload,
  decodeBase64Payload,
  type ImageOptions,
  type ReencodedImage,
  reencodeImage,
} from './image.ts';
export { type ImageFrame, type ImageFrameOptions, writeImageFrame } from './image-frame.ts';
export { ACCEPTED_VIDEO_CODECS, type ProbeOptions, probeVideo, type VideoInfo } from './probe.ts';
export {
  type ImageContainer,
  type SniffResult,
  sniffFile,
  sniffMedia,
  type VideoContainer,
} from './sniff.ts';
export { buildThumbnailStrip, type ThumbnailIndex, type ThumbnailOptions } from './thumbnails.ts';
export {
  describeMediaTools,
  type FfmpegTool,
  getMediaTools,
  type MediaTools,
  type ResolvedTool,
  resolveMediaTools,
  type ToolSource,
} from './tools.ts';

import { z } from 'zod';

/** A session is made from a video or a single still image (an image is a one-frame session). */
export const MediaKindSchema = z.enum(['video', 'image']);

/** `video` or `image`. */
export type MediaKind = z.infer<typeof MediaKindSchema>;

const positiveInt = z.number().int().positive();

/**
 * What a session's media is, as probed at ingest and shown to every participant.
 * For an image: `frameCount` 1, `fps` 0, `durationSec` 0, `hasAudio` false.
 */
export const MediaInfoSchema = z
  .object({
    kind: MediaKindSchema,
    /** Frame width in pixels (display orientation, after rotation metadata is applied). */
    width: positiveInt,
    /** Frame height in pixels. */
    height: positiveInt,
    /** Frames per second (average for variable frame rate); 0 for an image. */
    fps: z.number().nonnegative().finite(),
    /** Number of decodable frames; frame indices run 0 … frameCount − 1. */
    frameCount: positiveInt,
    durationSec: z.number().nonnegative().finite(),
    hasAudio: z.boolean(),
  })
  .check((ctx) => {
    const m = ctx.value;
    const issue = (path: string, message: string) =>
      ctx.issues.push({ code: 'custom', input: m, path: [path], message });
    if (m.kind === 'video' && m.fps <= 0) issue('fps', 'a video must have fps > 0');
    if (m.kind === 'image') {
      if (m.frameCount !== 1) issue('frameCount', 'an image has exactly one frame');
      if (m.fps !== 0) issue('fps', 'an image has fps 0');
      if (m.durationSec !== 0) issue('durationSec', 'an image has durationSec 0');
      if (m.hasAudio) issue('hasAudio', 'an image has no audio');
    }
  });

/** A session's media metadata. */
export type MediaInfo = z.infer<typeof MediaInfoSchema>;

/** An object id: a positive integer, unique within a session (SAM2's `obj_id`). */
export const ObjectIdSchema = z.number().int().positive();

/** An object id. */
export type ObjectId = z.infer<typeof ObjectIdSchema>;

/** A display colour `#rrggbb`; upper-case hex is accepted and stored lower-case. */
export const ColorSchema = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, { error: 'color must be #rrggbb (six hex digits)' })
  .toLowerCase();

/** A `#rrggbb` colour. */
export type Color = z.infer<typeof ColorSchema>;

/** The longest object name, in UTF-16 code units. */
export const MAX_OBJECT_NAME_LENGTH = 64;

/** An object being segmented in a session: what a participant sees in the object list. */
export const TrackedObjectSchema = z.object({
  id: ObjectIdSchema,
  /** Shown in the object list; surrounding whitespace is trimmed. */
  name: z
    .string()
    .trim()
    .min(1, { error: 'name must not be empty' })
    .max(MAX_OBJECT_NAME_LENGTH, { error: `name must be at most ${MAX_OBJECT_NAME_LENGTH} characters` }),
  color: ColorSchema,
});

/** An object being segmented in a session. */
export type TrackedObject = z.infer<typeof TrackedObjectSchema>;

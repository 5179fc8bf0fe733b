/**
 * The sessions API (`server/src/http/sessions/router.ts`: media ingest, frames, thumbnails) as the
 * OpenAPI document describes it. Metadata only: that router serves these routes.
 */
import {
  CreateSessionJsonSchema,
  OwnedSessionCreatedSchema,
  SessionDetailsSchema,
  SessionListSchema,
  ThumbnailIndexSchema,
} from '@roto/shared';
import { z } from 'zod';
import { SESSIONS_PATH } from '../../ingest/session-views.ts';
import { PARAMS } from '../api/routes.ts';
import type { RouteSpec } from './route-spec.ts';

const TAG = 'Sessions';
const S = `${SESSIONS_PATH}/:id`;

/** The sessions routes (documented here, mounted by the sessions router). */
export const SESSIONS_ROUTES: readonly RouteSpec[] = [
  {
    method: 'post',
    path: SESSIONS_PATH,
    operationId: 'createSession',
    summary:
      'Make a session from a video or image: multipart upload (`file`), JSON `{image}` (base64) or JSON `{url}`',
    description: 'With `?wait=true` the answer comes once ingest has finished (or with its error).',
    tag: TAG,
    query: [
      {
        name: 'wait',
        description: '`true`: answer once frames are decoded.',
        schema: z.enum(['true', 'false']),
      },
    ],
    body: { name: 'CreateSessionJson', schema: CreateSessionJsonSchema },
    multipartFile: 'file',
    responses: {
      201: {
        description: 'Created, with the owner token (it manages share links)',
        schema: { name: 'SessionCreated', schema: OwnedSessionCreatedSchema },
      },
    },
    errors: ['INVALID_INPUT', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA', 'RATE_LIMITED', 'TIMEOUT'],
  },
  {
    method: 'get',
    path: SESSIONS_PATH,
    operationId: 'listSessions',
    summary: 'Recent sessions, most recently active first',
    tag: TAG,
    query: [{ name: 'limit', description: '1–200 (default 50).', schema: z.number().int().min(1).max(200) }],
    responses: {
      200: { description: 'Sessions', schema: { name: 'SessionList', schema: SessionListSchema } },
    },
    errors: ['INVALID_INPUT'],
  },
  {
    method: 'get',
    path: S,
    operationId: 'getSession',
    summary: 'A session: media, ingest status and progress, disk use, links',
    tag: TAG,
    pathParams: [PARAMS.id],
    responses: {
      200: { description: 'The session', schema: { name: 'SessionDetails', schema: SessionDetailsSchema } },
    },
    errors: ['INVALID_INPUT', 'NOT_FOUND'],
  },
  {
    method: 'delete',
    path: S,
    operationId: 'deleteSession',
    summary: 'Delete a session and everything stored for it',
    tag: TAG,
    pathParams: [PARAMS.id],
    responses: { 204: { description: 'Deleted' } },
    errors: ['INVALID_INPUT', 'NOT_FOUND'],
  },
  {
    method: 'get',
    path: `${S}/frames/:n`,
    operationId: 'getFrame',
    summary: 'A decoded frame as JPEG (cached for a year, strong ETag)',
    tag: TAG,
    pathParams: [PARAMS.id, PARAMS.n],
    responses: { 200: { description: 'The frame', contentType: 'image/jpeg' } },
    errors: ['INVALID_INPUT', 'NOT_FOUND', 'CONFLICT'],
  },
  {
    method: 'get',
    path: `${S}/thumbnails`,
    operationId: 'getThumbnails',
    summary: 'The timeline thumbnail index',
    tag: TAG,
    pathParams: [PARAMS.id],
    responses: {
      200: {
        description: 'The index (+ `spriteUrl`)',
        schema: { name: 'ThumbnailIndex', schema: ThumbnailIndexSchema.extend({ spriteUrl: z.string() }) },
      },
    },
    errors: ['INVALID_INPUT', 'NOT_FOUND', 'CONFLICT'],
  },
  {
    method: 'get',
    path: `${S}/thumbnails/sprite.jpg`,
    operationId: 'getThumbnailSprite',
    summary: 'The thumbnail sprite JPEG',
    tag: TAG,
    pathParams: [PARAMS.id],
    responses: { 200: { description: 'The sprite', contentType: 'image/jpeg' } },
    errors: ['INVALID_INPUT', 'NOT_FOUND', 'CONFLICT'],
  },
];

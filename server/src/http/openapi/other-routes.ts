/**
 * Routes other routers serve (probes, metrics, share links, exports), as the OpenAPI document
 * describes them. Metadata only; an entry appears in the document once its router is mounted.
 */
import {
  CreateShareLinkSchema,
  ExportFormatListSchema,
  ExportJobListSchema,
  ExportJobSchema,
  ShareLinkCreatedSchema,
  ShareLinkListSchema,
  ShareLinkSchema,
  StartExportBodySchema,
  StartExportResponseSchema,
} from '@roto/shared';
import { z } from 'zod';
import { SESSIONS_PATH } from '../../ingest/session-views.ts';
import { PARAMS } from '../api/routes.ts';
import type { RouteSpec } from './route-spec.ts';

const S = `${SESSIONS_PATH}/:id`;
const LINK_ID = { name: 'linkId', description: 'A share link id.', schema: z.string() };
const EXPORT_JOB = { name: 'jobId', description: 'An export job id.', schema: z.string() };
const ownerErrors = ['INVALID_INPUT', 'NOT_FOUND', 'UNAUTHORIZED', 'FORBIDDEN'] as const;

/** Probes and metrics. */
export const OPS_ROUTES: readonly RouteSpec[] = [
  {
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    summary: 'Liveness: version, uptime and the model pack state',
    tag: 'Operations',
    responses: { 200: { description: 'Alive' } },
    errors: [],
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'ready',
    summary: 'Readiness: 200 once the model is loaded',
    tag: 'Operations',
    responses: { 200: { description: 'Ready' } },
    errors: ['MODEL_UNAVAILABLE'],
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    tag: 'Operations',
    responses: { 200: { description: 'Metrics', contentType: 'text/plain' } },
    errors: [],
  },
];

/** Share links (owner token required). */
export const LINK_ROUTES: readonly RouteSpec[] = [
  {
    method: 'post',
    path: `${S}/links`,
    operationId: 'createShareLink',
    summary: 'Create a share link (editor or viewer), optionally expiring',
    tag: 'Access',
    pathParams: [PARAMS.id],
    body: { name: 'CreateShareLink', schema: CreateShareLinkSchema },
    responses: {
      201: { description: 'Created', schema: { name: 'ShareLinkCreated', schema: ShareLinkCreatedSchema } },
    },
    errors: ownerErrors,
  },
  {
    method: 'get',
    path: `${S}/links`,
    operationId: 'listShareLinks',
    summary: 'The share links of a session',
    tag: 'Access',
    pathParams: [PARAMS.id],
    responses: {
      200: { description: 'Links', schema: { name: 'ShareLinkList', schema: ShareLinkListSchema } },
    },
    errors: ownerErrors,
  },
  {
    method: 'delete',
    path: `${S}/links/:linkId`,
    operationId: 'revokeShareLink',
    summary: 'Revoke a share link: its holders are cut off at once',
    tag: 'Access',
    pathParams: [PARAMS.id, LINK_ID],
    responses: { 200: { description: 'Revoked', schema: { name: 'ShareLink', schema: ShareLinkSchema } } },
    errors: ownerErrors,
  },
];

/** Export jobs (schemas from the contract, `shared/src/contract/exports.ts`). */
export const EXPORT_ROUTES: readonly RouteSpec[] = [
  {
    method: 'get',
    path: '/api/v1/export-formats',
    operationId: 'listExportFormats',
    summary: 'Export formats and the session kinds each applies to',
    tag: 'Exports',
    responses: {
      200: { description: 'Formats', schema: { name: 'ExportFormatList', schema: ExportFormatListSchema } },
    },
    errors: [],
  },
  {
    method: 'post',
    path: `${S}/exports`,
    operationId: 'startExport',
    summary: 'Start an export job (editor or owner)',
    description:
      "Snapshots the session's masks and queues the export; everyone in the session gets `export:started`, `export:progressed`, then `export:finished` (or `export:failed` / `export:cancelled`) over Socket.IO. The same format and objects on an unchanged session (same mask versions, names and colours) answer 200 with the existing job (`reused: true`) instead of computing it again. A session without masks for the selection is 409 CONFLICT, before anything is queued.",
    tag: 'Exports',
    pathParams: [PARAMS.id],
    body: { name: 'StartExportBody', schema: StartExportBodySchema },
    responses: {
      200: {
        description: 'The same export of the unchanged session exists (finished, queued or running)',
        schema: { name: 'StartExportResponse', schema: StartExportResponseSchema },
      },
      202: {
        description: 'Queued (Location: the job)',
        schema: { name: 'StartExportResponse', schema: StartExportResponseSchema },
      },
    },
    errors: ['INVALID_INPUT', 'NOT_FOUND', 'UNAUTHORIZED', 'FORBIDDEN', 'CONFLICT', 'BUSY'],
  },
  {
    method: 'get',
    path: `${S}/exports`,
    operationId: 'listExports',
    summary: "The session's export jobs, oldest first (what a joiner reads before following the notices)",
    tag: 'Exports',
    pathParams: [PARAMS.id],
    responses: {
      200: { description: 'Jobs', schema: { name: 'ExportJobList', schema: ExportJobListSchema } },
    },
    errors: ['INVALID_INPUT', 'NOT_FOUND', 'UNAUTHORIZED', 'FORBIDDEN'],
  },
  {
    method: 'get',
    path: `${S}/exports/:jobId`,
    operationId: 'getExport',
    summary: 'An export job: state, progress, file',
    tag: 'Exports',
    pathParams: [PARAMS.id, EXPORT_JOB],
    responses: { 200: { description: 'The job', schema: { name: 'ExportJob', schema: ExportJobSchema } } },
    errors: ['INVALID_INPUT', 'NOT_FOUND', 'UNAUTHORIZED', 'FORBIDDEN'],
  },
  {
    method: 'get',
    path: `${S}/exports/:jobId/file`,
    operationId: 'getExportFile',
    summary: 'The finished file, as an attachment',
    description:
      '`Content-Disposition: attachment` with `filename*` (RFC 6266/8187), a strong `ETag` (`If-None-Match` → 304), `Accept-Ranges: bytes`: one range per request (206 with `Content-Range`; 416 with `Content-Range: bytes */size` past the end; `If-Range` honoured). A failed or cancelled export is 409 CONFLICT with the reason.',
    tag: 'Exports',
    pathParams: [PARAMS.id, EXPORT_JOB],
    responses: {
      200: { description: 'The file', contentType: 'application/octet-stream' },
      206: { description: 'The requested byte range', contentType: 'application/octet-stream' },
      304: { description: 'Not modified (the ETag matches)' },
      416: { description: 'The range lies past the end of the file', contentType: 'text/plain' },
    },
    errors: ['INVALID_INPUT', 'NOT_FOUND', 'UNAUTHORIZED', 'FORBIDDEN', 'CONFLICT'],
  },
  {
    method: 'delete',
    path: `${S}/exports/:jobId`,
    operationId: 'deleteExport',
    summary: 'Cancel a running export, or remove an ended one and its file (editor or owner)',
    tag: 'Exports',
    pathParams: [PARAMS.id, EXPORT_JOB],
    responses: { 204: { description: 'Done' } },
    errors: ['INVALID_INPUT', 'NOT_FOUND', 'UNAUTHORIZED', 'FORBIDDEN'],
  },
];

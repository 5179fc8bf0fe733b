/**
 * Routes other routers serve (probes, metrics, share links, exports), as the OpenAPI document
 * describes them. Metadata only; an entry appears in the document once its router is mounted.
 */
import {
  CreateShareLinkSchema,
  ShareLinkCreatedSchema,
  ShareLinkListSchema,
  ShareLinkSchema,
} from '@roto/shared';
import { z } from 'zod';
import { SESSIONS_PATH } from '../../ingest/session-views.ts';
import { PARAMS } from '../api/routes.ts';
import type { RouteSpec } from './route-spec.ts';

const S = `${SESSIONS_PATH}/:id`;
const LINK_ID = { name: 'linkId', description: 'A share link id.', schema: z.string() };
const EXPORT_JOB = { name: 'jobId', description: 'An export job id.', schema: z.string() };
const ownerErrors = ['INVALID_INPUT', 'NOT_FOUND', 'UNAUTHORIZED', 'FORBIDDEN'] as const;

/** An export job as the exports API answers it. */
const ExportJobSchema = z.looseObject({
  jobId: z.string(),
  sessionId: z.string(),
  format: z.string(),
  objectIds: z.array(z.number().int().positive()).optional(),
  createdAt: z.string(),
  status: z.looseObject({ state: z.string() }),
});

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

/** Export jobs. */
export const EXPORT_ROUTES: readonly RouteSpec[] = [
  {
    method: 'get',
    path: '/api/v1/export-formats',
    operationId: 'listExportFormats',
    summary: 'Export formats and the session kinds each applies to',
    tag: 'Exports',
    responses: { 200: { description: 'Formats' } },
    errors: [],
  },
  {
    method: 'post',
    path: `${S}/exports`,
    operationId: 'startExport',
    summary: 'Start an export job (202, Location)',
    tag: 'Exports',
    pathParams: [PARAMS.id],
    body: {
      name: 'StartExportBody',
      schema: z.strictObject({
        format: z.string().min(1).max(64),
        objectIds: z.array(z.number().int().positive()).min(1).max(256).optional(),
      }),
    },
    responses: { 202: { description: 'Started', schema: { name: 'ExportJob', schema: ExportJobSchema } } },
    errors: ['INVALID_INPUT', 'NOT_FOUND', 'UNAUTHORIZED', 'FORBIDDEN', 'BUSY'],
  },
  {
    method: 'get',
    path: `${S}/exports`,
    operationId: 'listExports',
    summary: 'The export jobs of a session',
    tag: 'Exports',
    pathParams: [PARAMS.id],
    responses: {
      200: {
        description: 'Jobs',
        schema: { name: 'ExportJobList', schema: z.object({ exports: z.array(ExportJobSchema) }) },
      },
    },
    errors: ['INVALID_INPUT'],
  },
  {
    method: 'get',
    path: `${S}/exports/:jobId`,
    operationId: 'getExport',
    summary: 'An export job: state, progress, file name',
    tag: 'Exports',
    pathParams: [PARAMS.id, EXPORT_JOB],
    responses: { 200: { description: 'The job', schema: { name: 'ExportJob', schema: ExportJobSchema } } },
    errors: ['INVALID_INPUT', 'NOT_FOUND'],
  },
  {
    method: 'get',
    path: `${S}/exports/:jobId/file`,
    operationId: 'getExportFile',
    summary: 'The finished file, as an attachment',
    tag: 'Exports',
    pathParams: [PARAMS.id, EXPORT_JOB],
    responses: { 200: { description: 'The file', contentType: 'application/octet-stream' } },
    errors: ['INVALID_INPUT', 'NOT_FOUND', 'CONFLICT'],
  },
  {
    method: 'delete',
    path: `${S}/exports/:jobId`,
    operationId: 'deleteExport',
    summary: 'Cancel a running export, or remove an ended one',
    tag: 'Exports',
    pathParams: [PARAMS.id, EXPORT_JOB],
    responses: { 204: { description: 'Done' } },
    errors: ['INVALID_INPUT', 'NOT_FOUND'],
  },
];

import { type ExportFormatInfo, ExportFormatListSchema } from '@roto/shared';
import { requestJson } from './http.ts';

/**
 * Export formats over REST (`GET /api/v1/export-formats`). Starting, cancelling and following
 * exports go through the session's realtime connection (the SDK's `startExport` and the
 * `export:*` notices pushed to everyone in the session).
 */

/** The formats this server can write, each with the session kinds it applies to. */
export async function listExportFormats(): Promise<ExportFormatInfo[]> {
  return ExportFormatListSchema.parse(await requestJson('/api/v1/export-formats')).formats;
}

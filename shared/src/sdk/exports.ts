/**
 * Exports as the SDK reads them: the `export:*` notices parsed at the edge and emitted as client
 * events (PROTOCOL R23). Starting, listing and cancelling go over REST (`RotoApi`), which
 * `RotoClient`'s export methods call with the client's own URL and token.
 */
import type { z } from 'zod';
import { EXPORT_NOTICE_SCHEMAS, type ExportNoticeFact } from '../contract/exports.ts';

/**
 * Subscribes `emit` to the socket's export notices. A notice this client cannot read goes to
 * `unreadable` (the server is newer than this SDK).
 */
export function listenForExportNotices(
  socket: { on(event: string, listener: (raw: unknown) => void): unknown },
  emit: (fact: ExportNoticeFact) => void,
  unreadable: (type: string) => void,
): void {
  for (const [type, schema] of Object.entries(EXPORT_NOTICE_SCHEMAS)) {
    socket.on(type, (raw) => {
      const parsed = (schema as z.ZodType).safeParse(raw);
      if (parsed.success) emit(parsed.data as ExportNoticeFact);
      else unreadable(type);
    });
  }
}

import { StorageError } from './errors.ts';

const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Session ids become folder names: letters, digits, `_` and `-` only, 1–128 characters. */
export function checkSessionId(id: string): string {
  if (!SESSION_ID.test(id)) {
    throw new StorageError(
      'INVALID_INPUT',
      'session ids are 1–128 characters of [A-Za-z0-9_-], not starting with - or _',
      {
        id,
      },
    );
  }
  return id;
}

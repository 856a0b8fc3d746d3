import { isUuid } from '@tender/persistence';
import { ApiError } from '../http/api-error';

/** Ids in paths are UUIDs; anything else cannot name an object, so it is a 404 like an unknown id. */
export function uuidParam(id: string, what: string): string {
  if (!isUuid(id)) throw ApiError.notFound(what, id);
  return id.toLowerCase();
}

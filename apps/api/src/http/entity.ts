import { ApiError } from './api-error';

/** A body's `entity_id` is optional; when given it must be the entity of the caller's token. */
export function assertEntity(tokenEntityId: string, bodyEntityId: string | undefined): void {
  if (bodyEntityId !== undefined && bodyEntityId !== tokenEntityId) {
    throw new ApiError(403, 'entity_mismatch', 'Forbidden', 'entity_id is not the entity of this client.', [
      {
        field: 'entity_id',
        code: 'entity_mismatch',
        message: 'must be the entity of the authenticated client',
      },
    ]);
  }
}

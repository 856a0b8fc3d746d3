/** The console's internal JSON API (/console/api), with the session cookie and the CSRF header. */

export interface Session {
  operator: { id: string; email: string; role: 'viewer' | 'operator' };
  csrf_token: string;
}

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly body: { detail?: string; title?: string; errors?: Array<{ field: string; message: string }> },
  ) {
    super(body.detail ?? body.title ?? `HTTP ${status}`);
  }
}

let csrfToken = '';

export function useCsrfToken(token: string): void {
  csrfToken = token;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/console/api${path}`, {
    method,
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(method === 'GET' ? {} : { 'content-type': 'application/json', 'x-csrf-token': csrfToken }),
    },
    body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
  });
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) throw new ApiProblem(response.status, parsed ?? {});
  return parsed as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body?: unknown) => call<T>('POST', path, body),
  delete: (path: string) => call<void>('DELETE', path),
};

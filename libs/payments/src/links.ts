export interface Link {
  href: string;
  method: 'GET' | 'POST';
}

export const link = (href: string, method: Link['method'] = 'GET'): Link => ({ href, method });

/** Timestamps leave as ISO 8601 with milliseconds, in UTC. */
export const iso = (date: Date | null | undefined): string | undefined => date?.toISOString();

import axios, { AxiosError, type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import * as http from 'node:http';
import * as https from 'node:https';
import { UnknownOutcomeError } from './adapter';

/** Kept-alive connections: a new TCP (and TLS) handshake per partner call would dominate latency. */
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 256 });

/**
 * The HTTP client every adapter uses. It never throws for an HTTP status (adapters map partner
 * error bodies themselves) except 5xx; a timeout, a connection reset or a 5xx is an
 * `UnknownOutcomeError`: the partner may or may not have acted.
 */
export function createPartnerHttpClient(): AxiosInstance {
  return axios.create({
    httpAgent,
    httpsAgent,
    validateStatus: () => true,
    maxRedirects: 0,
    transitional: { clarifyTimeoutError: true },
  });
}

export async function partnerRequest<T = unknown>(
  client: AxiosInstance,
  config: AxiosRequestConfig & { timeout: number },
): Promise<AxiosResponse<T>> {
  let response: AxiosResponse<T>;
  try {
    response = await client.request<T>(config);
  } catch (error) {
    const reason =
      error instanceof AxiosError ? `${error.code ?? 'network error'}: ${error.message}` : String(error);
    throw new UnknownOutcomeError(`${config.method?.toUpperCase() ?? 'GET'} ${config.url}: ${reason}`, error);
  }
  if (response.status >= 500) {
    throw new UnknownOutcomeError(
      `${config.method?.toUpperCase() ?? 'GET'} ${config.url}: HTTP ${response.status}`,
    );
  }
  return response;
}

import { describe, expect, it } from 'vitest';
import { ApiError } from '../lib/api-client.ts';
import { createQueryClient, shouldRetryRequest } from './provider.tsx';

const failure = (status: number) => new ApiError({ status, title: 't', detail: 'd' });

describe('shouldRetryRequest', () => {
  it('retries network failures and 5xx up to twice', () => {
    expect(shouldRetryRequest(0, failure(0))).toBe(true);
    expect(shouldRetryRequest(1, failure(503))).toBe(true);
    expect(shouldRetryRequest(2, failure(503))).toBe(false);
  });

  it('never retries a 4xx or an error that is not from the API', () => {
    expect(shouldRetryRequest(0, failure(400))).toBe(false);
    expect(shouldRetryRequest(0, failure(404))).toBe(false);
    expect(shouldRetryRequest(0, new ApiError({ status: 429, title: 't', detail: 'd', retryable: true }))).toBe(false);
    expect(shouldRetryRequest(0, new TypeError('bug'))).toBe(false);
  });

  it('is what the app client uses, with data fresh for 15 s', () => {
    const defaults = createQueryClient().getDefaultOptions();
    expect(defaults.queries?.retry).toBe(shouldRetryRequest);
    expect(defaults.queries?.staleTime).toBe(15_000);
  });
});

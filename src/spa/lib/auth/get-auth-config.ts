import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Role } from './get-me.ts';
import { apiRequest } from '../api-client.ts';
import { authKeys } from './auth-keys.ts';

export interface DemoUser {
  username: string;
  name: string;
  role: Role;
  clinicRole: string;
}

/** How to sign in (GET /auth/config, answered before sign-in). */
export interface AuthConfig {
  mode: 'dev' | 'proxy' | 'oidc';
  portalOrigins: string[];
  /** Origins viewer links may point to (VIEWER_ORIGINS); the SPA opens no other. */
  viewerOrigins: string[];
  demoUsers?: DemoUser[];
}

export function getAuthConfig(signal?: AbortSignal): Promise<AuthConfig> {
  return apiRequest<AuthConfig>('/auth/config', { signal });
}

export function authConfigQueryOptions() {
  return queryOptions({ queryKey: authKeys.config(), queryFn: ({ signal }) => getAuthConfig(signal), staleTime: Number.POSITIVE_INFINITY });
}

export function useAuthConfig() {
  return useQuery(authConfigQueryOptions());
}

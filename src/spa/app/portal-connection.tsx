import { useAuthConfig } from '../features/auth/api/get-auth-config.ts';
import { useMe } from '../features/auth/api/get-me.ts';
import { PortalBridge } from '../features/portal/components/portal-bridge.tsx';

/** Connects the portal bridge to who is signed in and which portals are allowed. */
export function PortalConnection() {
  const config = useAuthConfig();
  const me = useMe();
  return <PortalBridge portalOrigins={config.data?.portalOrigins ?? []} signedIn={Boolean(me.data)} />;
}

import { useEffect, useMemo } from 'react';
import { useNavigate } from 'react-router';
import { useMe } from '../../../lib/auth/get-me.ts';
import { useUnreadCounts } from '../api/get-unread-counts.ts';
import { countsMessageFor, isPortalOrigin, readPortalMessage } from '../portal-messages.ts';

export interface PortalBridgeProps {
  /** Origins of the portal allowed to frame the app (PORTAL_ORIGINS). */
  portalOrigins: readonly string[];
  /** Counts are sent only once someone is signed in. */
  signedIn: boolean;
}

/**
 * Talks to the portal when the app runs in its iframe: answers `worklist:open-study` from an allowed
 * origin by opening the study, and tells the portal the unread STAT and high counts of the person's
 * worklist as it opens (`scope`). Messages go
 * only to allowed origins (a targetOrigin that is not the parent's is dropped by the browser), and
 * only messages from the parent window on an allowed origin are read.
 */
export function PortalBridge({ portalOrigins, signedIn }: PortalBridgeProps) {
  const framed = typeof window !== 'undefined' && window.parent !== window;
  const originsKey = framed ? portalOrigins.join(' ') : '';
  const origins = useMemo(() => (originsKey ? originsKey.split(' ') : []), [originsKey]);
  const navigate = useNavigate();
  const counts = useUnreadCounts(origins.length > 0 && signedIn);

  useEffect(() => {
    if (origins.length === 0) return undefined;
    const onMessage = (event: MessageEvent) => {
      if (event.source !== window.parent || !isPortalOrigin(event.origin, origins)) return;
      const message = readPortalMessage(event.data);
      if (!message) return;
      const embedded = new URLSearchParams(window.location.search).has('embed');
      void navigate({ pathname: `/studies/by-uid/${message.studyInstanceUid}`, search: embedded ? '?embed=1' : '' });
    };
    window.addEventListener('message', onMessage);
    for (const origin of origins) window.parent.postMessage({ type: 'worklist:ready' }, origin);
    return () => window.removeEventListener('message', onMessage);
  }, [origins, navigate]);

  const me = useMe().data;
  const message = countsMessageFor(me, counts.data);
  const messageKey = message ? JSON.stringify(message) : '';
  useEffect(() => {
    if (!messageKey || origins.length === 0) return;
    const sent: unknown = JSON.parse(messageKey);
    for (const origin of origins) window.parent.postMessage(sent, origin);
  }, [messageKey, origins]);

  return null;
}

import { useEffect, useState } from 'react';

/** The current time, refreshed on an interval, so "5 minutes ago" does not stay 5 minutes forever. */
export function useNow(intervalMs = 30_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(new Date()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}

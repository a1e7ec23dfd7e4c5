/** The app's buttons, in one place so every action looks like its kind (the drawer's first). */
export const BUTTON = {
  primary:
    'inline-flex items-center justify-center gap-1.5 rounded border border-accent-fill bg-accent-fill px-3 py-1.5 text-sm font-semibold text-accent-fill-fg hover:brightness-110 disabled:cursor-not-allowed disabled:opacity-60',
  secondary:
    'inline-flex items-center justify-center gap-1.5 rounded border border-border bg-panel-raised px-3 py-1.5 text-sm font-medium text-fg hover:border-accent disabled:cursor-not-allowed disabled:opacity-60',
  danger:
    'inline-flex items-center justify-center gap-1.5 rounded border border-danger-border bg-danger-bg px-3 py-1.5 text-sm font-medium text-danger-fg hover:brightness-110 disabled:cursor-not-allowed disabled:opacity-60',
  small:
    'inline-flex items-center rounded border border-border px-2 py-0.5 text-xs font-medium text-fg hover:border-accent disabled:cursor-not-allowed disabled:opacity-50',
  quiet:
    'inline-flex items-center justify-center gap-1.5 rounded px-2 py-1 text-sm font-medium text-fg-muted hover:text-fg disabled:cursor-not-allowed disabled:opacity-60',
} as const;

export const INPUT =
  'w-full rounded border border-border bg-surface px-2.5 py-1.5 text-sm text-fg placeholder:text-fg-muted/70 focus:border-accent focus:outline-none aria-[invalid=true]:border-danger-border';

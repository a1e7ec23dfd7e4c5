import { useId, type KeyboardEventHandler, type ReactNode, type RefObject } from 'react';

/** The two sizes in use: a form (`wide`) and a reference list (`narrow`). */
const SIZES = {
  wide: { height: 'max-h-[90vh]', width: 'max-w-2xl', header: 'px-6 py-4', title: 'text-lg' },
  narrow: { height: 'max-h-[85vh]', width: 'max-w-lg', header: 'px-5 py-3', title: 'text-base' },
} as const;

/**
 * The frame of a modal `<dialog>` (open it with useModalDialog): titled by its heading, a header with
 * the close button, and a body that scrolls on its own. Esc (the dialog's cancel) calls `onCancel`
 * instead of closing outright, so the caller decides (ask first, or close).
 */
export function ModalDialog({
  dialogRef,
  title,
  size,
  closeButton,
  bodyClassName,
  onCancel,
  onKeyDown,
  children,
}: {
  dialogRef: RefObject<HTMLDialogElement | null>;
  title: string;
  size: keyof typeof SIZES;
  closeButton: ReactNode;
  /** The body's padding and spacing; it scrolls in any case. */
  bodyClassName: string;
  onCancel: () => void;
  onKeyDown?: KeyboardEventHandler<HTMLDialogElement>;
  children: ReactNode;
}) {
  const titleId = useId();
  const sized = SIZES[size];
  return (
    <dialog
      ref={dialogRef}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
      onKeyDown={onKeyDown}
      className={`fixed inset-0 m-auto w-full overflow-hidden rounded-lg border border-border bg-panel p-0 text-fg shadow-2xl backdrop:bg-black/60 ${sized.height} ${sized.width}`}
    >
      <div className={`flex flex-col ${sized.height}`}>
        <div className={`flex items-center justify-between gap-4 border-b border-border ${sized.header}`}>
          <h2 id={titleId} className={`${sized.title} font-semibold`}>
            {title}
          </h2>
          {closeButton}
        </div>
        <div className={`overflow-y-auto ${bodyClassName}`}>{children}</div>
      </div>
    </dialog>
  );
}

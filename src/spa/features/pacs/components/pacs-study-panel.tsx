import { useEffect, useState, type ReactNode } from 'react';
import { isApiError } from '../../../lib/api-client.ts';
import { usePacsEnabled } from '../api/get-pacs-status.ts';
import { usePacsStudyContext } from '../api/get-pacs-context.ts';
import { usePacsPreview } from '../api/get-pacs-preview.ts';
import type { PacsStudyContext } from '../../../../contract/worklist-api.ts';
import { isLookupableUid } from '../lib/dicom-uid.ts';
import { formatPacsCounts, formatStudyDate } from '../lib/format-pacs.ts';
import { Field, Muted } from '../../../components/field.tsx';

interface PacsStudy {
  studyInstanceUid: string;
  studyDescription: string;
}

/**
 * The study as the PACS has it, in the drawer: patient, modality, dates, counts and a preview of its
 * first image. Nothing at all when no PACS is connected.
 */
export function PacsStudyPanel({ study }: { study: PacsStudy }) {
  const enabled = usePacsEnabled();
  const lookupable = isLookupableUid(study.studyInstanceUid);
  const context = usePacsStudyContext(study.studyInstanceUid, enabled);
  if (!enabled) return null;

  const known: PacsStudyContext | undefined = lookupable ? context.data : { found: false };
  return (
    <section aria-labelledby="pacs-study-heading" className="rounded-md border border-border bg-panel-raised/40 p-3">
      <h3 id="pacs-study-heading" className="text-sm font-semibold">
        From the PACS
      </h3>
      {known ? (
        known.found ? (
          <div className="mt-2 flex flex-col gap-3 sm:flex-row sm:items-start">
            <PacsPreview study={study} />
            <dl className="min-w-0 flex-1 divide-y divide-border/60">
              <Field dense label="Patient">
                {recorded(known.patientName, (name) => (
                  <span className="font-medium">{name}</span>
                ))}
              </Field>
              <Field dense label="Patient ID">
                {recorded(known.patientId, (id) => (
                  <span className="font-mono text-xs">{id}</span>
                ))}
              </Field>
              <Field dense label="Modality">
                {recorded(known.modalities.join(', '), (modalities) => modalities)}
              </Field>
              <Field dense label="Study date">
                {recorded(known.studyDate, (date) => (
                  <time dateTime={date}>{formatStudyDate(date)}</time>
                ))}
              </Field>
              <Field dense label="Accession">
                {recorded(known.accessionNumber, (accession) => (
                  <span className="font-mono text-xs">{accession}</span>
                ))}
              </Field>
              <Field dense label="Images">
                {formatPacsCounts(known)}
              </Field>
            </dl>
          </div>
        ) : (
          <p className="mt-2 text-sm text-fg-muted">
            Not in PACS: it has no images for this study yet, so there is no preview.
          </p>
        )
      ) : context.isError ? (
        <p role="alert" className="mt-2 flex flex-wrap items-center gap-2 text-sm text-danger-fg">
          {isApiError(context.error) ? context.error.detail || context.error.title : 'The PACS could not be asked.'}
          <button
            type="button"
            onClick={() => void context.refetch()}
            className="rounded border border-border px-2 py-0.5 text-xs font-medium text-fg"
          >
            Retry
          </button>
        </p>
      ) : (
        <p role="status" className="mt-2 text-sm text-fg-muted">
          Loading patient details from the PACS…
        </p>
      )}
    </section>
  );
}

/** A value the PACS may not have: shown by `show` when it has one, said in words when not. */
function recorded(value: string | null | undefined, show: (value: string) => ReactNode): ReactNode {
  return value ? show(value) : <Muted>Not recorded</Muted>;
}

type PreviewState = 'loading' | 'loaded' | 'failed';

/** An object URL for the blob, revoked when the blob changes or the component goes. */
function useObjectUrl(blob: Blob | undefined): string | undefined {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!blob) return;
    const created = URL.createObjectURL(blob);
    setUrl(created);
    return () => {
      URL.revokeObjectURL(created);
      setUrl(undefined);
    };
  }, [blob]);
  return url;
}

/**
 * The first image, with a quiet frame while it loads and a word when there is none. Shown from a
 * blob: URL (the CSP's img-src allows blob:), since the API needs a header an `<img>` cannot send.
 */
function PacsPreview({ study }: { study: PacsStudy }) {
  const image = usePacsPreview(study.studyInstanceUid, true);
  const url = useObjectUrl(image.data);
  const [decoded, setDecoded] = useState<PreviewState>('loading');
  const state: PreviewState = image.isError ? 'failed' : decoded;
  return (
    <figure className="relative size-40 shrink-0 overflow-hidden rounded border border-border bg-black">
      {state === 'failed' ? (
        <figcaption className="flex size-full items-center justify-center p-2 text-center text-xs text-fg-muted">
          No preview
        </figcaption>
      ) : (
        <>
          {url ? (
            <img
              src={url}
              alt={`Preview of ${study.studyDescription || 'the study'}, its first frame`}
              width={160}
              height={160}
              onLoad={() => setDecoded('loaded')}
              onError={() => setDecoded('failed')}
              className={`size-full object-contain transition-opacity ${state === 'loaded' ? 'opacity-100' : 'opacity-0'}`}
            />
          ) : null}
          {state === 'loading' ? (
            <figcaption
              role="status"
              className="absolute inset-0 flex items-center justify-center text-xs text-fg-muted"
            >
              Loading preview…
            </figcaption>
          ) : null}
        </>
      )}
    </figure>
  );
}

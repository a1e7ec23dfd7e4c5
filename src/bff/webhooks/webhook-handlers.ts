import type { FastifyBaseLogger } from 'fastify';
import type { DicomFileUrls } from '../pacs/dicom-file-urls.ts';
import type { PacsServices } from '../pacs/pacs-services.ts';
import type { AvaraClient } from '../services/avara-client.ts';
import type { SharedState } from '../shared-state/shared-state.ts';
import type { JsonObject } from '../shared-state/shared-state.ts';
import { patientStudyEnrichmentRequested } from './handlers/patient-study-enrichment-requested.ts';
import { studyAccessRequested } from './handlers/study-access-requested.ts';

/** A verified webhook: Avara's envelope `{id, type, data}` and the Standard Webhooks id it came with. */
export interface WebhookEvent {
  /** The event's own ID (`whe_…`). */
  id: string;
  type: string;
  /** The event's fields; a handler checks the ones it reads. */
  data: Record<string, unknown>;
  /** The `webhook-id` header (the same on every delivery attempt of one event). */
  webhookId: string;
}

/** What a handler needs of the BFF; a new handler that needs more adds it here and in webhook-routes.ts. */
export interface WebhookContext {
  avara: AvaraClient;
  shared: SharedState;
  /** The PACS, when ORTHANC_URL is set. */
  pacs: PacsServices | undefined;
  /** Signs the per-instance file URLs (present with a PACS). */
  dicomUrls: DicomFileUrls | undefined;
  log: FastifyBaseLogger;
  /** Aborts when the answer is due (WEBHOOK_ANSWER_MS): stop waiting for upstreams then. */
  signal: AbortSignal;
}

/** A handler's answer: the JSON body (status 200 unless given) and what the audit line says of it. */
export interface WebhookAnswer {
  body: JsonObject;
  status?: number;
  studyId?: string;
  studyInstanceUid?: string;
  /** A word for the audit line beyond its outcome, e.g. `authorized`, `not-in-pacs`. */
  result?: string;
}

export type WebhookHandler = (event: WebhookEvent, context: WebhookContext) => Promise<WebhookAnswer>;

/**
 * One handler per Avara event type, each in its own module under handlers/. A new event is one
 * more line here (and its module); AVARA_WEBHOOK_EVENTS then decides whether it is answered.
 */
export const WEBHOOK_HANDLERS: Readonly<Record<string, WebhookHandler>> = {
  'study.access_requested': studyAccessRequested,
  'patient_study.enrichment_requested': patientStudyEnrichmentRequested,
};

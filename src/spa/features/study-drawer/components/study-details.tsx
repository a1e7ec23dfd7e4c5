import type { Study } from '../../../../contract/avara-types.ts';
import { formatPersonName } from '../../../lib/format.ts';
import { CopyButton } from './copy-button.tsx';
import { RelativeTime } from './relative-time.tsx';
import { SeverityBadge } from '../../../components/severity-badge.tsx';
import { Field, Muted } from '../../../components/field.tsx';

function CreatedBy({ study }: { study: Study }) {
  if (study.createdByUser) {
    const name = formatPersonName(study.createdByUser);
    return (
      <>
        {name || study.createdByUser.email}
        {name ? <span className="block text-xs text-fg-muted">{study.createdByUser.email}</span> : null}
      </>
    );
  }
  if (study.createdByApiKey) {
    return (
      <>
        {study.createdByApiKey.description}
        <span className="block text-xs text-fg-muted">API key</span>
      </>
    );
  }
  return <Muted>Not recorded</Muted>;
}

/** Every field the API returns for a study, read-only. */
export function StudyDetails({ study }: { study: Study }) {
  const assignee = study.assignedTo;
  const metadata = Object.entries(study.metadata ?? {});
  return (
    <div className="space-y-6">
      <dl className="divide-y divide-border/60">
        <Field label="Severity">
          <SeverityBadge severity={study.severity} />
        </Field>
        <Field label="Viewer status">
          {study.studyViewerStatus === 'complete' ? (
            <span className="text-success-fg">
              <span aria-hidden="true">✓ </span>Read
            </span>
          ) : (
            <span>
              <span aria-hidden="true" className="text-fg-muted">
                ○{' '}
              </span>
              Unread
            </span>
          )}
        </Field>
        <Field label="Assignee">
          {assignee ? (
            <>
              <span className="font-medium">{formatPersonName(assignee) || assignee.email}</span>
              <a
                href={`mailto:${assignee.email}`}
                className="block text-xs text-fg-muted hover:text-accent hover:underline"
              >
                {assignee.email}
              </a>
            </>
          ) : (
            <Muted>Unassigned</Muted>
          )}
        </Field>
        <Field label="Study Instance UID">
          <span className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <span className="font-mono text-xs break-all">{study.studyInstanceUid}</span>
            <CopyButton text={study.studyInstanceUid} label="Copy Study Instance UID" />
          </span>
        </Field>
        <Field label="Customer">
          {study.expressCustomer ? study.expressCustomer.expressCustomerName : <Muted>None</Muted>}
        </Field>
        {/* `org` left Avara's SDK for the customer: shown only when an upstream still sends one. */}
        {study.org ? <Field label="Organization">{study.org.orgName}</Field> : null}
        <Field label="Created">
          <RelativeTime value={study.createdAt} />
        </Field>
        <Field label="Created by">
          <CreatedBy study={study} />
        </Field>
        <Field label="Updated">
          <RelativeTime value={study.updatedAt} />
        </Field>
        {study.isCancelled || study.cancelledAt ? (
          <Field label="Cancelled">{study.cancelledAt ? <RelativeTime value={study.cancelledAt} /> : 'Yes'}</Field>
        ) : null}
        <Field label="Study ID">
          <span className="font-mono text-xs break-all text-fg-muted">{study.studyId}</span>
        </Field>
      </dl>

      <section aria-labelledby="study-metadata-heading">
        <h3 id="study-metadata-heading" className="text-sm font-semibold">
          Metadata
        </h3>
        {metadata.length === 0 ? (
          <p className="mt-2 text-sm text-fg-muted">No metadata.</p>
        ) : (
          <dl className="mt-2 divide-y divide-border/60 rounded border border-border">
            {metadata.map(([key, value]) => (
              <div key={key} className="grid grid-cols-[9rem_minmax(0,1fr)] gap-3 px-3 py-2">
                <dt className="text-sm font-medium break-words">{key}</dt>
                <dd className="text-sm break-words whitespace-pre-wrap">{value}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>
    </div>
  );
}

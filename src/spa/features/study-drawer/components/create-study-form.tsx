import { useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { AppLink } from '../../../components/app-link.tsx';
import type { Severity, Study, StudyCreateParams } from '../../../../contract/avara-types.ts';
import { isApiError } from '../../../lib/api-client.ts';
import { useUsers } from '../../../lib/people/get-users.ts';
import { AssigneePicker } from './assignee-picker.tsx';
import { BUTTON, INPUT } from './button-styles.ts';
import { DescriptionField, FieldMessage } from './description-field.tsx';
import { MetadataEditor } from './metadata-editor.tsx';
import { SaveError } from './save-error.tsx';
import { SeverityField } from './severity-field.tsx';
import { descriptionProblem } from './study-edit-form.tsx';
import { dicomUidProblem } from '../lib/dicom-uid.ts';
import { hasMetadataErrors, metadataFromRows, validateMetadata } from '../lib/metadata-rules.ts';
import type { MetadataRow } from '../lib/metadata-rules.ts';
import { useCreateStudy } from '../api/create-study.ts';
import { useKnownCustomers } from '../api/known-customers.ts';

const CUSTOMER_ID = /^cus_[0-9a-f]{32}$/;
const OTHER_CUSTOMER = 'other';

interface CreateStudyFormProps {
  meUserId: string | null;
  onCreated: (study: Study) => void;
  onCancel: () => void;
  onDirtyChange?: (dirty: boolean) => void;
  /** The user followed the link to the existing study (duplicate UID): the form's container should close. */
  onOpenExisting?: () => void;
}

/** Messages the server attached to body fields of a 400, by field name. */
function serverIssues(error: unknown): Record<string, string> {
  if (!isApiError(error) || error.status !== 400) return {};
  return Object.fromEntries(
    error.issues.filter((issue) => issue.in === 'body').map((issue) => [issue.name, issue.message]),
  );
}

/**
 * A new study: severity, description, Study Instance UID (checked against the DICOM rules as typed),
 * and optionally an assignee, a customer and metadata.
 */
export function CreateStudyForm({
  meUserId,
  onCreated,
  onCancel,
  onDirtyChange,
  onOpenExisting,
}: CreateStudyFormProps) {
  const ids = {
    severity: useId(),
    description: useId(),
    descriptionError: useId(),
    uid: useId(),
    uidError: useId(),
    customer: useId(),
    customerId: useId(),
    customerError: useId(),
  };
  const formRef = useRef<HTMLFormElement>(null);
  const [severity, setSeverity] = useState<Severity>('normal');
  const [description, setDescription] = useState('');
  const [uid, setUid] = useState('');
  const [assignedTo, setAssignedTo] = useState<string | null>(null);
  const [customerChoice, setCustomerChoice] = useState('');
  const [customerId, setCustomerId] = useState('');
  const [metadata, setMetadata] = useState<MetadataRow[]>([]);
  const [touched, setTouched] = useState({ description: false, uid: false });
  const [blocked, setBlocked] = useState(false);
  const create = useCreateStudy();
  const roster = useUsers();
  const customers = useKnownCustomers();

  const markDirty = () => onDirtyChange?.(true);
  const issues = serverIssues(create.error);
  const showAll = blocked;
  const descriptionError = touched.description || showAll ? descriptionProblem(description) : undefined;
  const uidError = uid !== '' || touched.uid || showAll ? dicomUidProblem(uid.trim()) : undefined;
  const chosenCustomer = customerChoice === OTHER_CUSTOMER ? customerId.trim() : customerChoice;
  const customerError =
    customerChoice === OTHER_CUSTOMER && (customerId !== '' || showAll) && !CUSTOMER_ID.test(customerId.trim())
      ? 'A customer ID looks like cus_ followed by 32 hexadecimal characters.'
      : undefined;
  const metadataErrors = validateMetadata(metadata);
  const invalid =
    descriptionProblem(description) !== undefined ||
    dicomUidProblem(uid.trim()) !== undefined ||
    (customerChoice === OTHER_CUSTOMER && !CUSTOMER_ID.test(customerId.trim())) ||
    hasMetadataErrors(metadataErrors);
  const duplicate = isApiError(create.error) && create.error.status === 409;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (invalid) {
      setBlocked(true);
      // After React has marked the fields, move to the first one that needs fixing.
      window.setTimeout(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
      return;
    }
    setBlocked(false);
    const params: StudyCreateParams = { severity, studyDescription: description, studyInstanceUid: uid.trim() };
    if (assignedTo) params.assignedTo = assignedTo;
    if (chosenCustomer) params.expressCustomerId = chosenCustomer;
    if (metadata.length > 0) params.metadata = metadataFromRows(metadata);
    create.mutate(params, { onSuccess: onCreated });
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="New study" className="space-y-5">
      {duplicate ? (
        <div role="alert" className="rounded-md border border-danger-border bg-danger-bg p-3 text-sm">
          <p className="font-semibold text-danger-fg">A study with this Study Instance UID already exists.</p>
          <p className="mt-1">
            <AppLink
              to={`/studies/by-uid/${encodeURIComponent(uid.trim())}`}
              onClick={onOpenExisting}
              className="font-medium text-accent underline"
            >
              Open the existing study
            </AppLink>{' '}
            or check the UID.
          </p>
        </div>
      ) : create.isError ? (
        <SaveError error={create.error} />
      ) : null}
      {blocked && invalid ? (
        <p role="alert" className="rounded-md border border-danger-border bg-danger-bg p-3 text-sm text-danger-fg">
          Fix the marked fields before creating the study.
        </p>
      ) : null}

      <div className="grid grid-cols-[10rem_minmax(0,1fr)] gap-4">
        <SeverityField
          id={ids.severity}
          value={severity}
          onChange={(next) => {
            setSeverity(next);
            markDirty();
          }}
        />
        <div>
          <label htmlFor={ids.uid} className="text-sm font-medium">
            Study Instance UID
          </label>
          <input
            id={ids.uid}
            type="text"
            inputMode="decimal"
            autoComplete="off"
            spellCheck={false}
            value={uid}
            aria-invalid={uidError || issues.studyInstanceUid || duplicate ? true : undefined}
            aria-describedby={uidError || issues.studyInstanceUid ? ids.uidError : undefined}
            onChange={(event) => {
              setUid(event.target.value);
              markDirty();
            }}
            onBlur={() => setTouched((state) => ({ ...state, uid: true }))}
            className={`${INPUT} mt-1 font-mono`}
          />
          <FieldMessage
            id={ids.uidError}
            error={uidError || (issues.studyInstanceUid ? `The UID ${issues.studyInstanceUid}` : undefined)}
            hint="From the modality or the PACS: digits and dots, at most 64 characters (for example 1.2.840.10008…)."
          />
        </div>
      </div>

      <DescriptionField
        id={ids.description}
        errorId={ids.descriptionError}
        value={description}
        error={descriptionError || (issues.studyDescription ? `Description ${issues.studyDescription}` : undefined)}
        hint="As the radiologist will read it, for example “CT Head without Contrast”."
        onChange={(next) => {
          setDescription(next);
          markDirty();
        }}
        onBlur={() => setTouched((state) => ({ ...state, description: true }))}
      />

      <AssigneePicker
        value={assignedTo}
        onChange={(next) => {
          setAssignedTo(next);
          markDirty();
        }}
        roster={roster.data}
        rosterError={roster.isError}
        knownAssignee={null}
        meUserId={meUserId}
      />

      <div>
        <label htmlFor={ids.customer} className="text-sm font-medium">
          Customer <span className="font-normal text-fg-muted">(optional)</span>
        </label>
        <select
          id={ids.customer}
          value={customerChoice}
          onChange={(event) => {
            setCustomerChoice(event.target.value);
            markDirty();
          }}
          className={`${INPUT} mt-1`}
        >
          <option value="">No customer</option>
          {customers.map((customer) => (
            <option key={customer.expressCustomerId} value={customer.expressCustomerId}>
              {customer.expressCustomerName}
            </option>
          ))}
          <option value={OTHER_CUSTOMER}>Another customer, by ID…</option>
        </select>
        {customerChoice === OTHER_CUSTOMER ? (
          <>
            <label htmlFor={ids.customerId} className="mt-2 block text-sm font-medium">
              Customer ID
            </label>
            <input
              id={ids.customerId}
              type="text"
              value={customerId}
              spellCheck={false}
              aria-invalid={customerError || issues.expressCustomerId ? true : undefined}
              aria-describedby={customerError || issues.expressCustomerId ? ids.customerError : undefined}
              onChange={(event) => setCustomerId(event.target.value)}
              className={`${INPUT} mt-1 font-mono`}
            />
            <FieldMessage
              id={ids.customerError}
              error={customerError || issues.expressCustomerId}
              hint="The customer’s ID in Avara, starting with cus_."
            />
          </>
        ) : null}
      </div>

      <MetadataEditor
        rows={metadata}
        onChange={(rows) => {
          setMetadata(rows);
          markDirty();
        }}
        errors={metadataErrors}
        serverError={issues.metadata}
      />

      <div className="sticky bottom-0 -mx-6 flex items-center gap-2 border-t border-border bg-panel px-6 py-3">
        <button type="submit" className={BUTTON.primary} disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create study'}
        </button>
        <button type="button" className={BUTTON.secondary} onClick={onCancel} disabled={create.isPending}>
          Cancel
        </button>
      </div>
    </form>
  );
}

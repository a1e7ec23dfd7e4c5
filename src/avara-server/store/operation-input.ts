import type {
  ListStudiesQuery,
  ListUsersQuery,
  Severity,
  StudyCreateParams,
  StudyReferenceParams,
  StudyUpdateParams,
  StudyViewerStatus,
} from '../../contract/avara-types.ts';
import { INVITED_SOURCES, SEVERITIES, USER_LEVELS, VIEWER_STATUSES } from '../../contract/avara-types.ts';

// Typed views of input that the contract validator has already accepted. They only narrow types
// (the validator enforced formats and limits), so the service never sees `unknown`.

type QueryValues = Record<string, string | number | boolean>;

export function listStudiesQueryFrom(query: QueryValues): ListStudiesQuery {
  return {
    assignedTo: stringOf(query.assignedTo),
    cursor: stringOf(query.cursor),
    expressCustomerId: stringOf(query.expressCustomerId),
    isCancelled: typeof query.isCancelled === 'boolean' ? query.isCancelled : undefined,
    limit: typeof query.limit === 'number' ? query.limit : undefined,
    severity: severityOf(query.severity),
    studyDescription: stringOf(query.studyDescription),
    studyViewerStatus: viewerStatusOf(query.studyViewerStatus),
  };
}

export function listUsersQueryFrom(query: QueryValues): ListUsersQuery {
  return {
    cursor: stringOf(query.cursor),
    limit: typeof query.limit === 'number' ? query.limit : undefined,
    email: stringOf(query.email),
    firstName: stringOf(query.firstName),
    lastName: stringOf(query.lastName),
    level: USER_LEVELS.find((level) => level === query.level),
    invitedSource: INVITED_SOURCES.find((source) => source === query.invitedSource),
  };
}

export function createParamsFrom(body: unknown): StudyCreateParams {
  const fields = recordOf(body);
  const severity = severityOf(fields.severity);
  const studyDescription = stringOf(fields.studyDescription);
  const studyInstanceUid = stringOf(fields.studyInstanceUid);
  if (severity === undefined || studyDescription === undefined || studyInstanceUid === undefined) {
    throw new TypeError('createParamsFrom needs a body the contract validator accepted');
  }
  return {
    severity,
    studyDescription,
    studyInstanceUid,
    assignedTo: stringOf(fields.assignedTo),
    expressCustomerId: stringOf(fields.expressCustomerId),
    metadata: metadataOf(fields.metadata),
  };
}

export function updateParamsFrom(body: unknown): StudyUpdateParams {
  const fields = recordOf(body);
  return {
    // null is meaningful here (unassign, clear the metadata), so it is kept apart from "absent".
    assignedTo: fields.assignedTo === null ? null : stringOf(fields.assignedTo),
    metadata: fields.metadata === null ? null : metadataOf(fields.metadata),
    severity: severityOf(fields.severity),
    studyDescription: stringOf(fields.studyDescription),
    studyViewerStatus: viewerStatusOf(fields.studyViewerStatus),
  };
}

export function referenceFrom(body: unknown): StudyReferenceParams {
  const fields = recordOf(body);
  return { studyId: stringOf(fields.studyId), studyInstanceUid: stringOf(fields.studyInstanceUid) };
}

function recordOf(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value));
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function severityOf(value: unknown): Severity | undefined {
  return SEVERITIES.find((severity) => severity === value);
}

function viewerStatusOf(value: unknown): StudyViewerStatus | undefined {
  return VIEWER_STATUSES.find((status) => status === value);
}

function metadataOf(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const metadata: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) if (typeof entry === 'string') metadata[key] = entry;
  return metadata;
}

import type { components, operations } from './avara-api.gen.ts';

type Schemas = components['schemas'];

export type Study = Schemas['Study'];
export type StudyListPage = Schemas['StudyListPage'];
export type StudyCreateParams = Schemas['StudyCreateParams'];
export type StudyUpdateParams = Schemas['StudyUpdateParams'];
export type StudyReferenceParams = Schemas['StudyReferenceParams'];
export type SuccessResponse = Schemas['SuccessResponse'];
export type RerouteUrlResponse = Schemas['RerouteUrlResponse'];
export type Severity = Schemas['Severity'];
export type StudyViewerStatus = Schemas['StudyViewerStatus'];
export type UserReference = Schemas['UserReference'];
export type ApiKeyReference = Schemas['ApiKeyReference'];
export type ExpressCustomerReference = Schemas['ExpressCustomerReference'];
export type OrgReference = Schemas['OrgReference'];
export type User = Schemas['User'];
export type UserLevel = Schemas['UserLevel'];
export type UserInvitedSource = Schemas['UserInvitedSource'];
export type ClinicRole = Schemas['ClinicRole'];
export type UserListPage = Schemas['UserListPage'];
export type ErrorResponse = Schemas['ErrorResponse'];
export type ErrorType = ErrorResponse['error']['type'];

export type ListStudiesQuery = NonNullable<operations['listStudies']['parameters']['query']>;
export type ListUsersQuery = NonNullable<operations['listUsers']['parameters']['query']>;

/** The operations of the contract, by `operationId`. */
export type OperationId = keyof operations;

export const SEVERITIES = ['stat', 'high', 'normal'] as const satisfies readonly Severity[];
/** The official SDK's clinical roles, in its order. */
export const CLINIC_ROLES = [
  'Radiologist',
  'Cardiologist',
  'Neurologist',
  'Urologist',
  'Gynecologist',
  'Endocrinologist',
  'Doctor',
  'Surgeon',
  'Physician',
  'Physician Assistant',
  'Nurse Practitioner',
  'Registered Nurse',
  'Patient Care Coordinator',
  'Front Desk Operator',
  'Imaging Technologist',
  'PACS Administrator',
  'Software Engineer',
  'Revenue Cycle Manager',
  'Administrative Director',
  'Administrative Assistant',
  'Other',
] as const satisfies readonly ClinicRole[];
export const INVITED_SOURCES = ['dashboard', 'api'] as const satisfies readonly UserInvitedSource[];
export const USER_LEVELS = ['owner', 'admin', 'member'] as const satisfies readonly UserLevel[];

export const VIEWER_STATUSES = ['incomplete', 'complete'] as const satisfies readonly StudyViewerStatus[];

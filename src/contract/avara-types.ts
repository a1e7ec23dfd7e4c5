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
export type UserListPage = Schemas['UserListPage'];
export type ErrorResponse = Schemas['ErrorResponse'];
export type ErrorType = ErrorResponse['error']['type'];

export type ListStudiesQuery = NonNullable<operations['listStudies']['parameters']['query']>;
export type ListUsersQuery = NonNullable<operations['listUsers']['parameters']['query']>;

/** The operations of the contract, by `operationId`. */
export type OperationId = keyof operations;

export const SEVERITIES = ['stat', 'high', 'normal'] as const satisfies readonly Severity[];
export const VIEWER_STATUSES = ['incomplete', 'complete'] as const satisfies readonly StudyViewerStatus[];

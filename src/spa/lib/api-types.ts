/**
 * The BFF's API as the SPA's fetchers type it: each answer and body is the one the API document
 * gives the route (src/contract/worklist-openapi.yaml, generated into worklist-api.gen.ts). Types
 * only: nothing here reaches the bundle.
 */
import type { paths } from '../../contract/worklist-api.gen.ts';

/** A route of the document, with its parameters in braces (`/api/studies/{studyId}`). */
export type ApiPath = keyof paths;
export type ApiMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';

type Operation<P extends ApiPath, M extends ApiMethod> = NonNullable<paths[P][M]>;
type JsonOf<Answer> = Answer extends { content: { 'application/json': infer Body } } ? Body : never;

/** The JSON of the route's success answer (its 200, else its 201); `never` for a method the route lacks. */
export type ApiAnswer<P extends ApiPath, M extends ApiMethod> =
  Operation<P, M> extends { responses: infer Answers }
    ? Answers extends { 200: infer Ok }
      ? JsonOf<Ok>
      : Answers extends { 201: infer Created }
        ? JsonOf<Created>
        : never
    : never;

/** The JSON body the route takes. */
export type ApiBody<P extends ApiPath, M extends ApiMethod> =
  Operation<P, M> extends { requestBody?: infer Body } ? JsonOf<NonNullable<Body>> : never;

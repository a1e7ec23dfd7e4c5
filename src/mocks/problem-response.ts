import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, type Problem } from '../contract/problem.ts';

/** A problem+json answer with the problem's own status, as the BFF sends its errors. */
export function problemResponse(problem: Problem): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE },
  });
}

/** The 401 the BFF answers to a request without a session. */
export function signInRequiredResponse(): Response {
  return problemResponse({
    type: PROBLEM_TYPES.unauthorized,
    title: 'Sign-in required',
    status: 401,
    detail: 'Sign in to continue.',
  });
}

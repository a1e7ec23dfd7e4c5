import { PROBLEM_CONTENT_TYPE, type Problem } from '../contract/problem.ts';

/** A problem+json answer with the problem's own status, as the BFF sends its errors. */
export function problemResponse(problem: Problem): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE },
  });
}

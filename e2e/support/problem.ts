import type { Route } from '@playwright/test';
import { PROBLEM_CONTENT_TYPE, type Problem } from '../../src/contract/problem.ts';

/** What `route.fulfill` takes to answer `problem` as the BFF answers its errors: problem+json, with its own status. */
export function problemAnswer(problem: Problem): Parameters<Route['fulfill']>[0] {
  return { status: problem.status, contentType: PROBLEM_CONTENT_TYPE, body: JSON.stringify(problem) };
}

import { describe, expect, it } from 'vitest';
import { PROBLEM_LIMITS, boundedText, invalidRequestProblem, type ProblemIssue } from './problem.ts';

describe('invalidRequestProblem', () => {
  it('names every issue when there are few', () => {
    const problem = invalidRequestProblem([
      { in: 'query', name: 'limit', message: 'must be <= 100' },
      { in: 'body', name: '', message: 'a JSON body is required' },
    ]);
    expect(problem.detail).toBe('limit must be <= 100; body a JSON body is required');
    expect(problem.issues).toHaveLength(2);
    expect(problem.moreIssues).toBeUndefined();
  });

  it('lists at most PROBLEM_LIMITS.issues and says how many more there are', () => {
    const issues: ProblemIssue[] = Array.from({ length: 5_000 }, (_, index) => ({
      in: 'body',
      name: `uids[${index}]`,
      message: 'must be a DICOM UID',
    }));
    const problem = invalidRequestProblem(issues);
    expect(problem.issues).toHaveLength(PROBLEM_LIMITS.issues);
    expect(problem.moreIssues).toBe(5_000 - PROBLEM_LIMITS.issues);
    expect(problem.detail.endsWith(`; and ${5_000 - PROBLEM_LIMITS.issues} more issues`)).toBe(true);
    expect(JSON.stringify(problem).length).toBeLessThan(4_000);
    expect(invalidRequestProblem(issues.slice(0, PROBLEM_LIMITS.issues + 1)).detail).toMatch(/; and 1 more issue$/);
  });

  it('cuts long names and messages', () => {
    const problem = invalidRequestProblem([
      { in: 'query', name: 'n'.repeat(100_000), message: `m${'x'.repeat(100_000)}` },
    ]);
    const [issue] = problem.issues ?? [];
    expect(issue?.name).toHaveLength(PROBLEM_LIMITS.text);
    expect(issue?.message).toHaveLength(PROBLEM_LIMITS.text);
    expect(issue?.name.endsWith('…')).toBe(true);
    expect(problem.detail.length).toBeLessThanOrEqual(2 * PROBLEM_LIMITS.text + 1);
  });
});

describe('boundedText', () => {
  it('keeps short text as it is', () => {
    expect(boundedText('severity')).toBe('severity');
    expect(boundedText('x'.repeat(PROBLEM_LIMITS.text))).toHaveLength(PROBLEM_LIMITS.text);
  });
});

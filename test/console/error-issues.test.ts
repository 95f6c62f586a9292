import { describe, expect, it } from 'vitest';
import { ApiError } from '../../console/src/api/api-error.ts';
import { issuesOf } from '../../console/src/api/error-issues.ts';

describe('a failed request as the console shows it', () => {
  it("lists a 400's validation issues from details.issues, with their dotted paths", () => {
    const error = new ApiError(400, 'request.invalid', 'Invalid body: …', {
      issues: [
        { path: 'limits.maxSteps', message: 'Too big' },
        { path: '', message: 'Unrecognized key "x"' },
      ],
    });
    expect(issuesOf(error)).toEqual([
      { path: 'limits.maxSteps', message: 'Too big' },
      { path: '', message: 'Unrecognized key "x"' },
    ]);
    expect(issuesOf(new Error('network'))).toEqual([]);
  });
});

import { BadRequestException, ConflictException, ForbiddenException } from '@nestjs/common';
import { toProblem } from './problem.filter.js';

describe('problem details', () => {
  it('turns validation errors into one detail', () => {
    const p = toProblem(
      new BadRequestException(['property foo should not exist', 'limit must not be greater than 1000']),
    );
    expect(p).toMatchObject({
      status: 400,
      title: 'Bad Request',
      detail: 'property foo should not exist; limit must not be greater than 1000',
    });
  });
  it('passes extra members such as the active run id', () => {
    const p = toProblem(
      new ConflictException({
        title: 'A reconciliation is already active',
        detail: 'wait',
        activeRunId: 'r1',
      }),
    );
    expect(p).toMatchObject({
      status: 409,
      title: 'A reconciliation is already active',
      detail: 'wait',
      activeRunId: 'r1',
    });
  });
  it('never leaks an unexpected error message or stack', () => {
    const err = new Error('password=hunter2 at /srv/app.js:12');
    const p = toProblem(err, '/api/v1/x', 'req-1');
    expect(JSON.stringify(p)).not.toContain('hunter2');
    expect(JSON.stringify(p)).not.toContain('app.js');
    expect(p).toMatchObject({ status: 500, requestId: 'req-1' });
  });
  it('keeps a string detail', () => {
    expect(toProblem(new ForbiddenException('needs operator'))).toMatchObject({
      status: 403,
      detail: 'needs operator',
    });
  });
});

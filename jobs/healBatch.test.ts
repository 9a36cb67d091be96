import { Status } from 'google-gax';
import { healErrorKind } from './healBatch.js';

const grpcError = (code: Status, message: string) => Object.assign(new Error(`${code} ${Status[code]}: ${message}`), { code });

describe('what the error ending a heal transaction means', () => {
  it('is a skip when another transaction held the batch: ABORTED, or DEADLINE_EXCEEDED before the commit was sent', () => {
    expect(healErrorKind(grpcError(Status.ABORTED, 'Transaction lock timeout.'), true)).toBe('locked');
    expect(healErrorKind(grpcError(Status.ABORTED, 'Too much contention on these documents.'), false)).toBe('locked');
    expect(healErrorKind(grpcError(Status.DEADLINE_EXCEEDED, 'Deadline exceeded'), false)).toBe('locked');
  });

  it('stays a failed heal when the commit may have gone through or the batch itself was refused', () => {
    expect(healErrorKind(grpcError(Status.DEADLINE_EXCEEDED, 'Deadline exceeded'), true)).toBe('failed');
    expect(healErrorKind(grpcError(Status.INVALID_ARGUMENT, 'Document exceeds maximum size'), true)).toBe('failed');
    expect(healErrorKind(grpcError(Status.PERMISSION_DENIED, 'Missing or insufficient permissions.'), false)).toBe('failed');
    expect(healErrorKind(new Error('no code at all'), false)).toBe('failed');
  });

  it("tells an event id that is already taken apart from every other error", () => {
    expect(healErrorKind(grpcError(Status.ALREADY_EXISTS, 'Document already exists'), true)).toBe('taken');
  });
});

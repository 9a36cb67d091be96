import { explainCheckFailure } from './selfCheck.js';

/** Firestore's answer to a query whose composite index is missing or building: gRPC FAILED_PRECONDITION. */
function preconditionError(message: string): Error {
  return Object.assign(new Error(message), { code: 9 });
}

describe('why a self-check failed', () => {
  it("names a missing index with Firestore's link to create it", () => {
    const link = 'https://console.firebase.google.com/v1/r/project/p/firestore/indexes?create_composite=Cl1wcm9qZWN0cy9w';
    expect(explainCheckFailure(preconditionError(`9 FAILED_PRECONDITION: The query requires an index. You can create it here: ${link}`))).toBe(`index missing; create it: ${link}`);
  });

  it('names an index that is still building as building', () => {
    const text = '9 FAILED_PRECONDITION: The query requires an index. That index is currently building and cannot be used yet. See its status here: https://console.firebase.google.com/x';
    expect(explainCheckFailure(preconditionError(text))).toBe('index still building; see https://console.firebase.google.com/x');
  });

  it('gives any other failure as its first line', () => {
    expect(explainCheckFailure(new Error('14 UNAVAILABLE: No connection established\nmore detail'))).toBe('14 UNAVAILABLE: No connection established');
  });
});

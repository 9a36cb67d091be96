import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// deploy/firestore.indexes.json is read by deploy.sh and by `firebase deploy --only firestore:indexes`,
// so it keeps to the Firebase CLI's format: only the keys that format has, and only the values it knows.

const file = JSON.parse(readFileSync(fileURLToPath(new URL('./firestore.indexes.json', import.meta.url)), 'utf8'));

test('deploy/firestore.indexes.json is in the Firebase CLI format: indexes of collection-scope fields with an order, and no field override', () => {
  expect(Object.keys(file).sort()).toEqual(['fieldOverrides', 'indexes']);
  expect(file.fieldOverrides).toEqual([]);
  expect(file.indexes.length).toBeGreaterThan(0);
  for (const index of file.indexes) {
    expect(Object.keys(index).sort()).toEqual(['collectionGroup', 'fields', 'queryScope']);
    expect(index.collectionGroup).toMatch(/^(prediction_batches|healing_events(_[a-z0-9_]+)?)$/);
    expect(index.queryScope).toBe('COLLECTION');
    expect(index.fields.length).toBeGreaterThanOrEqual(2);
    for (const field of index.fields) {
      expect(Object.keys(field).sort()).toEqual(['fieldPath', 'order']);
      expect(field.fieldPath).toMatch(/^[A-Za-z_][A-Za-z0-9_.]*$/);
      expect(['ASCENDING', 'DESCENDING']).toContain(field.order);
    }
  }
});

test('no index is listed twice', () => {
  const keys = file.indexes.map((index: unknown) => JSON.stringify(index));
  expect(new Set(keys).size).toBe(keys.length);
});

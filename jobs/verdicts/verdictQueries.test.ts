import { readFileSync } from 'node:fs';
import { Firestore, type Query } from '@google-cloud/firestore';
import { dueHealsQuery, earlierHealsQuery } from './verdictQueries.js';

// The emulator does not enforce composite indexes, so whether the deploy creates the index each
// verdict query needs is checked here, from the query Firestore would be sent.

interface IndexField {
  fieldPath: string;
  order: 'ASCENDING' | 'DESCENDING';
}
const indexFile = JSON.parse(readFileSync(new URL('../../deploy/firestore.indexes.json', import.meta.url), 'utf8')) as {
  indexes: Array<{ collectionGroup: string; fields: IndexField[] }>;
};

interface FieldFilter {
  field: { fieldPath: string };
  op: string;
}
interface StructuredQuery {
  from: Array<{ collectionId: string }>;
  where?: { fieldFilter?: FieldFilter; compositeFilter?: { filters: Array<{ fieldFilter?: FieldFilter }> } };
  orderBy?: Array<{ field: { fieldPath: string }; direction: 'ASCENDING' | 'DESCENDING' }>;
}

/** The composite index a query needs: its equality fields (any order), then its order, as Firestore plans it. */
function neededIndex(query: Query): { collection: string; equalities: string[]; order: IndexField[] } {
  const structured = (query as unknown as { toProto(): { structuredQuery: StructuredQuery } }).toProto().structuredQuery;
  const filters = structured.where?.compositeFilter?.filters.map((filter) => filter.fieldFilter!) ?? (structured.where?.fieldFilter ? [structured.where.fieldFilter] : []);
  const equalities = filters.filter((filter) => filter.op === 'EQUAL').map((filter) => filter.field.fieldPath);
  const ranges = filters.filter((filter) => filter.op !== 'EQUAL').map((filter) => filter.field.fieldPath);
  const order = (structured.orderBy ?? []).map(({ field, direction }): IndexField => ({ fieldPath: field.fieldPath, order: direction }));
  if (order.length === 0 && ranges.length > 0) order.push({ fieldPath: ranges[0]!, order: 'ASCENDING' });
  return { collection: structured.from[0]!.collectionId, equalities, order };
}

function hasIndex(query: Query): boolean {
  const needed = neededIndex(query);
  return indexFile.indexes.some(({ collectionGroup, fields }) => {
    if (collectionGroup !== needed.collection || fields.length !== needed.equalities.length + needed.order.length) return false;
    const prefix = fields.slice(0, needed.equalities.length).map((field) => field.fieldPath).sort();
    const rest = fields.slice(needed.equalities.length);
    return JSON.stringify(prefix) === JSON.stringify([...needed.equalities].sort()) && JSON.stringify(rest) === JSON.stringify(needed.order);
  });
}

const events = new Firestore({ projectId: 'index-check' }).collection('healing_events');
const from = new Date('2026-11-22T12:00:00Z');
const to = new Date('2026-11-23T12:00:00Z');

test('the query for heals awaiting a verdict has its composite index in deploy/firestore.indexes.json', () => {
  expect(neededIndex(dueHealsQuery(events, from, to))).toEqual({
    collection: 'healing_events',
    equalities: ['verdict_due'],
    order: [{ fieldPath: 'timestamp', order: 'ASCENDING' }],
  });
  expect(hasIndex(dueHealsQuery(events, from, to))).toBe(true);
});

test('the query for heals recorded before verdicts existed has its composite index in deploy/firestore.indexes.json', () => {
  expect(hasIndex(earlierHealsQuery(events, from, to))).toBe(true);
});

test('the index check tells a query without its index', () => {
  expect(hasIndex(events.where('verdict_due', '==', true).where('timestamp', '>=', from).orderBy('timestamp', 'desc'))).toBe(false);
  expect(hasIndex(events.where('success', '==', true).where('timestamp', '>=', from))).toBe(false);
});

import { Firestore } from '@google-cloud/firestore';
import type { CancellableRequests } from './cancellableRequests.js';

/** Where a Firestore client connects. */
export interface FirestoreTarget {
  /** Project of the database. Default the project of the credentials, as the library finds it. */
  projectId?: string | undefined;
  /** `host:port` of the Firestore emulator; unset for Google. */
  firestoreEmulatorHost?: string | undefined;
}

/** How a Firestore client behaves beyond where it connects. */
export interface FirestoreClientOptions {
  /** Lets the client's owner cancel every request it has sent (see CancellableRequests). Default none: requests run their course. */
  requests?: CancellableRequests | undefined;
}

/**
 * Firestore for the project, or the emulator at `firestoreEmulatorHost` when that is set, given to
 * the client as its host so the process environment need not say it (the library itself would let a
 * FIRESTORE_EMULATOR_HOST in process.env win). The emulator needs no credentials, so the universe
 * domain is given rather than looked up, which would probe the metadata server and print a
 * MetadataLookupWarning outside Google Cloud.
 */
export function createFirestore({ projectId, firestoreEmulatorHost }: FirestoreTarget, { requests }: FirestoreClientOptions = {}): Firestore {
  return new Firestore({
    ignoreUndefinedProperties: true,
    ...(projectId === undefined ? {} : { projectId }),
    ...(firestoreEmulatorHost === undefined ? {} : { host: firestoreEmulatorHost, ssl: false, clientOptions: { universeDomain: 'googleapis.com' } }),
    ...requests?.firestoreSettings,
  });
}

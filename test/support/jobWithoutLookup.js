// The built job with the outbox's lookup switched off: a row that may have been sent is sent again
// without asking BigQuery first. Only for the test that shows the kill trial can fail without it.
import { StreamExport } from '../../dist/shared/outbox/StreamExport.js';

StreamExport.prototype.findInTable = async () => new Set();
await import('../../dist/jobs/main.js');

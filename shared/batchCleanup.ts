/** The healing type of the job's own heal: a stalled batch completed. */
export const BATCH_CLEANUP = 'batch_cleanup';

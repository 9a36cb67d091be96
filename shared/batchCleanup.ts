export const BATCH_CLEANUP = 'batch_cleanup';

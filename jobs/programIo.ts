/** What the job's program reads and writes besides its arguments and environment. */
export interface ProgramIo {
  /** Standard output: the run's JSON log lines, the lines of `--check`, help and version. */
  stdout: (text: string) => void;
  /** Standard error: one line saying why the program did not succeed. */
  stderr: (text: string) => void;
  /**
   * Fires on SIGTERM or SIGINT: the run starts no new heal and ends with its summary within the
   * stop timeline (jobs/stopping.ts), counted from the signal when the reason is a StopRequest.
   */
  stop: AbortSignal;
  /** Current time. Default the system clock. */
  now?: () => Date;
}

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BigQuery } from '@google-cloud/bigquery';
import { stringify } from 'csv-stringify';
import { HEALING_EVENT_COLUMNS } from '../shared/healingEvent.js';
import type { QueryStatement } from './analysis/analysisQuery.js';
import { csvRecordReader, type RawRow, type ResultField } from './analysis/exportQuery.js';
import { replaceFile } from './exportTarget.js';

/** Rows fetched per page; memory holds about one page whatever the number of rows. */
export const EXPORT_PAGE_ROWS = 5000;

export interface ExportOptions {
  /** Rows per page requested from BigQuery. Default EXPORT_PAGE_ROWS. */
  pageRows?: number;
  /** Called after each page with the rows written so far and the total. Default: nothing. */
  onProgress?: (written: number, total: number) => void;
}

/** Raised when a page cannot be fetched, to tell BigQuery's errors from the file's. */
export class ExportQueryError extends Error {
  override name = 'ExportQueryError';
}

export interface ExportResult {
  rows: number;
  /** The BigQuery job that produced the rows, for looking it up later. */
  jobId: string;
}

/**
 * Runs the export statement as one query job and streams its result to `path` as CSV, page by page:
 * the next page is fetched only once the file has taken the previous one. The file at `path` is
 * replaced only when every row is written; a failed export leaves it as it was. A cell a spreadsheet would
 * run as a formula (starting with =, +, -, @, tab or carriage return) gets a leading `'`, so it stays text.
 */
export async function exportCsv(bigquery: BigQuery, statement: QueryStatement, path: string, options: ExportOptions = {}): Promise<ExportResult> {
  const pageRows = options.pageRows ?? EXPORT_PAGE_ROWS;
  const [job] = await bigquery
    .createQueryJob({ query: statement.query, params: statement.params, types: statement.types })
    .catch((error: unknown) => Promise.reject(new ExportQueryError(String((error as Error)?.message ?? error), { cause: error })));
  let written = 0;
  async function* records(): AsyncGenerator<string[]> {
    let pageToken: string | undefined;
    for (;;) {
      const [rows, next, response] = await job
        .getQueryResults({ maxResults: pageRows, pageToken, autoPaginate: false, skipParsing: true })
        .catch((error: unknown) => Promise.reject(new ExportQueryError(String((error as Error)?.message ?? error), { cause: error })));
      // A long query answers "not complete yet" with no rows; ask again for the same page.
      if (response?.jobComplete === false) continue;
      if (rows.length > 0) {
        const toRecord = csvRecordReader((response?.schema?.fields ?? []) as ResultField[]);
        for (let index = 0; index < rows.length; index++) {
          const record = toRecord(rows[index] as RawRow);
          rows[index] = undefined; // let each row go as soon as it is written, not when the next page arrives
          yield record;
        }
      }
      written += rows.length;
      options.onProgress?.(written, Number(response?.totalRows ?? written));
      pageToken = next?.pageToken ?? undefined;
      if (pageToken === undefined) return;
    }
  }
  await replaceFile(path, (file) => pipeline(Readable.from(records()), stringify({ header: true, columns: [...HEALING_EVENT_COLUMNS], escape_formulas: true }), file));
  return { rows: written, jobId: job.id! };
}

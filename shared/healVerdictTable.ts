import type { BigQuery, TableField } from '@google-cloud/bigquery';
import schema from '../schemas/heal_verdicts.json' with { type: 'json' };
import tableOptions from '../schemas/heal_verdicts.table.json' with { type: 'json' };
import { BigQueryTable } from './bigQueryTable.js';

/** The BigQuery table of heal verdicts (`HEALING_VERDICT_TABLE`), made from schemas/heal_verdicts.json and its options file. */
export class HealVerdictTable extends BigQueryTable {
  constructor(bigquery: BigQuery, dataset: string, tableName: string) {
    super(bigquery, dataset, tableName, { schema: schema as TableField[], options: tableOptions });
  }
}

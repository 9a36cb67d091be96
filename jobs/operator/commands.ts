import type { OperatorCommand } from './operatorCommand.js';

/** The operator commands of the job's program, in the order its help lists them. */
export const OPERATOR_COMMANDS: readonly OperatorCommand[] = [];

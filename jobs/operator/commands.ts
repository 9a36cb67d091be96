import { excludeCommand } from './exclude.js';
import { includeCommand } from './include.js';
import type { OperatorCommand } from './operatorCommand.js';
import { pauseCommand } from './pause.js';
import { resumeCommand } from './resume.js';
import { statusCommand } from './status.js';
import { undoCommand } from './undo.js';

/** The operator commands of the job's program, in the order its help lists them. */
export const OPERATOR_COMMANDS: readonly OperatorCommand[] = [undoCommand, pauseCommand, resumeCommand, excludeCommand, includeCommand, statusCommand];

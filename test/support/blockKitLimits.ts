/**
 * Slack's Block Kit limits, checked the way Slack checks them before it answers `invalid_blocks`:
 * written apart from `shared/alerts/blockKit.ts` so a mistake there cannot hide here. Lengths are
 * UTF-16 code units, never fewer than the characters Slack counts.
 */
const LIMITS = {
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  blocks: 50,
  contextElements: 10,
  elementText: 3000,
};

interface TextObject {
  type?: unknown;
  text?: unknown;
}

/** Every way the message breaks Block Kit's limits, one readable line each; empty when Slack would take it. */
export function blockKitViolations(message: unknown): string[] {
  const violations: string[] = [];
  if (typeof message !== 'object' || message === null) return ['the message is not a JSON object'];
  const { text, blocks } = message as { text?: unknown; blocks?: unknown };
  if (text !== undefined && !nonEmptyString(text)) violations.push('top-level text is empty or not a string');
  if (blocks === undefined) {
    if (text === undefined) violations.push('the message has neither text nor blocks');
    return violations;
  }
  if (!Array.isArray(blocks)) return [...violations, 'blocks is not an array'];
  if (blocks.length === 0) violations.push('blocks is empty');
  if (blocks.length > LIMITS.blocks) violations.push(`${blocks.length} blocks, more than ${LIMITS.blocks}`);
  blocks.forEach((block: unknown, index) => violations.push(...blockViolations(block, `block ${index}`)));
  return violations;
}

function blockViolations(block: unknown, where: string): string[] {
  if (typeof block !== 'object' || block === null) return [`${where} is not an object`];
  const { type } = block as { type?: unknown };
  switch (type) {
    case 'header':
      return textViolations((block as { text?: TextObject }).text, `${where} (header) text`, LIMITS.headerText, ['plain_text']);
    case 'section':
      return sectionViolations(block as { text?: TextObject; fields?: unknown }, `${where} (section)`);
    case 'context':
      return contextViolations((block as { elements?: unknown }).elements, `${where} (context)`);
    case 'divider':
      return [];
    default:
      return [`${where} has type ${JSON.stringify(type)}, which these messages never use`];
  }
}

function sectionViolations({ text, fields }: { text?: TextObject; fields?: unknown }, where: string): string[] {
  const violations: string[] = [];
  if (text === undefined && fields === undefined) violations.push(`${where} has neither text nor fields`);
  if (text !== undefined) violations.push(...textViolations(text, `${where} text`, LIMITS.sectionText));
  if (fields !== undefined) {
    if (!Array.isArray(fields) || fields.length === 0) return [...violations, `${where} fields is not a non-empty array`];
    if (fields.length > LIMITS.fields) violations.push(`${where} has ${fields.length} fields, more than ${LIMITS.fields}`);
    fields.forEach((field: TextObject, index) => violations.push(...textViolations(field, `${where} field ${index}`, LIMITS.fieldText)));
  }
  return violations;
}

function contextViolations(elements: unknown, where: string): string[] {
  if (!Array.isArray(elements) || elements.length === 0) return [`${where} elements is not a non-empty array`];
  const violations: string[] = [];
  if (elements.length > LIMITS.contextElements) violations.push(`${where} has ${elements.length} elements, more than ${LIMITS.contextElements}`);
  elements.forEach((element: TextObject, index) => violations.push(...textViolations(element, `${where} element ${index}`, LIMITS.elementText)));
  return violations;
}

function textViolations(object: TextObject | undefined, where: string, max: number, types = ['plain_text', 'mrkdwn']): string[] {
  if (typeof object !== 'object' || object === null) return [`${where} is missing`];
  const violations: string[] = [];
  if (!types.includes(object.type as string)) violations.push(`${where} has type ${JSON.stringify(object.type)}, not ${types.join(' or ')}`);
  if (!nonEmptyString(object.text)) violations.push(`${where} is empty`);
  else if (object.text.length > max) violations.push(`${where} is ${object.text.length} characters, more than ${max}`);
  return violations;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

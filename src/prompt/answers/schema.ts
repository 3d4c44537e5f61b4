import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../core/errors';
import { requireVendor } from '../../core/vendor';

/** The schema ships beside the bundle (../schema from dist/ or from src/prompt/answers/). */
function loadSchema(): object {
  for (const rel of ['../schema/answers.schema.json', '../../../schema/answers.schema.json']) {
    try {
      return JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8')) as object;
    } catch {
      // try the next layout
    }
  }
  throw new Error('schema/answers.schema.json is missing from the installation');
}

interface AjvError { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> }

function describe(e: AjvError): string {
  const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(top level)';
  if (e.keyword === 'additionalProperties') return `unknown key "${where === '(top level)' ? '' : `${where}.`}${String(e.params.additionalProperty)}"`;
  if (e.keyword === 'enum') return `"${where}" must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if (e.keyword === 'type') return `"${where}" must be of type ${String(e.params.type)}`;
  if (e.keyword === 'required') return `"${where}" needs "${String(e.params.missingProperty)}"`;
  return `"${where}" ${e.message ?? 'is not valid'}`;
}

/**
 * Validates a setup answers file against schema/answers.schema.json and names every problem at once:
 * unknown keys (typos) and wrong types are caught before anything is touched.
 */
export function validateSetupAnswers(answers: unknown, source: string): void {
  // ajv is loaded only here: a person at a terminal never pays for it.
  const Ajv = requireVendor<{ default: unknown }>('ajv').default as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: AjvError[] | null } };
  const validate = new Ajv({ allErrors: true, strict: false }).compile(loadSchema());
  if (validate(answers)) return;
  // oneOf failures repeat each branch's errors; the branch-level ones are enough and clearer.
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'oneOf');
  const messages = [...new Set(errors.map(describe))];
  throw new UsageError(
    `The answers file ${source} does not match the schema:\n  - ${messages.join('\n  - ')}`,
    'Fix those keys; the accepted keys and types are in schema/answers.schema.json.',
  );
}

// The deploy scripts' reader of JSON files and of gcloud's and bq's --format=json answers, so no
// shell step ever matches JSON text. Usage (FILE may be - for standard input):
//   node deploy/lib/json.mjs get FILE PATH       one line per value at PATH: `a.b` walks objects, `[]`
//                                                  walks every item of an array, arrays of plain values
//                                                  print joined with commas; nothing when PATH is absent
//   node deploy/lib/json.mjs has FILE PATH       exit 0 when PATH is present, 1 when not
//   node deploy/lib/json.mjs rows FILE PATH FIELD...
//                                                one line per item at PATH: the values at each FIELD
//                                                (a path inside the item) separated by |, several
//                                                values of one FIELD joined with commas
//   node deploy/lib/json.mjs binds FILE ROLE MEMBER
//                                                exit 0 when the IAM policy in FILE grants ROLE to
//                                                MEMBER, 1 when not
//   node deploy/lib/json.mjs with FILE KEY VALUE the object in FILE with KEY set to VALUE, on stdout
//   node deploy/lib/json.mjs time-zone ZONE      exit 0 when ZONE is an IANA time zone, 1 when not
// Exit 2 with one line on stderr when the input is not JSON or the usage is wrong.
import { readFileSync } from 'node:fs';

function fail(message) {
  process.stderr.write(`json.mjs: ${message}\n`);
  process.exit(2);
}

function read(file) {
  const text = readFileSync(file === '-' ? 0 : file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    return fail(`${file === '-' ? 'the input' : file} is not JSON: ${error.message}`);
  }
}

/** Every value at `path`, walking `[]` into each item of an array. */
function lookup(values, path) {
  const steps = path.split(/\.|(?=\[\])/).filter(Boolean);
  for (const step of steps) {
    values = values.flatMap((value) => {
      if (step === '[]') return Array.isArray(value) ? value : [];
      return value !== null && typeof value === 'object' && step in value ? [value[step]] : [];
    });
  }
  return values;
}

const show = (value) =>
  Array.isArray(value) && value.every((item) => item === null || typeof item !== 'object')
    ? value.join(',')
    : typeof value === 'object' && value !== null
      ? JSON.stringify(value)
      : String(value);

const [command, ...args] = process.argv.slice(2);
switch (command) {
  case 'get': {
    const [file, path = ''] = args;
    if (!file) fail('get needs FILE and PATH');
    for (const value of lookup([read(file)], path)) process.stdout.write(`${show(value)}\n`);
    break;
  }
  case 'has': {
    const [file, path = ''] = args;
    if (!file) fail('has needs FILE and PATH');
    process.exit(lookup([read(file)], path).length > 0 ? 0 : 1);
    break;
  }
  case 'rows': {
    const [file, path, ...fields] = args;
    if (!file || !path || fields.length === 0) fail('rows needs FILE, PATH and at least one FIELD');
    for (const item of lookup([read(file)], path)) {
      const row = fields.map((field) => lookup([item], field).map(show).join(','));
      process.stdout.write(`${row.join('|')}\n`);
    }
    break;
  }
  case 'binds': {
    const [file, role, member] = args;
    if (!file || !role || !member) fail('binds needs FILE, ROLE and MEMBER');
    const bindings = lookup([read(file)], 'bindings[]');
    process.exit(bindings.some((binding) => binding?.role === role && lookup([binding], 'members[]').includes(member)) ? 0 : 1);
    break;
  }
  case 'with': {
    const [file, key, value] = args;
    if (!file || !key || value === undefined) fail('with needs FILE, KEY and VALUE');
    process.stdout.write(`${JSON.stringify({ ...read(file), [key]: value }, null, 2)}\n`);
    break;
  }
  case 'time-zone': {
    try {
      new Intl.DateTimeFormat('en', { timeZone: args[0] ?? '' });
      process.exit(args[0] ? 0 : 1);
    } catch {
      process.exit(1);
    }
    break;
  }
  default:
    fail(`unknown command "${command ?? ''}"; use get, has, rows, binds, with or time-zone`);
}

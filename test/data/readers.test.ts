import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readArff, readCsv, readJsonl } from '../../src/data/index.js';
import { tempDir } from './tmp.js';

const tmp = tempDir();

test('readCsv: header, RFC 4180 quoting, pair column, labels collected in sorted order', () => {
  const path = tmp.write(
    'pairs.csv',
    'id,premise,hypothesis,label\r\n' +
      '1,"A man, a plan",A canal,neutral\r\n' +
      '2,"He said ""hi""","Multi\nline",entailment\r\n' +
      '\r\n' +
      '3,x,y,neutral\r\n',
  );
  const r = readCsv(path, { text: 'premise', textPair: 'hypothesis', label: 'label' });
  // Sorted: entailment (0) < neutral (1).
  assert.deepEqual(r.labels, ['entailment', 'neutral']);
  assert.deepEqual(r.examples, [
    { text: 'A man, a plan', textPair: 'A canal', label: 1 },
    { text: 'He said "hi"', textPair: 'Multi\nline', label: 0 },
    { text: 'x', textPair: 'y', label: 1 },
  ]);
});

test('readCsv: mixed line endings (a CRLF header over an LF body, lone CR) read as Python csv does', () => {
  const path = tmp.write(
    'mixed.csv',
    'text,label\r\n' +
      'one,a\n' +
      '"two\r\nlines",b\n' +
      '\n' +
      'three,a\r\n' +
      'four,b\r' +
      'five,a',
  );
  const r = readCsv(path, { text: 'text', label: 'label' });
  assert.deepEqual(r.examples, [
    { text: 'one', label: 0 },
    { text: 'two\r\nlines', label: 1 },
    { text: 'three', label: 0 },
    { text: 'four', label: 1 },
    { text: 'five', label: 0 },
  ]);
  // Line numbers still point at the right line when the body's endings differ from the header's.
  const ragged = tmp.write('mixed-ragged.csv', 'text,label\r\nok,a\nthree,fields,here\n');
  assert.throws(() => readCsv(ragged, { text: 'text', label: 'label' }), {
    message: `${ragged}:3: 3 fields where the header has 2 ("text", "label")`,
  });
});

test('readCsv: explicit labels keep their order; numeric labels sort as numbers', () => {
  const path = tmp.write('num.csv', 'text,stars\na,10\nb,2\nc,1\n');
  assert.deepEqual(readCsv(path, { text: 'text', label: 'stars' }).labels, ['1', '2', '10']);
  const r = readCsv(path, { text: 'text', label: 'stars', labels: ['10', '2', '1'] });
  assert.deepEqual(
    r.examples.map((e) => e.label),
    [0, 1, 2],
  );
});

test('readCsv errors: missing column, unknown label, empty file, bad UTF-8, missing label, ragged row', () => {
  const path = tmp.write('small.csv', 'sentence,label\nfine,pos\nbad,neg\n');
  assert.throws(
    () => readCsv(path, { text: 'text', label: 'label' }),
    new RegExp(`^Error: ${path}: no text column 'text' \\(columns found: "sentence", "label"\\)$`),
  );
  assert.throws(
    () => readCsv(path, { text: 'sentence', label: 'label', labels: ['pos'] }),
    new RegExp(`^Error: ${path}:3: unknown label "neg" \\(expected one of "pos"\\)$`),
  );
  const empty = tmp.write('empty.csv', '');
  assert.throws(() => readCsv(empty, { text: 't', label: 'l' }), {
    message: `${empty}: the file is empty`,
  });
  const latin1 = tmp.write(
    'latin1.csv',
    Buffer.concat([
      Buffer.from('text,label\nok,a\n'),
      Buffer.from([0x63, 0x61, 0x66, 0xe9]),
      Buffer.from(',b\n'),
    ]),
  );
  assert.throws(() => readCsv(latin1, { text: 'text', label: 'label' }), {
    message: `${latin1}:3: the line is not valid UTF-8`,
  });
  const noLabel = tmp.write('nolabel.csv', 'text,label\nok,a\nnothing,\n');
  assert.throws(() => readCsv(noLabel, { text: 'text', label: 'label' }), {
    message: `${noLabel}:3: missing label (field 'label')`,
  });
  const ragged = tmp.write('ragged.csv', 'text,label\nok,a\nthree,fields,here\n');
  assert.throws(() => readCsv(ragged, { text: 'text', label: 'label' }), {
    message: `${ragged}:3: 3 fields where the header has 2 ("text", "label")`,
  });
  const headerOnly = tmp.write('header.csv', 'text,label\n');
  assert.throws(() => readCsv(headerOnly, { text: 'text', label: 'label' }), {
    message: `${headerOnly}: a header and no data rows`,
  });
  const unclosed = tmp.write('quote.csv', 'text,label\n"open,a\n');
  assert.throws(
    () => readCsv(unclosed, { text: 'text', label: 'label' }),
    (e: Error) => e.message.startsWith(`${unclosed}: `) && !e.message.includes('\n'),
  );
  assert.throws(() => readCsv(`${tmp.dir}/absent.csv`, { text: 't', label: 'l' }), {
    message: `${tmp.dir}/absent.csv: cannot read (no such file)`,
  });
});

test('readJsonl: string, number and boolean labels; blank lines skipped; line numbers count them', () => {
  const path = tmp.write(
    'data.jsonl',
    '{"q":"Is it?","a":"Yes.","y":true}\n\n{"q":"Why\\u00e9","a":"","y":false,"extra":1}\n',
  );
  const r = readJsonl(path, { text: 'q', textPair: 'a', label: 'y' });
  assert.deepEqual(r.labels, ['false', 'true']);
  assert.deepEqual(r.examples, [
    { text: 'Is it?', textPair: 'Yes.', label: 1 },
    { text: 'Whyé', textPair: '', label: 0 },
  ]);
  const numbers = tmp.write('n.jsonl', '{"t":"a","l":3}\n{"t":"b","l":1}\n');
  const n = readJsonl(numbers, { text: 't', label: 'l' });
  assert.deepEqual(n.labels, ['1', '3']);
  assert.deepEqual(
    n.examples.map((e) => e.label),
    [1, 0],
  );
});

test('readJsonl errors: bad JSON, not an object, missing field, wrong type, unknown and missing label', () => {
  const bad = tmp.write('bad.jsonl', '{"t":"a","l":"x"}\n\n{"t": "b", "l": }\n');
  assert.throws(
    () => readJsonl(bad, { text: 't', label: 'l' }),
    (e: Error) => e.message.startsWith(`${bad}:3: bad JSON (`),
  );
  const array = tmp.write('array.jsonl', '["t","l"]\n');
  assert.throws(() => readJsonl(array, { text: 't', label: 'l' }), {
    message: `${array}:1: expected a JSON object, got an array`,
  });
  const missing = tmp.write('missing.jsonl', '{"t":"a","l":"x"}\n{"text":"b","l":"x"}\n');
  assert.throws(() => readJsonl(missing, { text: 't', label: 'l' }), {
    message: `${missing}:2: no text field 't' (fields found: "text", "l")`,
  });
  const typed = tmp.write('typed.jsonl', '{"t":5,"l":"x"}\n');
  assert.throws(() => readJsonl(typed, { text: 't', label: 'l' }), {
    message: `${typed}:1: field 't' must be a string, got number 5`,
  });
  const unknown = tmp.write('unknown.jsonl', '{"t":"a","l":"x"}\n{"t":"b","l":"z"}\n');
  assert.throws(() => readJsonl(unknown, { text: 't', label: 'l', labels: ['x', 'y'] }), {
    message: `${unknown}:2: unknown label "z" (expected one of "x", "y")`,
  });
  const nolabel = tmp.write('nolabel.jsonl', '{"t":"a","l":null}\n');
  assert.throws(() => readJsonl(nolabel, { text: 't', label: 'l' }), {
    message: `${nolabel}:1: missing label (field 'l')`,
  });
  const blank = tmp.write('blank.jsonl', '\n  \n');
  assert.throws(() => readJsonl(blank, { text: 't', label: 'l' }), {
    message: `${blank}: the file is empty`,
  });
  const bom = tmp.write('bom.jsonl', '\ufeff{"t":"a","l":"x"}\n');
  assert.equal(readJsonl(bom, { text: 't', label: 'l' }).examples[0]!.text, 'a');
});

const ARFF = `% Reuters-style text classification
@relation 'grain-test'

@attribute Text string
@attribute 'class-att' {no, 'yes'}
@attribute weight numeric

@data
'WHEAT EXPORTS\\nrose 3% on \\'good\\' weather',yes,1.5
"plain, with comma",no,?
% a comment inside the data
'', 'no' , 2
`;

test('readArff: quoted values with Weka escapes, nominal labels in declared order, comments', () => {
  const path = tmp.write('grain.arff', ARFF);
  const r = readArff(path, { text: 'Text', label: 'class-att' });
  assert.deepEqual(r.labels, ['no', 'yes']);
  assert.deepEqual(r.examples, [
    { text: "WHEAT EXPORTS\nrose 3% on 'good' weather", label: 1 },
    { text: 'plain, with comma', label: 0 },
    { text: '', label: 0 },
  ]);
  // A string label attribute: labels collected and sorted.
  const s = tmp.write(
    's.arff',
    '@relation r\n@attribute t string\n@attribute c string\n@data\nx,b\ny,a\n',
  );
  assert.deepEqual(readArff(s, { text: 't', label: 'c' }), {
    examples: [
      { text: 'x', label: 1 },
      { text: 'y', label: 0 },
    ],
    labels: ['a', 'b'],
  });
});

test('readArff errors: missing attribute, label outside the nominal set, missing label, sparse rows', () => {
  const path = tmp.write('grain2.arff', ARFF);
  assert.throws(() => readArff(path, { text: 'body', label: 'class-att' }), {
    message: `${path}: no text attribute 'body' (attributes found: "Text", "class-att", "weight")`,
  });
  const unknown = tmp.write('u.arff', ARFF.replace(',no,?', ',maybe,?'));
  assert.throws(() => readArff(unknown, { text: 'Text', label: 'class-att' }), {
    message: `${unknown}:10: unknown label "maybe" (expected one of "no", "yes")`,
  });
  const missing = tmp.write('m.arff', ARFF.replace(',no,?', ',?,?'));
  assert.throws(() => readArff(missing, { text: 'Text', label: 'class-att' }), {
    message: `${missing}:10: missing label (attribute 'class-att')`,
  });
  const sparse = tmp.write(
    'sp.arff',
    '@relation r\n@attribute t string\n@attribute c {a}\n@data\n{0 x, 1 a}\n',
  );
  assert.throws(() => readArff(sparse, { text: 't', label: 'c' }), {
    message: `${sparse}:5: sparse ARFF rows are not supported`,
  });
  const nodata = tmp.write('nd.arff', '@relation r\n@attribute t string\n');
  assert.throws(() => readArff(nodata, { text: 't', label: 'c' }), {
    message: `${nodata}: no @data section`,
  });
  const short = tmp.write(
    'sh.arff',
    '@relation r\n@attribute t string\n@attribute c {a}\n@data\nx\n',
  );
  assert.throws(() => readArff(short, { text: 't', label: 'c' }), {
    message: `${short}:5: 1 values where 2 attributes are declared`,
  });
  const unterminated = tmp.write(
    'ut.arff',
    "@relation r\n@attribute t string\n@attribute c {a}\n@data\n'x,a\n",
  );
  assert.throws(() => readArff(unterminated, { text: 't', label: 'c' }), {
    message: `${unterminated}:5: unterminated quoted value`,
  });
});

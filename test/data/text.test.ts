import assert from 'node:assert/strict';
import { test } from 'node:test';
import { untagSentence } from '../../src/data/builtin/genre.js';
import { chunkSentences, splitSentences, wordCount } from '../../src/data/chunks.js';
import { emailBody } from '../../src/data/email.js';
import { htmlToText } from '../../src/data/html.js';
import {
  jaccard,
  normalisedWords,
  removeNearDuplicates,
  shingleSet,
  wordHashes,
} from '../../src/data/near-duplicates.js';

const mail = (s: string) => emailBody(Buffer.from(s.replace(/\n/g, '\r\n'), 'latin1'));

test('emailBody: headers dropped, folded headers unfolded, whitespace collapsed', () => {
  const body = mail('From: a@b\nSubject: hi\n  there\nX-Other: y\n\nHello,\n\n  world.\n');
  assert.equal(body, 'Hello, world.');
});

test('emailBody: multipart/alternative prefers text/plain; quoted-printable and base64 with charsets', () => {
  const m = [
    'Content-Type: multipart/alternative; boundary="XX"',
    '',
    'preamble',
    '--XX',
    'Content-Type: text/html',
    '',
    '<p>html version</p>',
    '--XX',
    'Content-Type: text/plain; charset=iso-8859-1',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Caf=E9 cr=\n=E8me',
    '--XX--',
    'epilogue',
  ].join('\n');
  assert.equal(mail(m), 'Café crème');
  const b64 = Buffer.from('naïve €5', 'utf8').toString('base64');
  const mixed = [
    'Content-Type: multipart/mixed; boundary=B',
    '',
    '--B',
    'Content-Type: text/plain; charset="utf-8"',
    'Content-Transfer-Encoding: base64',
    '',
    b64,
    '--B',
    'Content-Type: application/octet-stream',
    'Content-Transfer-Encoding: base64',
    '',
    'AAECAw==',
    '--B',
    'Content-Type: text/plain',
    'Content-Disposition: attachment; filename=x.txt',
    '',
    'attached file',
    '--B--',
  ].join('\n');
  assert.equal(mail(mixed), 'naïve €5');
});

test('emailBody: HTML-only mail stripped, entities decoded; undeclared windows-1252 and unknown charsets survive', () => {
  const html = mail(
    'Content-Type: text/html\n\n<html><head><style>p{}</style></head><body><p>Buy&nbsp;now &amp; <b>save</b>&#33;</p><!-- x --><script>evil()</script></body></html>',
  );
  assert.equal(html, 'Buy now & save!');
  // 0x93/0x94 are curly quotes in windows-1252; the bytes are not UTF-8.
  assert.equal(mail('Subject: x\n\n\x93quoted\x94'), '“quoted”');
  assert.equal(mail('Content-Type: text/plain; charset=x-unknown-charset\n\nplain'), 'plain');
  assert.equal(mail(''), '');
  assert.equal(mail('no headers at all'), 'no headers at all');
});

test('htmlToText: block tags break words apart, inline tags do not glue words', () => {
  assert.equal(htmlToText('a<br>b<td>c</td>').replace(/\s+/g, ' '), 'a b c ');
  assert.equal(htmlToText('<b>bold</b>er <img src=x>image'), 'bolder  image');
  assert.equal(htmlToText('&lt;tag&gt; &#x41;&#66; &bogus;'), '<tag> AB &bogus;');
});

test('splitSentences: ends at . ! ? before a capital; not after Mr., initials or U.S.', () => {
  assert.deepEqual(
    splitSentences(
      'I met Mr. Smith and John Q. Adams. They spoke! Did the U.S. Senate agree? "Yes." it said. 1812 came.',
    ),
    [
      'I met Mr. Smith and John Q. Adams.',
      'They spoke!',
      'Did the U.S. Senate agree?',
      '"Yes." it said.',
      '1812 came.',
    ],
  );
});

test('chunkSentences: consecutive sentences within [min, max] words, long sentences cut evenly', () => {
  const sentence = (n: number, tag: string) =>
    Array.from({ length: n }, (_, i) => `${tag}${i}`).join(' ');
  const limits = { min: 6, target: 9, max: 12 };
  // 4 + 4 = 8 < 9, + 4 = 12 ≥ 9 → one chunk of 12; then 5 + 5 = 10 → chunk; the 2-word tail joins it (12 ≤ 12).
  const chunks = chunkSentences(
    [
      sentence(4, 'a'),
      sentence(4, 'b'),
      sentence(4, 'c'),
      sentence(5, 'd'),
      sentence(5, 'e'),
      sentence(2, 'f'),
    ],
    limits,
  );
  assert.deepEqual(chunks.map(wordCount), [12, 12]);
  assert.equal(chunks[1], `${sentence(5, 'd')} ${sentence(5, 'e')} ${sentence(2, 'f')}`);
  // 7 words, then 7 more would make 14 > 12: close at 7.
  assert.deepEqual(
    chunkSentences([sentence(7, 'a'), sentence(7, 'b')], limits).map(wordCount),
    [7, 7],
  );
  // A 25-word sentence: ceil(25/12) = 3 pieces of ceil(25/3) = 9 → 9, 9, 7.
  assert.deepEqual(chunkSentences([sentence(25, 'x')], limits).map(wordCount), [9, 9, 7]);
  // A tail that cannot join is dropped: 12 words, then 3.
  assert.deepEqual(
    chunkSentences([sentence(12, 'a'), sentence(3, 'b')], limits).map(wordCount),
    [12],
  );
});

test('untagSentence: tags dropped, punctuation attached, Brown quotes straightened', () => {
  assert.equal(
    untagSentence(
      "\tThe/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' ,/, (/( 1/2/cd of/in it/pps )/) ;/. Atlanta's/np$ best/jjt ./.",
    ),
    'The jury said "no evidence", (1/2 of it); Atlanta\'s best.',
  );
});

test('near-duplicates: Jaccard of 5-gram shingles, ≥ 0.8 dropped across and within splits, first copy kept', () => {
  const base =
    'the quick brown fox jumps over the lazy dog while the cat sleeps on the warm mat by the door of the old house';
  const words = base.split(' ');
  const oneChanged = [...words.slice(0, -1), 'barn'].join(' '); // 24 words: 20 shingles each, 19 shared
  const a = shingleSet(base);
  const b = shingleSet(oneChanged);
  assert.equal(a.length, 20);
  assert.equal(jaccard(a, b), 19 / 21);
  assert.equal(jaccard(shingleSet('The QUICK, brown fox!'), shingleSet('the quick brown fox')), 1);
  const halfChanged = [...words.slice(0, 12), ...words.slice(12).map((w) => `${w}x`)].join(' ');
  assert.ok(jaccard(a, shingleSet(halfChanged)) < 0.5);
  const { kept, dropped } = removeNearDuplicates(
    [
      [base, 'unrelated text one'],
      [oneChanged.toUpperCase(), halfChanged],
      [base, 'unrelated text one', 'fresh words here'],
    ],
    (s) => s,
  );
  assert.deepEqual(kept, [[base, 'unrelated text one'], [halfChanged], ['fresh words here']]);
  assert.deepEqual(dropped, [0, 1, 2]);
});

test('crossDuplicates (the exact checker of the built-in tests) finds the pairs at or above 0.8', async () => {
  const { crossDuplicates } = await import('./overlap.js');
  const base = Array.from({ length: 30 }, (_, i) => `w${i}`);
  const variant = (k: number) =>
    [...base.slice(0, 30 - k), ...Array.from({ length: k }, (_, i) => `v${i}`)].join(' ');
  // Changing the last k words leaves 26 − k shared shingles of 26: J = (26 − k) / (26 + k).
  const a = [variant(0), 'something else entirely here now'];
  const b = [variant(1), variant(2), variant(3), variant(8), 'SOMETHING else, entirely here now'];
  const found = crossDuplicates([a, b]).map((p) => [
    ...p.split,
    ...p.item,
    Math.round(p.jaccard * 1000) / 1000,
  ]);
  // k = 1: 25/27 = 0.926; k = 2: 24/28 = 0.857; k = 3: 23/29 = 0.793 (below); the reworded one: 1.
  assert.deepEqual(found, [
    [0, 1, 0, 0, 0.926],
    [0, 1, 0, 1, 0.857],
    [0, 1, 1, 4, 1],
  ]);
});

test('wordHashes: FNV-1a of exactly the words normalisedWords finds (case, punctuation, non-ASCII)', () => {
  const fnv1a = (w: string) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193) >>> 0;
    return h;
  };
  const texts = [
    'Ünïcode WORDS, straße — ΣΊΣΥΦΟΣ & 中文字符 mixed with ASCII 123',
    "It's the U.S.A.'s 2nd-best e-mail… (really) 😀 emoji 𝒜𝒷 between",
    '',
    '  ,,, ',
  ];
  assert.deepEqual(normalisedWords(texts[0]!), [
    'ünïcode',
    'words',
    'straße',
    'σίσυφοσ',
    '中文字符',
    'mixed',
    'with',
    'ascii',
    '123',
  ]);
  for (const t of texts) assert.deepEqual(wordHashes(t, 1000), normalisedWords(t).map(fnv1a));
  assert.deepEqual(wordHashes(texts[0]!, 3), normalisedWords(texts[0]!).slice(0, 3).map(fnv1a));
});

test('emailBody: nested boundaries that extend the outer one, sloppy boundaries, empty plain alternatives', () => {
  const nested = [
    'Content-Type: multipart/related; boundary="==B"',
    '',
    'This is a multi-part message in MIME format.',
    '--==B',
    'Content-Type: multipart/alternative;',
    '\tboundary="==BAA"',
    '',
    '--==BAA',
    'Content-Type: text/plain',
    '',
    '   ',
    '--==BAA',
    'Content-Type: text/html',
    '',
    '<html><head><title>Untitled</title></head><body><p>Real offer text</p></body></html>',
    '--==BAA--',
    '--==B',
    'Content-Type: image/gif',
    'Content-Transfer-Encoding: base64',
    '',
    'R0lGODlhAQABAAAAACw=',
    '--==B--',
  ].join('\n');
  assert.equal(mail(nested), 'Real offer text');
  const sloppy = [
    'Content-Type: multipart/alternative; boundary="=Multipart Boundary 0925"',
    '',
    '--= Multipart Boundary 0925',
    'Content-Type: text/plain',
    '',
    '<html><body><font size=3>HTML sent as plain text</font><br>second line</body></html>',
    '--= Multipart Boundary 0925--',
  ].join('\n');
  assert.equal(mail(sloppy), 'HTML sent as plain text second line');
  // An unclosed <style> or <head> must not swallow the text.
  assert.equal(
    mail('Content-Type: text/html\n\n<html><head><style>x{}<body>Kept text</body>'),
    'x{} Kept text',
  );
});

test('emailBody: a message pasted inline with its headers is unwrapped', () => {
  const forwarded = [
    'From: a@b',
    'Subject: fwd',
    '',
    'Return-Path: <x@y>',
    'Received: from somewhere',
    '    by elsewhere',
    'From: "Sender" <x@y>',
    'Subject: Hello',
    '',
    'The pasted message.',
  ].join('\n');
  assert.equal(mail(forwarded), 'The pasted message.');
});

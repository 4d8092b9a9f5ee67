import test from 'ava';
import { parseAccept, prefers, qualityOf } from '../../src/http/accept.ts';

const JSON_TYPES = ['application/hal+json', 'application/prs.hal-forms+json', 'application/json'];
const CHROMIUM =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7';
const FIREFOX = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const KETTING =
  'application/prs.hal-forms+json;q=1.0, application/hal+json;q=0.9, application/json;q=0.7, text/html;q=0.6';

test('browsers prefer HTML to every JSON type', (t) => {
  t.true(prefers(CHROMIUM, 'text/html', JSON_TYPES));
  t.true(prefers(FIREFOX, 'text/html', JSON_TYPES));
  t.true(prefers('text/html', 'text/html', JSON_TYPES));
  t.true(prefers('text/*', 'text/html', JSON_TYPES));
});

test('clients that accept anything, or say nothing, do not prefer HTML', (t) => {
  for (const header of [
    '*/*',
    '',
    'application/json',
    'application/hal+json',
    'application/prs.hal-forms+json',
    KETTING,
  ]) {
    t.false(prefers(header, 'text/html', JSON_TYPES), header);
  }
});

test('a tie between HTML and JSON goes to JSON', (t) => {
  t.false(prefers('text/html, application/json', 'text/html', JSON_TYPES));
  t.false(prefers('text/html;q=0.5, */*;q=0.5', 'text/html', JSON_TYPES));
});

test('q=0 refuses a type, and a malformed q counts as refusal', (t) => {
  t.false(prefers('text/html;q=0, */*', 'text/html', JSON_TYPES));
  t.false(prefers('text/html;q=2', 'text/html', JSON_TYPES));
  t.false(prefers('text/html;q=abc', 'text/html', JSON_TYPES));
});

test('the most specific range decides a type’s quality, whatever the order', (t) => {
  const ranges = parseAccept('*/*;q=0.1, application/*;q=0.4, application/json;q=0.7');
  t.is(qualityOf(ranges, 'application/json'), 0.7);
  t.is(qualityOf(ranges, 'application/hal+json'), 0.4);
  t.is(qualityOf(ranges, 'text/html'), 0.1);
  t.is(qualityOf(parseAccept('Text/HTML'), 'text/html'), 1);
  t.is(qualityOf(parseAccept('garbage, , ;q=1'), 'text/html'), 0);
});

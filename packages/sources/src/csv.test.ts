import { describe, expect, it } from 'vitest';
import { forEachCsvRecord, parseCsv } from './csv.ts';

describe('parseCsv (RFC 4180)', () => {
  it.each([
    [
      'plain fields',
      'a,b,c\n1,2,3\n',
      [
        ['a', 'b', 'c'],
        ['1', '2', '3'],
      ],
    ],
    [
      'no final line break',
      'a,b\n1,2',
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ],
    [
      'CRLF line breaks (§2.1)',
      'a,b\r\n1,2\r\n',
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ],
    ['empty fields', ',a,,\n', [['', 'a', '', '']]],
    ['quoted field with a comma (§2.6)', '"Apple iOS, iPadOS",x\n', [['Apple iOS, iPadOS', 'x']]],
    [
      'quoted field with LF (§2.6)',
      '"one\ntwo",x\ny,z\n',
      [
        ['one\ntwo', 'x'],
        ['y', 'z'],
      ],
    ],
    ['quoted field with CRLF (§2.6)', '"one\r\ntwo",x\r\n', [['one\r\ntwo', 'x']]],
    ['doubled quote (§2.7)', '"a ""core dump"" here",b\n', [['a "core dump" here', 'b']]],
    ['only a doubled quote', '"""",b\n', [['"', 'b']]],
    ['empty quoted field', '"",b\n', [['', 'b']]],
    ['blank lines skipped', 'a\n\n\r\nb\n', [['a'], ['b']]],
    ['byte-order mark ignored', '\ufeffcve,epss\n', [['cve', 'epss']]],
    ['lone CR kept inside an unquoted field', 'a\rb,c\n', [['a\rb', 'c']]],
    ['quote inside an unquoted field kept literally', 'a"b,c\n', [['a"b', 'c']]],
  ])('%s', (_name, text, records) => {
    expect(parseCsv(text)).toEqual({ records, problems: [] });
  });

  it.each([
    [
      'unterminated quoted field runs to the end',
      'a,b\n"open,\nstill open',
      [['a', 'b'], ['open,\nstill open']],
      [{ line: 2, message: 'unterminated quoted field' }],
    ],
    [
      'text after a closing quote is kept and reported',
      '"a"b,c\nd,e\n',
      [
        ['ab', 'c'],
        ['d', 'e'],
      ],
      [{ line: 1, message: 'text after a closing quote' }],
    ],
  ])('%s', (_name, text, records, problems) => {
    expect(parseCsv(text)).toEqual({ records, problems });
  });

  it('reports the line where each record starts, across multi-line fields', () => {
    const lines: number[] = [];
    forEachCsvRecord('h1,h2\n"x\ny\nz",1\n\nlast,2\n', (_fields, line) => lines.push(line));
    expect(lines).toEqual([1, 2, 6]);
  });
});

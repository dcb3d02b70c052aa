/**
 * A small RFC 4180 CSV reader (https://www.rfc-editor.org/rfc/rfc4180), shared by the KEV CSV
 * and the EPSS daily file.
 *
 * RFC 4180 §2: records are separated by CRLF (LF alone is accepted too, as every real feed
 * here uses it); fields are separated by commas; a field may be enclosed in double quotes, and
 * then may contain commas, line breaks and doubled quotes (`""` stands for one `"`).
 *
 * Lenient where the RFC is strict, because one malformed line must not lose a whole feed:
 * a quote inside an unquoted field is kept as a literal character, text after a closing
 * quote is kept (and reported), an unterminated quoted field ends at the end of the input
 * (and is reported). A leading UTF-8 byte-order mark is ignored. Blank lines are skipped.
 *
 * Speed matters (EPSS is ~300,000 rows): the scan is one pass over char codes, and a field
 * without quotes is a single `slice`.
 */

export interface CsvProblem {
  /** 1-based line on which the record starts. */
  readonly line: number;
  readonly message: string;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Calls `onRecord(fields, line)` for every record, in order; `line` is the 1-based line where
 * the record starts (a quoted field with line breaks makes a record span several lines).
 * Returns the problems met; the records around a problem are still delivered.
 */
export function forEachCsvRecord(
  text: string,
  onRecord: (fields: string[], line: number) => void,
): CsvProblem[] {
  const problems: CsvProblem[] = [];
  const length = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;

  while (i < length) {
    const startLine = line;
    // Blank line (LF or CRLF): no record.
    const first = text.charCodeAt(i);
    if (first === LF) {
      i++;
      line++;
      continue;
    }
    if (first === CR && text.charCodeAt(i + 1) === LF) {
      i += 2;
      line++;
      continue;
    }

    const fields: string[] = [];
    let endOfRecord = false;
    while (!endOfRecord) {
      if (text.charCodeAt(i) === QUOTE) {
        // Quoted field: collect pieces between doubled quotes.
        let value = '';
        let pieceStart = i + 1;
        let j = pieceStart;
        let closed = false;
        while (j < length) {
          const c = text.charCodeAt(j);
          if (c === QUOTE) {
            if (text.charCodeAt(j + 1) === QUOTE) {
              value += text.slice(pieceStart, j + 1);
              j += 2;
              pieceStart = j;
              continue;
            }
            value += text.slice(pieceStart, j);
            j++;
            closed = true;
            break;
          }
          if (c === LF) line++;
          j++;
        }
        if (!closed) {
          value += text.slice(pieceStart, j);
          problems.push({ line: startLine, message: 'unterminated quoted field' });
        }
        // After the closing quote: a separator, a line end or the end of input.
        let k = j;
        while (k < length) {
          const c = text.charCodeAt(k);
          if (c === COMMA || c === LF || (c === CR && text.charCodeAt(k + 1) === LF)) break;
          k++;
        }
        if (k > j) {
          problems.push({ line: startLine, message: 'text after a closing quote' });
          value += text.slice(j, k);
        }
        fields.push(value);
        i = k;
      } else {
        // Unquoted field: up to the next comma or line end.
        let k = i;
        while (k < length) {
          const c = text.charCodeAt(k);
          if (c === COMMA || c === LF || (c === CR && text.charCodeAt(k + 1) === LF)) break;
          k++;
        }
        fields.push(text.slice(i, k));
        i = k;
      }
      // Separator or end of record.
      if (i >= length) endOfRecord = true;
      else {
        const c = text.charCodeAt(i);
        if (c === COMMA) i++;
        else {
          i += c === CR ? 2 : 1;
          line++;
          endOfRecord = true;
        }
      }
    }
    onRecord(fields, startLine);
  }
  return problems;
}

/** Every record of `text` as arrays of fields (convenience for small inputs and tests). */
export function parseCsv(text: string): { records: string[][]; problems: CsvProblem[] } {
  const records: string[][] = [];
  const problems = forEachCsvRecord(text, (fields) => records.push(fields));
  return { records, problems };
}

import { describe, expect, it } from 'vitest';
import { placeholdersOf, renderHtml, renderTemplate, templateProblems } from './template.ts';

const data = {
  change: {
    title: 'Patch <openssl> & "libc"',
    assets: ['web-01', 'web-02'],
    risk: 'high',
    window: null,
  },
};

describe('template engine', () => {
  it.each([
    ['{{change.title}} is {{ change.risk }}', 'Patch <openssl> & "libc" is high'],
    ['on {{change.assets}}', 'on web-01, web-02'],
    ['missing: [{{change.nothing}}] [{{change.window}}] [{{change}}]', 'missing: [] [] []'],
    ['no prototype: [{{change.constructor}}] [{{change.toString}}]', 'no prototype: [] []'],
    ['text {{ not closed', 'text {{ not closed'],
  ])('renders %j', (template, expected) => {
    expect(renderTemplate(template, data)).toBe(expected);
  });

  it('escapes everything in HTML: no value and no template text adds markup', () => {
    expect(renderHtml("Title: {{change.title}}\nIt's <b>{{change.risk}}</b>\n\nBye", data)).toBe(
      '<!doctype html>\n<html><body>\n<p>Title: Patch &lt;openssl&gt; &amp; &quot;libc&quot;<br>\nIt&#39;s &lt;b&gt;high&lt;/b&gt;</p>\n<p>Bye</p>\n</body></html>\n',
    );
  });

  it('names the placeholders and refuses unknown names and other braces', () => {
    expect(placeholdersOf('{{a.b}} {{ c }} {{a.b}}')).toEqual(['a.b', 'c']);
    expect(templateProblems('{{change.title}}', ['change.title'])).toEqual([]);
    expect(templateProblems('{{change.secret}} {{#each x}}', ['change.title'])).toEqual([
      '{{change.secret}} is not a known value (known: change.title)',
      '"{{" and "}}" may only enclose a value name such as {{change.title}}',
    ]);
    expect(templateProblems('{{ process.exit() }}', ['change.title'])).toHaveLength(1);
  });
});

import { decodeEntities } from '../entities.js';
import { ParseError } from '../errors.js';
import { dailyPapersList, draftsFromDailyPapers } from '../hf-daily-papers.js';
import { findStartTag, type HtmlStartTag } from '../html.js';
import { isJsonFailure, parseJsonRecovering } from '../json-prefix.js';
import type { FormatOutput, FormatParser } from '../types.js';
import { rootElementName } from '../xml.js';

/**
 * A Hugging Face papers page (`/papers`, `/papers/date/…`, `/papers/week/…`,
 * `/papers/month/…`). The page renders its list in the browser from the `data-props`
 * attribute of the element with `data-target="DailyPapers"`: JSON, entity-escaped, whose
 * `dailyPapers` (or `papers`) list holds the same entries as the daily-papers API. Only that
 * attribute is read; the rest of the page is markup around it.
 */
export const hfHtml: FormatParser = {
  format: 'hf-html',
  detect: detectHfHtml,
  parse: parseHfHtml,
};

const TARGET = 'DailyPapers';

function detectHfHtml(text: string, contentType: string | null): number {
  const root = rootElementName(text);
  if (root === null || root === 'feed' || root === 'rss' || root === 'RDF') return 0;
  if (text.includes(`data-target="${TARGET}"`) || text.includes(`data-target='${TARGET}'`)) return 0.95;
  if (/data-props=["'][^"']*dailyPapers/.test(text)) return 0.8;
  // A papers page whose layout moved on: ours to report as malformed rather than unknown.
  if (contentType !== null && /^text\/html\b/i.test(contentType) && text.includes('huggingface.co/papers'))
    return 0.3;
  return 0;
}

function parseHfHtml(text: string): FormatOutput {
  // A page cut inside a data-props written before data-target never shows the target; its
  // props still name the list.
  const tag =
    findStartTag(text, (t) => t.attrs.get('data-target') === TARGET && t.attrs.has('data-props')) ??
    findStartTag(text, (t) => (t.attrs.get('data-props') ?? '').includes('dailyPapers'));
  if (tag === null) {
    throw new ParseError(
      'malformed',
      'hf-html',
      `no element with data-target="${TARGET}" and a data-props attribute: not a papers page, or its layout changed`,
    );
  }
  const props = decodeEntities(tag.attrs.get('data-props')!);
  const recovered = parseJsonRecovering(props, props.trimStart().startsWith('[') ? 1 : 2);
  if (isJsonFailure(recovered)) {
    throw new ParseError(
      'malformed',
      'hf-html',
      `data-props of ${describe(tag)} ${recovered.reason === 'too-deep' ? 'refused' : 'is not JSON'}: ${recovered.message}`,
    );
  }
  const list = dailyPapersList(recovered.value);
  if (list === null) {
    throw new ParseError(
      'malformed',
      'hf-html',
      `data-props of ${describe(tag)} has no "dailyPapers" or "papers" list`,
    );
  }
  const warnings: string[] = [];
  const papers = draftsFromDailyPapers(list, warnings);
  if (recovered.cutAt !== null || tag.cut) {
    warnings.unshift(
      `page ends inside the data-props of ${describe(tag)} (cut download?); kept the ${list.length} complete entries`,
    );
  }
  return { papers, warnings };
}

function describe(tag: HtmlStartTag): string {
  const target = tag.attrs.get('data-target');
  return target === undefined ? `<${tag.name}>` : `<${tag.name} data-target="${target}">`;
}

import { readFileSync } from 'node:fs';

import { PaperIdSchema, PaperSchema, paperIdFromTitle, type Paper } from '@paperwire/schema';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

import { parsePage, type ParseContext, type ParseResult } from '../index.js';

const FIXTURE = new URL('../../../../infra/digests/hf-daily-papers-2025-11-03.txt', import.meta.url);

const ctx: ParseContext = {
  url: 'https://huggingface.co/papers?date=2025-11-03',
  sourceName: 'hf-daily',
  capturedAt: '2025-11-03T09:30:00.000Z',
  contentType: 'text/plain; charset=utf-8',
  formatHint: null,
};

describe('hf-text: the 2025-11-03 listing', () => {
  let result: ParseResult;
  let byTitle: Map<string, Paper>;
  const paper = (title: string): Paper => {
    const found = byTitle.get(title);
    if (!found) throw new Error(`no paper titled ${JSON.stringify(title)}`);
    return found;
  };

  beforeAll(() => {
    result = parsePage(readFileSync(FIXTURE), ctx);
    byTitle = new Map(result.papers.map((p) => [p.title, p]));
  });

  it('detects hf-text and finds exactly 68 papers, without warnings', () => {
    expect(result.format).toBe('hf-text');
    expect(result.papers).toHaveLength(68);
    expect(byTitle.size).toBe(68);
    expect(result.warnings).toEqual([]);
  });

  it('keeps page order: first, last and some in between', () => {
    const titles = result.papers.map((p) => p.title);
    expect(titles[0]).toBe('GLAD: Generalizable Tuning for Vision-Language Models');
    expect(titles[1]).toBe(
      'MMRL++: Parameter-Efficient and Interaction-Aware Representation Learning for Vision-Language Models',
    );
    expect(titles[16]).toBe('Symbolic Synthesis of Neural Networks');
    expect(titles[25]).toBe(
      'Only-IF:Revealing the Decisive Effect of Instruction Diversity on Generalization',
    );
    expect(titles[43]).toBe('The Imitation Game: Turing Machine Imitator is Length Generalizable Reasoner');
    expect(titles[60]).toBe(
      'SuSana Distancia is all you need: Enforcing class separability in metric learning via two novel distance-based loss functions for few-shot image classification',
    );
    expect(titles[67]).toBe('A Hard-to-Beat Baseline for Training-free CLIP-based Adaptation');
  });

  it('does not take header lines for papers', () => {
    const header = [
      'new',
      'New',
      'Get trending papers in your email inbox!',
      'Subscribe',
      'Daily Papers',
      'byAK and the research community',
      'Nov 3',
    ];
    for (const line of header) expect(byTitle.has(line)).toBe(false);
    for (const p of result.papers) {
      expect(p.abstract).not.toMatch(/Get trending papers|byAK and the research community/);
    }
  });

  it('reads GLAD completely', () => {
    const glad = paper('GLAD: Generalizable Tuning for Vision-Language Models');
    expect(glad).toEqual({
      id: paperIdFromTitle('GLAD: Generalizable Tuning for Vision-Language Models'),
      title: 'GLAD: Generalizable Tuning for Vision-Language Models',
      abstract: expect.any(String),
      authors: [],
      authorCount: 4,
      publishedAt: '2025-07-17',
      upvotes: null,
      codeUrls: [],
      arxivId: null,
      sources: [
        { name: 'hf-daily', url: ctx.url, format: 'hf-text', capturedAt: ctx.capturedAt, upvotes: null },
      ],
      firstSeenAt: ctx.capturedAt,
      lastSeenAt: ctx.capturedAt,
    });
    expect(
      glad.abstract.startsWith('Pre-trained vision-language models, such as CLIP, show impressive zero-shot'),
    ).toBe(true);
    expect(
      glad.abstract.endsWith('and cross-dataset generalization. The code will be publicly available.'),
    ).toBe(true);
    expect(glad.abstract).toHaveLength(1509);
  });

  it('reads upvote counts after the date, and records them on the source too', () => {
    const onlyIf = paper('Only-IF:Revealing the Decisive Effect of Instruction Diversity on Generalization');
    expect([onlyIf.publishedAt, onlyIf.upvotes, onlyIf.authorCount]).toEqual(['2024-10-06', 2, 3]);
    expect(onlyIf.sources[0]?.upvotes).toBe(2);

    // "Apr 2 2": yearless date, 2 upvotes
    const protoGcd = paper(
      'ProtoGCD: Unified and Unbiased Prototype Learning for Generalized Category Discovery',
    );
    expect([protoGcd.publishedAt, protoGcd.upvotes, protoGcd.authorCount]).toEqual(['2025-04-02', 2, 4]);

    // "Jun 26 2"
    const grokking = paper(
      'Where to find Grokking in LLM Pretraining? Monitor Memorization-to-Generalization without Test',
    );
    expect([grokking.publishedAt, grokking.upvotes, grokking.authorCount]).toEqual(['2025-06-26', 2, 3]);

    // "Jul 17 3"
    const imitation = paper('The Imitation Game: Turing Machine Imitator is Length Generalizable Reasoner');
    expect([imitation.publishedAt, imitation.upvotes, imitation.authorCount]).toEqual(['2025-07-17', 3, 7]);
    expect(imitation.sources[0]?.upvotes).toBe(3);

    const withUpvotes = result.papers.filter((p) => p.upvotes !== null).map((p) => p.title);
    expect(withUpvotes).toHaveLength(4);
  });

  it('reads dates with and without a year', () => {
    const dates = (title: string) => paper(title).publishedAt;
    expect(dates('Few-Shot Class-Incremental Learning via Training-Free Prototype Calibration')).toBe(
      '2023-12-08',
    );
    expect(dates('Class-relation Knowledge Distillation for Novel Class Discovery')).toBe('2023-07-18');
    expect(dates('Sequential Training of Neural Networks with Gradient Boosting')).toBe('2019-09-26');
    expect(dates('sharpDARTS: Faster and More Accurate Differentiable Architecture Search')).toBe(
      '2019-03-23',
    );
    expect(dates('A Hard-to-Beat Baseline for Training-free CLIP-based Adaptation')).toBe('2024-02-06');
    // yearless, all before Nov 3 so all in 2025
    expect(
      dates(
        'MMRL++: Parameter-Efficient and Interaction-Aware Representation Learning for Vision-Language Models',
      ),
    ).toBe('2025-05-15');
    expect(dates('Solving the Catastrophic Forgetting Problem in Generalized Category Discovery')).toBe(
      '2025-01-09',
    );
    expect(dates('MSGCoOp: Multiple Semantic-Guided Context Optimization for Few-Shot Learning')).toBe(
      '2025-07-29',
    );
    expect(dates('LG-ANNA-Embedding technical report')).toBe('2025-06-09');
    expect(result.papers.every((p) => p.publishedAt !== null && p.publishedAt <= '2025-11-03')).toBe(true);
  });

  it('reads author counts', () => {
    const count = (title: string) => paper(title).authorCount;
    expect(count('Symbolic Synthesis of Neural Networks')).toBe(1);
    expect(count('Sequential Training of Neural Networks with Gradient Boosting')).toBe(2);
    expect(count('Happy: A Debiased Learning Framework for Continual Generalized Category Discovery')).toBe(
      6,
    );
    expect(count('Solving the Catastrophic Forgetting Problem in Generalized Category Discovery')).toBe(8);
    expect(count('GENNAPE: Towards Generalized Neural Architecture Performance Estimators')).toBe(9);
    expect(
      count(
        'Prismatic Synthesis: Gradient-based Data Diversification Boosts Generalization in LLM Reasoning',
      ),
    ).toBe(10);
    expect(count('LEVI: Generalizable Fine-tuning via Layer-wise Ensemble of Different Views')).toBe(11);
    expect(result.papers.every((p) => p.authors.length === 0 && p.arxivId === null)).toBe(true);
  });

  it('finds exactly the twenty linked repositories, normalized', () => {
    const linked = result.papers.filter((p) => p.codeUrls.length > 0);
    expect(linked).toHaveLength(20);
    expect(linked.every((p) => p.codeUrls.length === 1)).toBe(true);
    expect(result.papers.flatMap((p) => p.codeUrls)).toEqual([
      'https://github.com/wangkiw/TEEN',
      'https://github.com/kleinzcy/Cr-KD-NCD',
      'https://github.com/mashijie1028/ProtoGCD',
      'https://github.com/mashijie1028/Happy-CGCD',
      'https://github.com/Cliffia123/LegoGCD',
      'https://github.com/owenzx/data4comp',
      'https://github.com/Rain-Bus/MSGCoOp',
      'https://github.com/shlomenu/symbolically_synthesized_networks',
      'https://github.com/mashijie1028/ActiveGCD',
      'https://github.com/GitGyun/chameleon',
      'https://github.com/andreimargeloiu/TabEBM',
      'https://github.com/TamashaM/NAPA-VQ',
      'https://github.com/ML-GSAI/Revisiting-Dis-vs-Gen-Classifiers',
      'https://github.com/clovaai/ProxyDet',
      'https://github.com/jeff024/PALM',
      'https://github.com/ZHUANGHP/Analytic-continual-learning',
      'https://github.com/wangkiw/ICLR23-MEMO',
      'https://github.com/zhoudw-zdw/CIL_Survey',
      'https://github.com/yfzhang114/AdaNPC',
      'https://github.com/mrflogs/ICLR24',
    ]);
    expect(paper('Class-relation Knowledge Distillation for Novel Class Discovery').codeUrls).toEqual([
      'https://github.com/kleinzcy/Cr-KD-NCD',
    ]);
    expect(
      paper(
        'NAPA-VQ: Neighborhood Aware Prototype Augmentation with Vector Quantization for Continual Learning',
      ).codeUrls,
    ).toEqual(['https://github.com/TamashaM/NAPA-VQ']);
  });

  it('gives every paper a unique, valid title id and a valid record', () => {
    const ids = result.papers.map((p) => p.id);
    expect(new Set(ids).size).toBe(68);
    for (const p of result.papers) {
      expect(PaperIdSchema.parse(p.id)).toBe(paperIdFromTitle(p.title));
      expect(p.id).toMatch(/^title-[0-9a-f]{24}$/);
      expect(PaperSchema.parse(p)).toEqual(p);
      expect(p.title).toBe(p.title.replace(/\s+/g, ' ').trim());
      expect(p.abstract).toBe(p.abstract.replace(/\s+/g, ' ').trim());
      expect(p.abstract.length).toBeGreaterThan(100);
    }
  });
});

describe('hf-text: page shapes beyond the fixture', () => {
  const entry = (title: string, abstract: string, date: string, authors = '  • 3 authors') =>
    `${title}\n\n${abstract}\n\n${authors}\n·\n${date}\n\n`;
  const header = 'New\n\nDaily Papers\n\nNov 3\n\n';
  const parse = (text: string) => parsePage(text, ctx);

  it('joins a hard-wrapped title and a multi-paragraph abstract, collapsing whitespace', () => {
    const text = `${header}${entry('First', 'Abstract.', 'Dec 20')}A Long Title\n  That Wraps\n\nFirst  paragraph\nwrapped.\n\nSecond\tparagraph.\n\n  • 2 authors\n·\nJul 17\n`;
    const { papers, warnings } = parse(text);
    expect(papers.map((p) => [p.title, p.abstract, p.authorCount, p.publishedAt])).toEqual([
      ['First', 'Abstract.', 3, '2024-12-20'],
      ['A Long Title That Wraps', 'First paragraph wrapped. Second paragraph.', 2, '2025-07-17'],
    ]);
    expect(warnings).toEqual([]);
  });

  it('warns when lines it does not know precede the first entry, since they may be page chrome', () => {
    const { papers, warnings } = parse(
      `${header}Some New Banner\n\n${entry('Title', 'Abstract.', 'Jul 17')}`,
    );
    expect(papers.map((p) => [p.title, p.abstract])).toEqual([['Some New Banner', 'Title Abstract.']]);
    expect(warnings).toEqual([
      'first entry has 3 paragraphs before its authors line; took "Some New Banner" (line 7) as its title, check the page header',
    ]);
  });

  it('keeps complete entries and warns about an entry cut at the end', () => {
    const text = `${header}${entry('One', 'Abstract one.', 'Jul 17')}${entry('Two', 'Abstract two.', 'Oct 6, 2024 2')}Three Is Cut\n\nHalf an abs`;
    const { papers, warnings } = parse(text);
    expect(papers.map((p) => p.title)).toEqual(['One', 'Two']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/after the last complete entry, from line \d+ \("Three Is Cut"\).*cut entry/);
  });

  it('reads "1 author", a date on the authors line, CRLF line ends and a missing date', () => {
    const text = [
      'Solo',
      '',
      'By one.',
      '',
      '  • 1 author · Mar 4, 2024 7',
      '',
      'Undated',
      '',
      'No date below.',
      '',
      '  • 5 authors',
      '·',
      '',
      'Last',
      '',
      'Fine.',
      '',
      '  • 2 authors',
      '·',
      'Feb 29',
      '',
    ].join('\r\n');
    const { papers, warnings } = parse(text);
    expect(papers.map((p) => [p.title, p.authorCount, p.publishedAt, p.upvotes])).toEqual([
      ['Solo', 1, '2024-03-04', 7],
      ['Undated', 5, null, null],
      ['Last', 2, '2024-02-29', null],
    ]);
    expect(warnings).toEqual([
      '"Undated" (line 11): no date line after the authors line; publishedAt unknown',
    ]);
  });

  it('warns about a date that does not exist and keeps the paper', () => {
    const { papers, warnings } = parse(entry('Odd', 'x', 'Feb 30, 2024 4'));
    expect(papers.map((p) => [p.publishedAt, p.upvotes])).toEqual([[null, 4]]);
    expect(warnings).toEqual(['"Odd" (line 5): no such date; publishedAt unknown']);
  });

  it('reads an entry without an abstract', () => {
    const { papers } = parse(`${header}Just A Title\n\n  • 4 authors\n·\nJul 17\n`);
    expect(papers.map((p) => [p.title, p.abstract])).toEqual([['Just A Title', '']]);
  });

  it('reads back any listing it is given, however titles and abstracts are wrapped', () => {
    const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const word = fc
      .stringMatching(/^[A-Za-z][A-Za-z0-9:?'()-]{0,9}$/)
      .filter((w) => !/^\d*authors?$/i.test(w));
    const wrapped = (words: string[], breaks: string[]) =>
      words.map((w, i) => (i === 0 ? w : `${breaks[i % breaks.length]}${w}`)).join('');
    const entryArb = fc.record({
      title: fc.array(word, { minLength: 2, maxLength: 8 }),
      abstract: fc.array(word, { minLength: 0, maxLength: 30 }),
      breaks: fc.array(fc.constantFrom(' ', ' ', '  ', '\n', '\n\n'), { minLength: 1, maxLength: 5 }),
      titleBreaks: fc.array(fc.constantFrom(' ', ' ', '\n'), { minLength: 1, maxLength: 3 }),
      authors: fc.integer({ min: 1, max: 40 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      year: fc.option(fc.integer({ min: 2015, max: 2025 }), { nil: null }),
      upvotes: fc.option(fc.integer({ min: 0, max: 999 }), { nil: null }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(entryArb, { minLength: 1, maxLength: 6, selector: (e) => e.title.join(' ') }),
        (entries) => {
          const page =
            header +
            entries
              .map((e) => {
                const date = `${MONTHS[e.month - 1]} ${e.day}${e.year === null ? '' : `, ${e.year}`}${e.upvotes === null ? '' : ` ${e.upvotes}`}`;
                const abstract = e.abstract.length > 0 ? `${wrapped(e.abstract, e.breaks)}\n\n` : '';
                return `${wrapped(e.title, e.titleBreaks)}\n\n${abstract}  • ${e.authors} authors\n·\n${date}\n\n`;
              })
              .join('');
          const { papers, warnings } = parse(page);
          // Several paragraphs before the first authors line are ambiguous with unknown page
          // chrome, so that case (and only that one) is flagged.
          const first = entries[0]!;
          const firstIsAmbiguous = wrapped(first.abstract, first.breaks).includes('\n\n');
          expect(warnings).toEqual(
            firstIsAmbiguous ? [expect.stringMatching(/^first entry has \d+ paragraphs/)] : [],
          );
          expect(
            papers.map((p) => [p.title, p.abstract, p.authorCount, p.upvotes, p.publishedAt?.slice(5)]),
          ).toEqual(
            entries.map((e) => [
              e.title.join(' '),
              e.abstract.join(' '),
              e.authors,
              e.upvotes,
              `${String(e.month).padStart(2, '0')}-${String(e.day).padStart(2, '0')}`,
            ]),
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});

import { tempDir, type TempDir } from '@paperwire/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { distinctQueries, loadCorpusWords, writeLoadCorpus, zipfQueries } from './load-corpus.js';

describe('loadCorpusWords', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await tempDir('load-corpus');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('gives the words of the corpus written with the same seed, so a kept index gets its queries', async () => {
    const corpus = await writeLoadCorpus(dir.path, 150, 7);
    const words = loadCorpusWords(7);
    expect(words.vocabulary).toEqual(corpus.vocabulary);
    expect(words.ranked).toEqual(corpus.ranked);
    const fromCorpus = [zipfQueries(corpus, 8), distinctQueries(corpus, 9)];
    const fromWords = [zipfQueries(words, 8), distinctQueries(words, 9)];
    for (const [i, next] of fromCorpus.entries())
      expect(Array.from({ length: 50 }, fromWords[i]!)).toEqual(Array.from({ length: 50 }, next));
    expect(loadCorpusWords(8).vocabulary).not.toEqual(corpus.vocabulary);
  });
});

/**
 * Synthetic papers for the parse benchmark: seeded, so every run parses the same bytes, and
 * varied the way real digests are (hard-wrapped titles, LaTeX, markup-sensitive characters,
 * accented names, old- and new-style arXiv ids, linked repositories, missing fields).
 */
export interface SynthPaper {
  /** With version, as feeds print it: `2401.12345v2`, `hep-th/9901001v1`. */
  arxivIdWithVersion: string;
  title: string;
  abstract: string;
  authors: string[];
  /** `YYYY-MM-DD`. */
  publishedAt: string;
  upvotes: number | null;
  githubRepo: string | null;
  category: string;
}

/** mulberry32: small, fast and good enough to vary benchmark content reproducibly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CONSONANTS = 'bcdfghjklmnprstvwxz'.split('');
const VOWELS = 'aeiou'.split('');

/** `count` distinct made-up words of two to four syllables. */
export function madeUpWords(rand: () => number, count: number): string[] {
  const seen = new Set<string>();
  while (seen.size < count) seen.add(madeUpWord(rand, 2 + Math.floor(rand() * 3)));
  return [...seen];
}

/** A pronounceable made-up word: consonant-vowel syllables. */
export function madeUpWord(rand: () => number, syllables: number): string {
  let word = '';
  for (let s = 0; s < syllables; s += 1)
    word += CONSONANTS[Math.floor(rand() * CONSONANTS.length)]! + VOWELS[Math.floor(rand() * VOWELS.length)]!;
  return word;
}

export function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const WORDS = (
  'learning model models neural network networks transformer attention diffusion language vision ' +
  'large small efficient robust scalable sparse dense graph graphs reinforcement policy reward agent ' +
  'agents reasoning retrieval augmented generation benchmark dataset datasets evaluation training ' +
  'inference fine-tuning pretraining self-supervised contrastive representation representations ' +
  'embedding embeddings token tokens decoding encoder decoder latent variational bayesian stochastic ' +
  'gradient descent optimization convex nonconvex regularization generalization overfitting ' +
  'distillation quantization pruning compression low-rank adaptation multimodal video audio speech ' +
  'image images segmentation detection tracking 3D point cloud scene rendering radiance field ' +
  'physics-informed equation equations operator kernel kernels manifold geometry topology causal ' +
  'counterfactual fairness privacy federated differential adversarial attack defense uncertainty ' +
  'calibration conformal prediction forecasting time series anomaly mixture experts routing memory ' +
  'long-context scaling law laws emergent in-context chain-of-thought alignment preference human ' +
  'feedback instruction following safety jailbreak hallucination factuality code program synthesis ' +
  'theorem proving mathematical symbolic planning robot manipulation navigation control world'
).split(' ');

const ACRONYMS = [
  'GLAD',
  'MoE-X',
  'LoRA++',
  'ViT-22',
  'DiT',
  'RAG-Q',
  'SPARC',
  'NeRFlow',
  'Q-Former',
  'ReAct',
];

const LATEX = [
  '$\\mathcal{O}(n \\log n)$',
  '$k$-NN',
  '$\\alpha$-divergence',
  '$L_2$',
  '$\\epsilon$-greedy',
  '$p < 0.05$',
  '$x^{(t)}$',
  '$\\nabla_\\theta \\mathcal{L}$',
  '$\\mathbb{R}^d$',
];

const SPECIAL = [
  '&',
  '<',
  '>',
  '"',
  "'",
  'R&D',
  'A<B',
  '"quoted"',
  "don't",
  '≤',
  '→',
  'naïve',
  'Schrödinger',
];

const FIRST = (
  'Alice Bo Chen Dmitri Élodie Fatima Giulia Hiroshi Ingrid José Kwame Lena Márton Nadia Ólafur ' +
  'Priya Quentin Rafael Søren Tomás Uma Valentina Wei Xiaoyu Yusuf Zoë'
).split(' ');
const LAST = (
  'Anderson Bianchi Çelik Dubois Eriksson Fernández García Hoffmann Ivanov Jäger Kowalski Li Müller ' +
  'Nakamura Østergaard Petrov Quispe Rossi Schmidt Tanaka Ünal Van der Berg Wang Xu Yamamoto Zhang'
).split(' ');

const CATEGORIES = ['cs.LG', 'cs.CL', 'cs.CV', 'cs.AI', 'stat.ML', 'hep-th', 'math.OC', 'quant-ph'];

export function makeCorpus(count: number, seed: number): SynthPaper[] {
  const rand = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

  const words = (n: number): string[] => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = rand();
      if (r < 0.03) out.push(pick(LATEX));
      else if (r < 0.05) out.push(pick(SPECIAL));
      else out.push(pick(WORDS));
    }
    return out;
  };
  const sentence = (): string => {
    const w = words(int(8, 22));
    w[0] = w[0]!.charAt(0).toUpperCase() + w[0]!.slice(1);
    return `${w.join(' ')}.`;
  };

  const papers: SynthPaper[] = [];
  const ids = new Set<string>();
  for (let i = 0; i < count; i++) {
    const year = int(2015, 2025);
    const month = int(1, 12);
    const day = int(1, 28);
    const yymm = `${String(year % 100).padStart(2, '0')}${String(month).padStart(2, '0')}`;
    let id: string;
    do {
      id =
        rand() < 0.05
          ? `${pick(['hep-th', 'math', 'cond-mat', 'astro-ph'])}/${pick(['97', '98', '99', '01', '05'])}${String(month).padStart(2, '0')}${String(int(1, 999)).padStart(3, '0')}`
          : `${yymm}.${String(int(1, 99999)).padStart(5, '0')}`;
    } while (ids.has(id));
    ids.add(id);
    const prefix = rand() < 0.4 ? `${pick(ACRONYMS)}${i % 97}: ` : '';
    const title = `${prefix}${words(int(4, 16)).join(' ')} ${i}`;
    const sentences: string[] = [];
    for (let s = int(4, 11); s > 0; s--) sentences.push(sentence());
    const githubRepo =
      rand() < 0.3 ? `https://github.com/${pick(LAST).replace(/\W/g, '')}Lab/${pick(WORDS)}-${i}` : null;
    if (githubRepo !== null && rand() < 0.5) sentences.push(`Code: ${githubRepo}.`);
    const authors: string[] = [];
    for (let a = int(1, 24); a > 0; a--) authors.push(`${pick(FIRST)} ${pick(LAST)}`);
    papers.push({
      arxivIdWithVersion: `${id}v${int(1, 4)}`,
      title,
      abstract: sentences.join(' '),
      authors,
      publishedAt: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      upvotes: rand() < 0.8 ? int(0, 500) : null,
      githubRepo,
      category: pick(CATEGORIES),
    });
  }
  return papers;
}

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { parsePage } from '@paperwire/parsers';
import type { Paper } from '@paperwire/schema';

/** The Hugging Face Daily Papers listing captured on 2025-11-03: 68 papers on neighbouring topics. */
export const HF_FIXTURE_PATH = fileURLToPath(
  new URL('../../../../infra/digests/hf-daily-papers-2025-11-03.txt', import.meta.url),
);
export const HF_FIXTURE_URL = 'https://huggingface.co/papers?date=2025-11-03';
export const HF_FIXTURE_CAPTURED_AT = '2025-11-03T00:00:00.000Z';

/** The fixture's papers, as the parser gives them to the indexer. */
export function readHfFixture(text = readFileSync(HF_FIXTURE_PATH, 'utf8')): Paper[] {
  return parsePage(text, {
    url: HF_FIXTURE_URL,
    sourceName: 'hf',
    capturedAt: HF_FIXTURE_CAPTURED_AT,
    contentType: 'text/plain',
    formatHint: null,
  }).papers;
}

export {
  RawStore,
  RawPageNotFoundError,
  RawPageCorruptError,
  manifestIdOf,
  sha256Hex,
  type RawPageMeta,
  type LastParse,
} from './store.js';

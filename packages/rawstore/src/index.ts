export {
  RawStore,
  RawPageNotFoundError,
  RawPageCorruptError,
  manifestIdOf,
  sha256Hex,
  type RawPageMeta,
} from './store.js';

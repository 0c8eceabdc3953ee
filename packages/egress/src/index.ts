export { classifyAddress, type AddressClass } from './address.js';
export {
  bareHost,
  checkAddress,
  checkDestination,
  checkUrl,
  guardedLookup,
  redactUrl,
  refusalIn,
  RefusedFetchError,
  type FetchPolicy,
} from './policy.js';

// The address policy is shared with the gateway (webhook URLs) and lives in @paperwire/egress.
export {
  bareHost,
  checkAddress,
  checkUrl,
  guardedLookup,
  redactUrl,
  refusalIn,
  RefusedFetchError,
  type FetchPolicy,
} from '@paperwire/egress';

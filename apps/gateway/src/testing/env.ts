/* eslint-disable no-restricted-properties -- this file is the gateway test suites' env.ts */

/** What the gateway's test suites read from the environment; an empty value means unset. */
function read(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

export const testEnv = {
  /** The Chromium the browser test drives; Debian's package by default. */
  chromiumPath: read('CHROMIUM_PATH') ?? '/usr/bin/chromium',
  /** A Meilisearch to run the search contract against as well; skipped (visibly) when unset. */
  meiliUrl: read('MEILI_URL'),
  meiliMasterKey: read('MEILI_MASTER_KEY'),
};

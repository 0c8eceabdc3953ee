/** Where the Meilisearch contract tests find a server, when one is given. */
export const testEnv = {
  // eslint-disable-next-line no-restricted-properties -- this file is the test suites' env.ts
  meiliUrl: process.env.MEILI_URL || undefined,
  // eslint-disable-next-line no-restricted-properties -- this file is the test suites' env.ts
  meiliMasterKey: process.env.MEILI_MASTER_KEY || undefined,
};

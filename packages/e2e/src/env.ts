/** The environment the apps under test inherit (PATH and the like), before the stack's own settings. */
export function inheritedEnv(): NodeJS.ProcessEnv {
  return { ...process.env };
}

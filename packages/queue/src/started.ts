/** Longest wait for a worker's start before it is closed anyway (Redis may be away). */
const START_WAIT_MS = 2000;

/**
 * Waits until a BullMQ worker has started (its connections opened and checked, which it begins
 * when it is made), or a bounded time. A worker closed before that closes its blocking
 * connection mid-start and removes the listener the start reports failures to, so the failure
 * becomes an unhandled rejection, which stops a Node process. Workers closed right after being
 * made (a quick shutdown) need this.
 */
export async function untilStarted(target: { waitUntilReady(): Promise<unknown> }): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    target.waitUntilReady().then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, START_WAIT_MS).unref())),
  ]);
  clearTimeout(timer);
}

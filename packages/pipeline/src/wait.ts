import { queueDepths, type Producer } from '@paperwire/queue';
import { PIPELINE_QUEUES } from '@paperwire/schema';

export interface PipelineState {
  pending: number;
  failed: number;
}

export async function pipelineState(producer: Producer): Promise<PipelineState> {
  const depths = await queueDepths(producer);
  let pending = 0;
  let failed = 0;
  // Webhook deliveries are not part of a run: a receiver that is down does not hold one open.
  for (const queue of PIPELINE_QUEUES) {
    const d = depths[queue];
    pending += d.waiting + d.active + d.delayed;
    failed += d.failed;
  }
  return { pending, failed };
}

/**
 * Waits until no job is waiting, running or delayed on any queue. Each stage queues its
 * follow-up jobs before it completes, so an idle pipeline has finished everything it was given.
 */
export async function waitForIdle(
  producer: Producer,
  opts: { timeoutMs: number; intervalMs?: number; onProgress?: (state: PipelineState) => void },
): Promise<PipelineState> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 250;
  let idleReads = 0;
  for (;;) {
    const state = await pipelineState(producer);
    opts.onProgress?.(state);
    // Two idle reads in a row: a job moving between queues is never missed by both.
    idleReads = state.pending === 0 ? idleReads + 1 : 0;
    if (idleReads >= 2) return state;
    if (Date.now() > deadline) {
      throw new Error(`pipeline still has ${state.pending} pending jobs after ${opts.timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

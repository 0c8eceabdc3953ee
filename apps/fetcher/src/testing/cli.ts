import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { repoRoot } from '@paperwire/testing';

const cliArgs = ['--conditions=source', '--import', 'tsx', join(repoRoot, 'apps/fetcher/src/cli.ts')];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `paperwire <args>` from its sources, as a user would, and collects what it printed. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliArgs, ...args], { cwd: repoRoot, env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    // 'close', not 'exit': the pipes can still hold output when the process has exited.
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

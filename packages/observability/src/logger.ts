import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * JSON lines, one per event, each tagged with the app and an ISO timestamp; stdout unless a
 * destination is given.
 */
export function createLogger(app: string, level = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { app },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger } from 'pino';

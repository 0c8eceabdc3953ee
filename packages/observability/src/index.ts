export { createLogger, type Logger } from './logger.js';
export { createMetrics, workerObserver, type AppMetrics } from './metrics.js';
export { serveMetrics, type MetricsServer } from './server.js';

// pino options for the service. Redaction works on paths, not values, so secrets must only ever travel in fields
// with these names, and never be formatted into a message (webauthn-fastify.md §4.6).
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  ...['tap', 'temporaryAccessPass', 'pin', 'newPin', 'password', 'secret', 'clientSecret', 'token', 'accessToken', 'bootstrapCode', 'privateKey'].flatMap((k) => [
    k,
    `*.${k}`,
    `*.*.${k}`,
  ]),
];

export interface ServiceLoggerOptions {
  level: LogLevel;
  redact: { paths: string[]; censor: string };
}

export function loggerOptions(level: LogLevel): ServiceLoggerOptions {
  return { level, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } };
}

/** The service's logger: JSON lines to stdout (or `destination`, e.g. a test capture), secrets redacted. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}

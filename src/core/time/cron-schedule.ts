import { Cron } from 'croner';
import { AgentOsError } from '../errors/agent-os-error.ts';

/** An IANA time zone name the runtime knows ("Europe/Lisbon"); anything else is a 400. */
export function checkTimezone(timezone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return timezone;
  } catch {
    throw new AgentOsError(
      'request.invalid',
      `Unknown time zone "${timezone}" (use an IANA name like Europe/Lisbon)`,
    );
  }
}

/** The next firing of a croner expression, read in `timezone`, after `after`; a bad expression is a 400. */
export function nextFireAt(schedule: string, after: Date, timezone = 'UTC'): Date {
  checkTimezone(timezone);
  let next: Date | null;
  try {
    next = new Cron(schedule, { paused: true, timezone }).nextRun(after);
  } catch (error) {
    throw new AgentOsError(
      'request.invalid',
      `Invalid cron schedule "${schedule}": ${(error as Error).message}`,
    );
  }
  if (next === null) throw new AgentOsError('request.invalid', `The cron schedule "${schedule}" never fires`);
  return next;
}

import { z } from 'zod';
import { isAgentOsError } from '../../core/errors/agent-os-error.ts';
import { checkTimezone, nextFireAt } from '../../core/time/cron-schedule.ts';

/** A source's cron schedule: a croner expression (5 or 6 fields) read in an IANA time zone. */
export interface SourceCronSchedule {
  cron: string;
  timezone: string;
}

const messageOf = (error: unknown) => (isAgentOsError(error) ? error.message : String(error));

/**
 * `{ cron, timezone? }` in a request body, checked as cron triggers are (same croner parse, same zone
 * check): a bad expression is an issue at `cron`, a bad zone at `timezone`, so the 400 names the field.
 */
export const sourceCronScheduleSchema = z
  .strictObject({
    /** croner syntax (5 or 6 fields), read in `timezone`. */
    cron: z.string().trim().min(1).max(200),
    timezone: z.string().min(1).max(100).default('UTC'),
  })
  .superRefine((schedule, context) => {
    try {
      checkTimezone(schedule.timezone);
    } catch (error) {
      context.addIssue({ code: 'custom', path: ['timezone'], message: messageOf(error) });
      return;
    }
    try {
      nextFireAt(schedule.cron, new Date(), schedule.timezone);
    } catch (error) {
      context.addIssue({ code: 'custom', path: ['cron'], message: messageOf(error) });
    }
  });

/** The first firing of the schedule after `after`: when a cron source is next due. */
export const nextSyncAt = (schedule: SourceCronSchedule, after: Date): Date =>
  nextFireAt(schedule.cron, after, schedule.timezone);

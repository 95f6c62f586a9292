import { z } from 'zod';
import { timestamp } from './common-schemas.ts';

/** A space as the API writes it (`identity/space-repo.ts` Space). */
export const spaceSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    name: z.string(),
    visibility: z.enum(['open', 'restricted']),
    createdAt: timestamp,
  })
  .meta({ id: 'Space' });

/** A group of members (`identity/group-repo.ts` Group); `members` are user ids. */
export const groupSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    name: z.string(),
    members: z.array(z.string()),
    createdAt: timestamp,
  })
  .meta({ id: 'Group' });

/** A space with the user ids of its direct members. */
export const spaceMembersSchema = z.object({ space: spaceSchema, members: z.array(z.string()) });

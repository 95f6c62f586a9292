import { z } from 'zod';

export const roleSchema = z.enum(['admin', 'builder', 'user']);
export type Role = z.infer<typeof roleSchema>;

const rank: Record<Role, number> = { user: 0, builder: 1, admin: 2 };

/** True when `role` carries at least the rights of `needed` (admin ⊇ builder ⊇ user). */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return rank[role] >= rank[needed];
}

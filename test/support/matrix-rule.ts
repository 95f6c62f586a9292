import type { Role } from '../../src/core/identity/roles.ts';
import { type Person, type Principal, personOf, type Secret } from './matrix-world.ts';

/**
 * The policy, stated independently of the server's code: who may see what, and what a request should answer.
 * `allowed` is any 2xx (or a status the entry names as a non-authorization answer); 403 refused; 404 hidden.
 */
export type Expected = 'allowed' | 403 | 404;

const RANK: Record<Role, number> = { user: 0, builder: 1, admin: 2 };

/**
 * Whether `principal` may see an item: never another workspace's; a restricted space's only as an admin; a
 * personal item (a run and what hangs off it) only as its owner or an admin; a private one only as its owner.
 */
export function sees(principal: Principal, item: Omit<Secret, 'text'>): boolean {
  const person: Person = personOf(principal);
  if (item.foreign) return false;
  if (item.restricted && person !== 'admin') return false;
  if (item.ownership === 'personal') return item.owner === person || person === 'admin';
  if (item.ownership === 'private') return item.owner === person;
  return true;
}

/**
 * The one rule: the route's role check comes first (and a read-only key writes nothing), then the item's
 * visibility; an item that is not the caller's to see does not exist for them.
 */
export function expectedStatus(
  principal: Principal,
  operation: { method: string; need: Role },
  item: Omit<Secret, 'text'> | undefined,
): Expected {
  const role: Role = principal === 'readKey' ? 'user' : principal;
  if (principal === 'readKey' && operation.method !== 'GET') return 403;
  if (RANK[role] < RANK[operation.need]) return 403;
  if (item !== undefined && !sees(principal, item)) return 404;
  return 'allowed';
}

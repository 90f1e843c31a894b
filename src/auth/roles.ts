/** Roles in increasing power: viewer reads, operator also triggers runs and resolves, admin also manages keys. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** True when `have` is at least `need` in viewer < operator < admin. */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

import { SetMetadata } from '@nestjs/common';
import type { Role } from './roles.js';

export const ROLE_KEY = 'sverka:role';

/** The least role a route needs. Routes under /api/v1 without it need a viewer key. */
export const Roles = (role: Role) => SetMetadata(ROLE_KEY, role);

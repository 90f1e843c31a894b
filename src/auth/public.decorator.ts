import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'isPublic';

/** A route that needs no API key (health, metrics). */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);

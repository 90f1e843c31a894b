import type { NextFunction, Request, Response } from 'express';
import { sendProblem } from './problem.filter.js';
import { requestId } from './request-context.js';

/** What the method check reads of an Express router layer. */
export interface RouteLayer {
  route?: { methods?: Record<string, boolean> } | undefined;
  match(path: string): unknown;
}

/** More methods than any endpoint takes: such a route is a catch-all. */
const CATCH_ALL_METHODS = 8;

/**
 * The methods the app serves on `path` (upper case, sorted; HEAD wherever GET is), or [] when no route
 * matches the path at all. A path that cannot be decoded matches nothing here; routing answers it.
 */
export function allowedMethods(stack: readonly RouteLayer[], path: string): string[] {
  const methods = new Set<string>();
  for (const layer of stack) {
    if (!layer.route?.methods) continue;
    let hit: unknown;
    try {
      hit = layer.match(path);
    } catch {
      continue;
    }
    if (!hit) continue;
    const taken = Object.entries(layer.route.methods).filter(([m, on]) => on && m !== '_all');
    // A route taking every method is a catch-all (NestJS answers 404 through one for the paths kept
    // outside the /api/v1 prefix), not an endpoint: it says nothing about which methods the path takes.
    if (layer.route.methods._all || taken.length > CATCH_ALL_METHODS) continue;
    for (const [m] of taken) methods.add(m.toUpperCase());
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

/**
 * Answers a known path asked with a method it does not serve with 405 and `Allow` (RFC 9110 §15.5.6)
 * instead of the router's 404. `routes` reads the app's route layers (they exist once the app is
 * initialised, before the first request). OPTIONS passes through to the router's own answer.
 */
export function methodNotAllowed(routes: () => readonly RouteLayer[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === 'OPTIONS') return next();
    const allowed = allowedMethods(routes(), req.path);
    if (allowed.length === 0 || allowed.includes(req.method)) return next();
    res.setHeader('Allow', allowed.join(', '));
    sendProblem(res, {
      type: 'about:blank',
      title: 'Method Not Allowed',
      status: 405,
      detail: `${req.path} does not take ${req.method}; it takes ${allowed.join(', ')}.`,
      instance: req.originalUrl,
      requestId: requestId(req),
    });
  };
}

import { roleAllows } from './roles.js';

describe('role order viewer < operator < admin', () => {
  it.each([
    ['viewer', 'viewer', true],
    ['viewer', 'operator', false],
    ['viewer', 'admin', false],
    ['operator', 'viewer', true],
    ['operator', 'operator', true],
    ['operator', 'admin', false],
    ['admin', 'viewer', true],
    ['admin', 'operator', true],
    ['admin', 'admin', true],
  ] as const)('%s may act as %s: %s', (have, need, ok) => expect(roleAllows(have, need)).toBe(ok));
});

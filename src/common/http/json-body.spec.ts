import { jsonDepth } from './json-body.js';

describe('jsonDepth', () => {
  it('counts objects and arrays, not scalars', () => {
    expect(jsonDepth(1, 32)).toBe(0);
    expect(jsonDepth(null, 32)).toBe(0);
    expect(jsonDepth({}, 32)).toBe(1);
    expect(jsonDepth({ entities: ['contacts'] }, 32)).toBe(2);
    expect(jsonDepth([{ a: [[1]] }, 2], 32)).toBe(4);
  });

  it('stops counting past the limit, without recursion, however deep the value', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    expect(jsonDepth(deep, 32)).toBe(33);
  });
});

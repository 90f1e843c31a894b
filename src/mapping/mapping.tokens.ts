/** Injection token of the loaded, validated Mapping (src/mapping/mapping.types.ts). */
export const MAPPING = Symbol('Mapping');

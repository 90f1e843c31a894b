export const PLACEHOLDER: string;
export function rootObject(
  xml: string,
): { kind: string; uuid: string; name: string | null; adopted: boolean } | null;
export function bindExtension(opts: { src: string; base: string; out: string }): {
  bound: { kind: string; name: string; uuid: string }[];
  dropped: { kind: string; name: string }[];
};

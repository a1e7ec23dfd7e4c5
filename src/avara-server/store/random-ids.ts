// Uses the Web Crypto global, not node:crypto, so the same code runs in the browser behind MSW.

export type IdPrefix = 'stu' | 'usr' | 'cus' | 'org';

/** A new Avara identifier: the prefix, an underscore and 32 lowercase hex characters. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomHex(16)}`;
}

/** Formats 16 random bytes as a version 4 UUID (sets the version and variant bits), as Avara's API key IDs. */
export function formatUuidV4(bytes: Uint8Array): string {
  const b = Uint8Array.from(bytes);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = toHex(b);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function randomHex(byteCount: number): string {
  return toHex(crypto.getRandomValues(new Uint8Array(byteCount)));
}

/** Lowercase hex of the given bytes. */
export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

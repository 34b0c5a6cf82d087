/**
 * Reads the packed per-key state that applyChanges.lua writes (its header documents the layout).
 */
import type { KeyState, StateLayout } from '../../domain/state.ts';

export function unpackKeyState(buffer: Buffer, layout: StateLayout): KeyState {
  const present = buffer.readUInt8(0) === 1;
  const version = (BigInt(buffer.readUInt32BE(1)) << 32n) | BigInt(buffer.readUInt32BE(5));
  if (!present) return { present, version };
  const day = buffer.readInt32BE(9);
  const rowHash = (BigInt(buffer.readUInt32BE(13)) << 32n) | BigInt(buffer.readUInt32BE(17));
  let at = 21;
  const amounts: bigint[] = [];
  for (let a = 0; a < layout.amounts; a++) {
    const hi = buffer.readDoubleBE(at);
    const lo = buffer.readUInt32BE(at + 8);
    amounts.push(BigInt(hi) * (1n << 32n) + BigInt(lo));
    at += 12;
  }
  at += layout.toast * 8;
  const fingerprints = new Uint8Array(buffer.subarray(at, at + layout.columns * 2));
  return { present, version, day, rowHash, amounts, fingerprints };
}

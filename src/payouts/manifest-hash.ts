// The two hashes a batch is known by on chain. Both are keccak256 over UTF-8 text so anyone
// can recompute them with any keccak library.
import { keccak256, toUtf8Bytes } from 'ethers';
import { canonicalManifestJson, type Manifest } from './manifest';

/** batch_id = keccak256(UTF-8 of the batch uuid, lower-case with hyphens). */
export function batchIdOf(batchUuid: string): string {
  return keccak256(toUtf8Bytes(batchUuid.toLowerCase()));
}

/** manifest_hash = keccak256(UTF-8 of the canonical manifest JSON). */
export function manifestHashOf(manifest: Manifest): string {
  return keccak256(toUtf8Bytes(canonicalManifestJson(manifest)));
}

export function hashText(text: string): string {
  return keccak256(toUtf8Bytes(text));
}

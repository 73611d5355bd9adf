import { SiweMessage } from 'siwe';
import { verifyMessage } from 'ethers';
import { DomainError } from '../common/domain-error';

// Checks an EIP-4361 message and its personal_sign signature against what this deployment
// expects. Nonce bookkeeping happens after this succeeds, so a forged message changes nothing.
export interface VerifiedSignIn {
  address: string;
  nonce: string;
}

export function verifySiwe(params: {
  message: string;
  signature: string;
  domain: string;
  chainId: number;
  now: Date;
}): VerifiedSignIn {
  let parsed: SiweMessage;
  try {
    parsed = new SiweMessage(params.message);
  } catch {
    throw new DomainError('INVALID_SIGNATURE', 'Message is not a valid Sign-In with Ethereum message');
  }
  if (parsed.domain !== params.domain)
    throw new DomainError('INVALID_SIGNATURE', `Message is for domain ${parsed.domain}, expected ${params.domain}`);
  if (Number(parsed.chainId) !== params.chainId)
    throw new DomainError('INVALID_SIGNATURE', `Message is for chain ${parsed.chainId}, expected ${params.chainId}`);
  if (parsed.expirationTime && new Date(parsed.expirationTime).getTime() <= params.now.getTime())
    throw new DomainError('INVALID_SIGNATURE', 'Message has expired');
  if (parsed.notBefore && new Date(parsed.notBefore).getTime() > params.now.getTime())
    throw new DomainError('INVALID_SIGNATURE', 'Message is not valid yet');
  let signer: string;
  try {
    signer = verifyMessage(params.message, params.signature);
  } catch {
    throw new DomainError('INVALID_SIGNATURE', 'Signature is malformed');
  }
  if (signer.toLowerCase() !== parsed.address.toLowerCase())
    throw new DomainError('INVALID_SIGNATURE', 'Signature does not match the message address');
  return { address: parsed.address.toLowerCase(), nonce: parsed.nonce };
}

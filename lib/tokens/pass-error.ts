// Why a pass was refused; the HTTP layer maps every reason to 401/403 problem JSON.
export type PassRefusalReason =
  | 'expired'
  | 'wrong_event'
  | 'unknown_key'
  | 'bad_signature'
  | 'alg_not_allowed'
  | 'invalid_claims'
  | 'malformed';

export class PassError extends Error {
  override readonly name = 'PassError';
  constructor(
    readonly reason: PassRefusalReason,
    message: string,
  ) {
    super(message);
  }
}

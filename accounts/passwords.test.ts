import { decoyHash, hashPassword, verifyPassword } from './passwords.js';

const fast = { N: 1024, r: 8, p: 1 } as const;

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery', fast);
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterz', stored)).toBe(false);
  });

  it('salts every hash, so equal passwords store differently', async () => {
    expect(await hashPassword('same password', fast)).not.toBe(await hashPassword('same password', fast));
  });

  it('treats Unicode-equivalent spellings as the same password', async () => {
    const stored = await hashPassword('caf\u00e9-password', fast);
    expect(await verifyPassword('cafe\u0301-password', stored)).toBe(true);
  });

  it('refuses malformed stored hashes instead of throwing', async () => {
    expect(await verifyPassword('x', 'plaintext')).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$1$2$3$a$b')).toBe(false);
  });

  it('has a decoy hash that no guess matches', async () => {
    expect(await verifyPassword('', await decoyHash())).toBe(false);
  });
});

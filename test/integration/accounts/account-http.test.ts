import { randomUUID } from 'node:crypto';
import { http, startCatalogStack } from '../catalog/catalog-stack.js';

describe('accounts over HTTP (real MariaDB and Redis)', () => {
  let stack: Awaited<ReturnType<typeof startCatalogStack>>;
  const email = () => `fan-${randomUUID()}@example.test`;
  const password = 'a long enough secret';

  beforeAll(async () => {
    stack = await startCatalogStack();
  });
  afterAll(() => stack.close());

  it('signs up, signs in with a session token and cookie, and signs out for good', async () => {
    const address = email();
    const created = await http(`${stack.apiUrl}/api/accounts`, { method: 'POST', body: { email: address, password } });
    expect(created).toMatchObject({ status: 201, body: { email: address, role: 'fan' } });
    expect(created.body).not.toHaveProperty('passwordHash');

    const signedIn = await http(`${stack.apiUrl}/api/sessions`, { method: 'POST', body: { email: address, password } });
    expect(signedIn.status).toBe(201);
    const token = signedIn.body!.token as string;
    const setCookie = signedIn.headers.getSetCookie().find((header) => header.startsWith('corral_session='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    const cookie = setCookie.split(';')[0]!;

    expect(await http(`${stack.apiUrl}/api/sessions/current`, { token })).toMatchObject({ status: 200, body: { account: { email: address } } });
    expect(await http(`${stack.apiUrl}/api/sessions/current`, { cookie })).toMatchObject({ status: 200, body: { account: { email: address } } });

    expect((await http(`${stack.apiUrl}/api/sessions`, { method: 'DELETE', token })).status).toBe(204);
    const after = await http(`${stack.apiUrl}/api/sessions/current`, { cookie });
    expect(after.status).toBe(401);
    expect(after.body!.detail).toMatch(/signed out/);
  });

  it('answers bad sign-ups with a clear 4xx problem', async () => {
    const invalid = await http(`${stack.apiUrl}/api/accounts`, { method: 'POST', body: { email: 'not-an-email', password } });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(invalid.body!.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'email' })]));

    const address = email();
    await http(`${stack.apiUrl}/api/accounts`, { method: 'POST', body: { email: address, password } });
    const duplicate = await http(`${stack.apiUrl}/api/accounts`, { method: 'POST', body: { email: address.toUpperCase(), password } });
    expect(duplicate).toMatchObject({ status: 409, body: { type: 'https://corral.dev/problems/email-taken', issues: [{ path: 'email' }] } });
    expect(duplicate.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await stack.prisma.user.count({ where: { email: address } })).toBe(1);

    const short = await http(`${stack.apiUrl}/api/accounts`, { method: 'POST', body: { email: email(), password: 'short' } });
    expect(short).toMatchObject({ status: 400, body: { issues: [{ path: 'password', message: 'must be at least 10 characters' }] } });
    const missing = await http(`${stack.apiUrl}/api/accounts`, { method: 'POST', body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body!.issues.map((issue: { path: string }) => issue.path).sort()).toEqual(['email', 'password']);
    const notAString = await http(`${stack.apiUrl}/api/sessions`, { method: 'POST', body: { email: ['a@b.c'], password } });
    expect(notAString).toMatchObject({ status: 400, body: { issues: [{ path: 'email' }] } });

    const malformed = await http(`${stack.apiUrl}/api/accounts`, { method: 'POST', body: '{"email": ' });
    expect(malformed).toMatchObject({ status: 400, body: { detail: 'request body is not valid JSON' } });
  });

  it('refuses a wrong password, a forged token and a missing session', async () => {
    const address = email();
    await http(`${stack.apiUrl}/api/accounts`, { method: 'POST', body: { email: address, password } });
    expect((await http(`${stack.apiUrl}/api/sessions`, { method: 'POST', body: { email: address, password: 'wrong password!' } })).status).toBe(401);
    const { body } = await http(`${stack.apiUrl}/api/sessions`, { method: 'POST', body: { email: address, password } });
    const [header, payload] = (body!.token as string).split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'admin' })).toString('base64url')}.${(body!.token as string).split('.')[2]}`;
    expect((await http(`${stack.apiUrl}/api/sessions/current`, { token: forged })).status).toBe(401);
    expect((await http(`${stack.apiUrl}/api/organizations`, { method: 'POST', body: { name: 'X' } })).status).toBe(401);
  });
});

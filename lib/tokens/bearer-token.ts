// Reads `Authorization: Bearer <token>`; every signed token Corral accepts travels this way.
import type { Request } from 'express';

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

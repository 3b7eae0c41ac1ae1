import { BentooError, secretsEqual } from "@bentoo/core";
import type { FastifyRequest } from "fastify";

/** Guards the admin API with BENTOO_ADMIN_TOKEN, compared in constant time. */
export function adminAuth(adminToken: string) {
  return async function authenticateOperator(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization ?? "";
    const token = header.toLowerCase().startsWith("bearer ") ? header.slice(7).trim() : "";
    if (token === "" || !secretsEqual(token, adminToken)) {
      throw new BentooError("invalid_admin_token", 'The admin API needs the operator token: send "Authorization: Bearer $BENTOO_ADMIN_TOKEN".');
    }
  };
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  account_id: string;
  created_at: number;
  expires_at: number;
  source_ip: string | null;
  user_agent: string | null;
}

export interface CreditLedgerTable {
  id: string;
  account_id: string;
  kind: string;
  amount_micros: number;
  request_id: string | null;
  estimated: number;
  created_at: number;
  metadata: string | null;
  api_key_id: string | null;
  admitted_at: number | null;
}

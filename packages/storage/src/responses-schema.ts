/** Stored Responses API responses (migration 007); `input` and `response` are JSON text. */
export interface ResponsesTable {
  id: string;
  account_id: string;
  model: string;
  previous_response_id: string | null;
  created_at: number;
  input: string;
  response: string;
}

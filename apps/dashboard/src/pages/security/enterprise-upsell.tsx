import { planName } from "../../lib/format";

/** What IP allowlisting is, for accounts whose plan does not include it. */
export function EnterpriseUpsell({ plan }: { plan: string }) {
  return (
    <section className="card panel" data-testid="allowlist-upsell" aria-labelledby="upsell-heading">
      <h2 id="upsell-heading">IP allowlisting needs the Enterprise plan</h2>
      <p>
        With an allowlist, a key only works from the IPv4/IPv6 addresses and CIDR blocks you list (for the whole account or per key); requests from anywhere
        else are refused with 403, even with a valid key.
      </p>
      <p>
        Your account is on the <strong>{planName(plan)}</strong> plan. To restrict keys by IP, ask your Bentoo operator (or support@bentoo.ai) to move the
        account to Enterprise.
      </p>
    </section>
  );
}

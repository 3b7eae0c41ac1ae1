import { Link } from "../router/link";

export function NotFoundPage() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is no dashboard page at this address. Go to the <Link to="/">overview</Link> or <Link to="/settings/api-keys">Settings → API Keys</Link>.
      </p>
    </>
  );
}

import { Alert } from "../../components/alert";
import { Link } from "../../router/link";
import { useRouter } from "../../router/router-context";
import { useSession } from "../../session/session-context";
import { AuthForm } from "./auth-form";
import { safeNext } from "./safe-next";

export function SignInPage() {
  const session = useSession();
  const { location, navigate } = useRouter();
  const next = safeNext(location.search.get("next"));
  const expired = session.state.status === "signed-out" && session.state.expired;

  return (
    <AuthForm
      title="Sign in to Bentoo"
      submitLabel="Sign in"
      newPassword={false}
      notice={expired ? <Alert tone="info">Your session has ended. Sign in again to continue.</Alert> : undefined}
      onSubmit={async (email, password) => {
        await session.signIn(email, password);
        navigate(next, { replace: true });
      }}
      footer={
        <>
          New to Bentoo? <Link to={next === "/" ? "/signup" : `/signup?next=${encodeURIComponent(next)}`}>Create an account</Link>
          <br />
          {/* The docs are another site on this server (served at /docs/): a full page load. */}
          <a href="/docs/">Read the API docs</a>
        </>
      }
    />
  );
}

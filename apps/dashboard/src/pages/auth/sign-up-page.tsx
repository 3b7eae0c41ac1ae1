import { Link } from "../../router/link";
import { useRouter } from "../../router/router-context";
import { useSession } from "../../session/session-context";
import { AuthForm } from "./auth-form";
import { safeNext } from "./safe-next";

export function SignUpPage() {
  const session = useSession();
  const { location, navigate } = useRouter();
  const next = safeNext(location.search.get("next"));

  return (
    <AuthForm
      title="Create your Bentoo account"
      submitLabel="Create account"
      newPassword
      onSubmit={async (email, password) => {
        await session.signUp(email, password);
        navigate(next, { replace: true });
      }}
      footer={
        <>
          Already have an account? <Link to={next === "/" ? "/signin" : `/signin?next=${encodeURIComponent(next)}`}>Sign in</Link>
        </>
      }
    />
  );
}

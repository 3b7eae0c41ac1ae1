import type { AnchorHTMLAttributes, MouseEvent } from "react";
import { useRouter } from "./router-context";

interface LinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> {
  to: string;
  /** Marks the link aria-current="page" when the current path starts with `to` (or equals it, for "/"). */
  navigation?: boolean;
}

/** An ordinary <a href> (so open-in-new-tab and copying links work) that navigates in-page on a plain click. */
export function Link({ to, navigation = false, onClick, ...rest }: LinkProps) {
  const { location, navigate } = useRouter();
  const active = navigation && (to === "/" ? location.path === "/" : location.path === to || location.path.startsWith(`${to}/`));

  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };

  return <a href={to} onClick={handleClick} aria-current={active ? "page" : undefined} {...rest} />;
}

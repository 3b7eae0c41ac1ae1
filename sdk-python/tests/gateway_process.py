"""The built Bentoo server as a child process, for the end-to-end tests.

``start_gateway`` runs it exactly as ``npm start`` does (``node apps/gateway/dist/main.js``)
on 127.0.0.1 and an ephemeral port. ``npm test`` builds everything first; without
``node`` or without the build a test class is skipped with the reason, except when
``CI`` is set: then it fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
import unittest
from typing import Callable, Dict, List, Optional, Tuple

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
GATEWAY_MAIN = os.path.join(REPO, "apps", "gateway", "dist", "main.js")

BANNER = re.compile(r"Bentoo is serving on (http://\S+)")
DEMO_KEY = re.compile(r"export BENTOO_API_KEY=(btoo_sk_test_[0-9A-Za-z]{32})")


def require_built(*paths: str) -> None:
    """Skips the calling test class (fails it in CI) unless node and the built ``paths`` exist."""
    missing = []
    if shutil.which("node") is None:
        missing.append("node is not on PATH")
    for path in paths:
        if not os.path.exists(path):
            missing.append("%s is missing (run `npm run build` at the repository root)" % os.path.relpath(path, REPO))
    if missing:
        reason = "end-to-end tests need the built server: " + "; ".join(missing)
        if in_ci():
            raise RuntimeError(reason + " (CI is set, so this is a failure, not a skip)")
        raise unittest.SkipTest(reason)


def in_ci() -> bool:
    return os.environ.get("CI", "") not in ("", "false", "0")


def child_env(extra: Dict[str, str]) -> Dict[str, str]:
    """This process's environment without inherited BENTOO_* settings, plus ``extra``."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("BENTOO_")}
    env.update(extra)
    return env


class Process:
    """A child process whose merged stdout/stderr is read by a thread into ``lines``."""

    def __init__(self, argv: List[str], env: Dict[str, str], cwd: str = REPO) -> None:
        self.argv = argv
        self.popen = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace")
        self.lines: List[str] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            with self._lock:
                self.lines.append(line)

    def output(self) -> str:
        with self._lock:
            return "".join(self.lines)

    def wait_for(self, what: str, ready: Callable[[str], bool], timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.output()
            if ready(text):
                return text
            if self.popen.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("%s: %s did not start (exit code %r):\n%s" % (
                    what, " ".join(self.argv), self.popen.returncode, text))
            time.sleep(0.05)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
        self._reader.join(timeout=5)
        if self.popen.stdout is not None:
            self.popen.stdout.close()


def start_gateway(env: Dict[str, str]) -> Tuple[Process, str, Optional[str]]:
    """Starts the built server; returns it, its origin and the demo test key (if seeded)."""
    seeded = env.get("BENTOO_SEED_DEMO") != "false"
    process = Process(
        ["node", "apps/gateway/dist/main.js"],
        child_env(dict({"HOST": "127.0.0.1", "PORT": "0", "BENTOO_LOG_LEVEL": "warn"}, **env)))
    text = process.wait_for(
        "the built server",
        lambda out: BANNER.search(out) is not None and (not seeded or DEMO_KEY.search(out) is not None))
    key = DEMO_KEY.search(text)
    return process, BANNER.search(text).group(1), key.group(1) if key else None  # type: ignore[union-attr]

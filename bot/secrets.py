"""Server-side secrets: from the environment, else generated once into var/ (mode 0600).

Production sets every secret in the environment (docs/deploy.md). On a developer machine `make
serve`, `make chat` and the tests run several processes from one checkout (Rasa, the action server,
the agent console); they find the same generated value in var/ without anyone typing a secret.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SECRET_DIR = REPO_ROOT / "var"

# name of the environment variable -> file under var/ used when it is unset
ACTION_SERVER_TOKEN = "ACTION_SERVER_TOKEN"  # Rasa -> action server (bot/action_auth.py)
RASA_JWT_SECRET = "RASA_JWT_SECRET"  # signs the agent console's tokens for Rasa's HTTP API
IDENTITY_SECRET = "YIBAO_IDENTITY_SECRET"  # HMAC key: verification tokens, ID-number keys, web cookies
FILES = {ACTION_SERVER_TOKEN: "action_server_token", RASA_JWT_SECRET: "rasa_jwt_secret",
         IDENTITY_SECRET: "identity_secret"}


def secret(name: str) -> str:
    """The secret `name` (one of FILES): the environment's value, else the one stored in var/."""
    value = os.environ.get(name, "").strip()
    return value or _stored(SECRET_DIR / FILES[name])


def _stored(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # O_EXCL: of several processes starting together exactly one writes the value
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_when_written(path)
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(32))
    return _read_when_written(path)


def _read_when_written(path: Path) -> str:
    for _ in range(50):  # the creating process may not have written yet
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty: delete it to generate a new secret")


def secret_file(name: str) -> Path:
    """A 0600 file holding the secret, for programs that take a path: `rasa run --jwt-secret <path>`
    (sanic-jwt reads a key from a file when given a path), so the value never appears on a command
    line, which every local user can read. A value from the environment is written there first."""
    value = os.environ.get(name, "").strip()
    if not value:
        secret(name)  # generates the file when it is missing
        return SECRET_DIR / FILES[name]
    # Named by a digest of the value: never overwrites the generated one, and equal values share it.
    path = SECRET_DIR / f"{FILES[name]}.{hashlib.sha256(value.encode()).hexdigest()[:12]}"
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(value)
    return path


def export_lines() -> str:
    """`export NAME='value'` for every secret, for scripts/run_assistant.sh (values are URL-safe)."""
    return "\n".join(f"export {name}='{secret(name)}'" for name in FILES)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--export"]:
        print(export_lines())
    elif sys.argv[1:] == ["--jwt-secret-file"]:
        print(secret_file(RASA_JWT_SECRET))
    else:
        sys.exit("usage: python -m bot.secrets --export | --jwt-secret-file")

"""The Django secret key: from KIEUMAU_SECRET_KEY, else generated once into var/secret_key.

The key is never committed: it lives only in var/ (git-ignored) with mode 0600.
"""

import os
import secrets
from pathlib import Path


def load_or_create_secret_key(var: Path) -> str:
    """Return the secret key, creating var/secret_key atomically on first run."""
    if os.environ.get("KIEUMAU_SECRET_KEY"):
        return os.environ["KIEUMAU_SECRET_KEY"]
    path = var / "secret_key"
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(secrets.token_urlsafe(64))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()

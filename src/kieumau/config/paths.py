"""Where kieumau keeps its runtime state (database, secret key, uploads): the `var/` folder.

`KIEUMAU_HOME` overrides the root; otherwise the source checkout that holds pyproject.toml
(editable installs) or the current directory.
"""

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def project_root() -> Path:
    """The folder whose `var/` holds state; never inside site-packages for a checkout."""
    if os.environ.get("KIEUMAU_HOME"):
        return Path(os.environ["KIEUMAU_HOME"]).resolve()
    checkout = _PACKAGE_DIR.parent.parent
    if (checkout / "pyproject.toml").exists():
        return checkout
    return Path.cwd()


def var_dir() -> Path:
    """The state folder, created on first use."""
    path = Path(os.environ.get("KIEUMAU_VAR_DIR") or project_root() / "var")
    path.mkdir(parents=True, exist_ok=True)
    return path

"""Where the preset files live: the repository's top-level directories in a checkout (the
canonical, editable copies), or the copies a wheel carries inside the package.

``pip install .`` (or a wheel) copies ``scenarios/`` to ``lspsim/presets/`` and
``experiments/`` to ``lspsim/experiments/`` at build time (see setup.py). An editable install
or ``PYTHONPATH=.`` runs from the checkout and reads the repository's directories directly.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

# repository directory -> directory inside the installed package (setup.py copies these)
SHIPPED_DIRS = {"scenarios": "presets", "experiments": "experiments"}


def data_dir(repo_name: str) -> Path:
    """The repository's ``repo_name`` directory when running from a checkout (a pyproject.toml
    beside the package), else the package's shipped copy of it."""
    root = PACKAGE_DIR.parent
    if (root / "pyproject.toml").is_file() and (root / repo_name).is_dir():
        return root / repo_name
    return PACKAGE_DIR / SHIPPED_DIRS[repo_name]

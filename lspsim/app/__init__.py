"""The trainers' web app (Solara): watch a partnership work, change it, compare what-ifs,
all offline. Start it with ``lspsim app``; the page is ``lspsim/app/app.py``.

Importing this package does not import Solara: ``lspsim.app.cli`` must load without the app's
optional dependencies so that ``lspsim --help`` works on a plain install.
"""

from pathlib import Path

APP_PATH = Path(__file__).with_name("app.py")

__all__ = ["APP_PATH"]

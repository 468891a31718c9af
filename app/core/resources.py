"""Where Parley's bundled files (the app icon) are: installed, frozen, or in a checkout.

The files live in the repository's `resources/` folder, which is installed as the package
`parley_resources` (see pyproject.toml). Qt needs real file paths, so this returns paths and
never extracts anything to a temporary folder.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: the installed name of the repository's resources/ folder
PACKAGE = "parley_resources"
#: the PNG sizes rendered by scripts/render_icons.py
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)

_CHECKOUT = Path(__file__).resolve().parents[2] / "resources"


def resources_path() -> Path | None:
    """The folder holding Parley's resources, or None when it cannot be found."""
    try:
        root = resources.files(PACKAGE)
    except ModuleNotFoundError:
        root = None
    # A plain folder on disk (wheel install, editable install, PyInstaller bundle);
    # a zip import would give a zipfile.Path, which Qt cannot open.
    if isinstance(root, Path) and (root / "icons").is_dir():
        return root
    if (_CHECKOUT / "icons").is_dir():
        return _CHECKOUT
    return None


def icon_files() -> list[Path]:
    """The app icon's PNGs from small to large (the SVG if there are none); may be empty."""
    root = resources_path()
    if root is None:
        return []
    icons = root / "icons"
    # Pre-rendered sizes stay crisp and need no SVG plugin (which a frozen app may lack).
    pngs = [icons / "hicolor" / f"{n}x{n}" / "apps" / "parley.png" for n in ICON_SIZES]
    found = [p for p in pngs if p.is_file()]
    svg = icons / "parley.svg"
    return found or ([svg] if svg.is_file() else [])

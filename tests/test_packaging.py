"""Packaging checks that stay fast: icons, desktop integration files, the PyInstaller spec,
the package list, and (in CI) the wheel's contents.

The frozen app itself is built and smoke-tested by packaging/build_and_smoke.sh, not here:
a PyInstaller build takes about half a minute.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from configparser import ConfigParser
from pathlib import Path

import pytest

from app import __version__
from app.core.resources import ICON_SIZES, icon_files, resources_path

ROOT = Path(__file__).resolve().parents[1]
APP_ID = "io.github.parley.Parley"
LINUX = ROOT / "packaging" / "linux"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
SPEC = ROOT / "packaging" / "parley.spec"
ICONS = ROOT / "resources" / "icons"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def validator(tool: str, apt_package: str) -> str:
    """Path of a validator; skipped when missing, except in CI, which installs it."""
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} is not installed (Debian package {apt_package})"
        if IN_CI:
            pytest.fail(f"{message}, but CI must install it")
        pytest.skip(message)
    return path


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def desktop_entry() -> dict[str, str]:
    parser = ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DESKTOP, encoding="utf-8")
    return dict(parser["Desktop Entry"])


# --- icons and resources ---------------------------------------------------------------


def test_svg_icon_is_plain_svg() -> None:
    root = ET.parse(ICONS / "parley.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 512 512"
    # Qt's SVG Tiny renderer ignores text, filters and masks: keep the icon to shapes.
    tags = {el.tag.rpartition("}")[2] for el in root.iter()}
    assert not tags & {"text", "filter", "mask", "image", "foreignObject"}


@pytest.mark.parametrize("size", ICON_SIZES)
def test_png_icon_exists_at_its_size(size: int) -> None:
    path = ICONS / "hicolor" / f"{size}x{size}" / "apps" / "parley.png"
    assert path.is_file(), "run: python scripts/render_icons.py"
    assert png_size(path) == (size, size)


def test_resources_are_found_with_every_icon_size() -> None:
    root = resources_path()
    assert root is not None
    files = icon_files()
    assert [png_size(p)[0] for p in files] == list(ICON_SIZES)


# --- setuptools configuration --------------------------------------------------------------


def test_every_app_package_is_listed_in_pyproject() -> None:
    # pyproject.toml lists packages by hand (it maps resources/ to parley_resources, which
    # find cannot do): a new package under app/ must be added there or it is not installed.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "app").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    missing = sorted(on_disk - listed)
    assert not missing, f"add {missing} to [tool.setuptools] packages in pyproject.toml"
    assert config["tool"]["setuptools"]["package-dir"]["parley_resources"] == "resources"


@pytest.mark.skipif(
    not IN_CI and not os.environ.get("PARLEY_TEST_WHEEL"),
    reason="builds a wheel with pip, which fetches setuptools from PyPI; "
    "runs in CI or with PARLEY_TEST_WHEEL=1",
)
def test_wheel_contains_icons_and_all_packages(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        check=True, timeout=180, capture_output=True,
    )
    (wheel,) = tmp_path.glob("parley-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "parley_resources/__init__.py" in names
    assert "parley_resources/icons/parley.svg" in names
    for size in ICON_SIZES:
        assert f"parley_resources/icons/hicolor/{size}x{size}/apps/parley.png" in names
    from app.ui.icons import available_icons

    for name in available_icons():
        assert f"app/ui/lucide/{name}.svg" in names
    assert "app/ui/lucide/LICENSE" in names
    for module in ("app/cli/__init__.py", "app/main.py", "app/core/resources.py", "app/py.typed"):
        assert module in names
    py_files = {str(p.relative_to(ROOT)) for p in (ROOT / "app").rglob("*.py")}
    assert py_files <= names, f"missing from the wheel: {sorted(py_files - names)}"


# --- desktop integration -----------------------------------------------------------------


def test_desktop_file_validates() -> None:
    tool = validator("desktop-file-validate", "desktop-file-utils")
    result = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout + result.stderr


def test_metainfo_validates() -> None:
    tool = validator("appstreamcli", "appstream")
    result = subprocess.run(
        [tool, "validate", "--no-net", str(METAINFO)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_desktop_file_matches_the_app() -> None:
    entry = desktop_entry()
    assert entry["Exec"].split()[0] == "parley"
    assert entry["Icon"] == APP_ID
    # Wayland compositors match a window to its .desktop file by the app id Qt announces
    # (setDesktopFileName); X11 ones by WM_CLASS, whose instance is the executable's name.
    announced = re.search(r'setDesktopFileName\("([^"]+)"\)', (ROOT / "app" / "main.py").read_text())
    assert announced is not None
    assert announced.group(1) in {APP_ID, entry["StartupWMClass"]}
    assert entry["StartupWMClass"] == "parley"


def test_metainfo_matches_the_app() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("provides/binary") == "parley"
    assert root.find("content_rating") is not None
    releases = [r.get("version") for r in root.iter("release")]
    assert releases and releases[0] == __version__, "add a <release> for the new version"
    for image in root.iter("image"):
        name = (image.text or "").rsplit("/", 1)[-1]
        assert (ROOT / "docs" / "screenshots" / name).is_file(), f"missing screenshot {name}"


# --- PyInstaller and the entry points -------------------------------------------------------


def test_icon_set_ships_as_package_data_and_in_the_frozen_app() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    data = config["tool"]["setuptools"]["package-data"]["app.ui"]
    assert "lucide/*.svg" in data and "lucide/LICENSE" in data
    spec = SPEC.read_text()
    assert '"lucide" / "*.svg"), "app/ui/lucide"' in spec
    assert '"lucide" / "LICENSE"), "app/ui/lucide"' in spec


def test_pyinstaller_spec_parses_and_names_the_entry_point() -> None:
    source = SPEC.read_text(encoding="utf-8")
    ast.parse(source, filename=str(SPEC))
    assert '"pyinstaller_entry.py"' in source
    assert 'name="parley"' in source
    entry = ast.parse((ROOT / "packaging" / "pyinstaller_entry.py").read_text())
    imports = [n for n in ast.walk(entry) if isinstance(n, ast.ImportFrom)]
    assert any(n.module == "app.cli" and n.names[0].name == "main" for n in imports)
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["project"]["scripts"]["parley"] == "app.cli:main"


def test_python_m_app_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "--version"],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=True,
    )
    assert result.stdout.strip() == f"parley {__version__}"


# --- Flatpak (the manifest is not built here; these catch drift from pyproject.toml) -------


def test_flatpak_manifest_names_the_app_and_its_files() -> None:
    flatpak = ROOT / "packaging" / "flatpak"
    manifest = (flatpak / f"{APP_ID}.yml").read_text(encoding="utf-8")
    assert re.search(rf"^id: {re.escape(APP_ID)}$", manifest, re.M)
    assert re.search(r"^command: parley$", manifest, re.M)
    assert "--share=network" in manifest
    assert "--talk-name=org.freedesktop.secrets" in manifest
    for path in re.findall(r"install -Dm644 (\S+)", manifest):
        if "$" not in path:
            assert (ROOT / path).is_file(), path
    assert "- python3-deps.yml" in manifest


def test_flatpak_wheels_cover_every_dependency() -> None:
    deps = (ROOT / "packaging" / "flatpak" / "python3-deps.yml").read_text(encoding="utf-8")
    wheels = {
        re.sub(r"[-_.]+", "-", name).lower()
        for name in re.findall(r"/([^/\s]+?)-\d[^/\s]*\.whl$", deps, re.M)
    }
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = {
        re.sub(r"[-_.]+", "-", re.split(r"[<>=!~;\[ ]", dep, maxsplit=1)[0]).lower()
        for dep in config["project"]["dependencies"]
    }
    missing = sorted(wanted - wheels)
    assert not missing, (
        f"{missing} not in python3-deps.yml: run "
        "python3.13 packaging/flatpak/generate_python_deps.py"
    )
    assert "files.pythonhosted.org" in deps
    assert "file://" not in deps.replace('file://${PWD}', "")


def test_the_frozen_entry_runs_the_formula_typesetter_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """The frozen app has no `python -m`: its math child is the executable itself."""
    from app.ui import math_typeset

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    command = math_typeset._worker_command()
    assert command == [sys.executable, "--math-worker"]
    request = '{"id": 7, "source": "$x^2$", "color": "#000000", "size": 16, "dpr": 1}\n'
    done = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "pyinstaller_entry.py"), "--math-worker"],
        input=request, capture_output=True, text=True, timeout=120, cwd=ROOT, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.splitlines()[0])
    assert answer["id"] == 7 and answer["svg"].startswith("<svg")

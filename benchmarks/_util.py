"""Small shared helpers for the benchmarks: statistics, tables, temp homes, the fake server.

Every benchmark measures its own baseline in the same run (the machines are shared and
noisy), prints figures and ratios, and never asserts on timing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# `tests.fake_openrouter` and `app` are imported from the checkout, not site-packages.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@dataclass(frozen=True)
class Summary:
    """Order statistics of one series of samples (seconds)."""

    n: int
    median: float
    p90: float
    minimum: float
    maximum: float

    @classmethod
    def of(cls, samples: Sequence[float]) -> Summary:
        if not samples:
            raise ValueError("no samples")
        ordered = sorted(samples)
        # Nearest-rank p90: with 10 samples it is the 9th, never an interpolation.
        rank = max(1, -(-9 * len(ordered) // 10))
        return cls(
            n=len(ordered),
            median=statistics.median(ordered),
            p90=ordered[rank - 1],
            minimum=ordered[0],
            maximum=ordered[-1],
        )


def ms(seconds: float) -> str:
    """Seconds as milliseconds with a precision that suits the size."""
    value = seconds * 1000
    if value < 10:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:.0f}"


def ratio(a: float, b: float) -> str:
    """a/b as '1.23x' ('n/a' when b is zero)."""
    return f"{a / b:.2f}x" if b > 0 else "n/a"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A plain, aligned text table (first column left-aligned, the rest right-aligned)."""
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "  ".join(parts).rstrip()

    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))


@contextlib.contextmanager
def temp_home(prefix: str = "parley-bench-") -> Iterator[Path]:
    """A fresh, empty PARLEY_HOME folder, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a benchmark subprocess: this one, minus anything that would
    point Parley at a real endpoint or key, plus `extra`."""
    env = dict(os.environ)
    for name in ("OPENROUTER_API_KEY", "OPENROUTER_BASE_URL", "PARLEY_HOME"):
        env.pop(name, None)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO), env.get("PYTHONPATH", "")) if p
    )
    env.update(extra)
    return env


def ensure_bytecode() -> str:
    """Compile app/ to .pyc, as `pip install` does for an installed Parley.

    With an editable install and $PYTHONDONTWRITEBYTECODE set (this machine's shells set
    it), every start would otherwise compile Parley's sources again (~50 ms), a cost no
    installed copy pays. Returns a line for the report.
    """
    import compileall

    root = Path(__file__).resolve().parents[1] / "app"
    compileall.compile_dir(str(root), quiet=1)
    flag = "set" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "not set"
    return f"bytecode: app/ compiled as an install would (PYTHONDONTWRITEBYTECODE {flag})"


def header(title: str, note: str = "") -> None:
    print(f"\n== {title}")
    if note:
        print(note)
    cpus = os.cpu_count() or 0
    print(f"python {sys.version.split()[0]}, {cpus} CPUs, {sys.platform}")

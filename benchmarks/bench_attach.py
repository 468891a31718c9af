"""Attaching files: ingesting a 12-megapixel photo, and building the request that carries it.

`ingest_file` is blocking (it reads, decodes and downscales): the window runs it on a worker
thread, never on the GUI thread, so its time shows as a chip that is ready later, not as a
frozen window. Measured against baselines from the same run:

- reading the photo's bytes (the least any attach can cost);
- hashing them (SHA-256, what the content-addressed store needs anyway);

then `ingest_file` of the 12 MP JPEG (decode at reduced scale + downscale to 2048 px +
store both), of the same photo already stored (dedup), of a PNG screenshot that needs no
downscale, and the request body for a prompt with the photo (base64 data URL of the
downscaled copy). Nothing asserts on time.

    python benchmarks/bench_attach.py [--rounds R]
"""

from __future__ import annotations

import argparse
import io
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from _util import Summary, header, ms, print_table, ratio, temp_home

from app.core.attachments import AttachmentFiles, ingest_file, sha256_hex


def _photo(path: Path) -> None:
    """A 4000 × 3000 JPEG with photo-like detail (noise over a gradient), about 4-6 MB."""
    from PIL import Image

    base = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    noise = Image.effect_noise((4000, 3000), 60).convert("RGB")
    Image.blend(base, noise, 0.35).save(path, "JPEG", quality=92)


def _screenshot(path: Path) -> None:
    from PIL import Image

    Image.effect_noise((1600, 1000), 30).convert("RGB").save(path, "PNG")


def _time(fn: Callable[[], object], rounds: int, setup: Callable[[], None] | None = None
          ) -> Summary:
    samples: list[float] = []
    for _ in range(rounds):
        if setup is not None:
            setup()
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return Summary.of(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with temp_home("parley-bench-attach-") as home:
        photo = home / "photo.jpg"
        shot = home / "screenshot.png"
        _photo(photo)
        _screenshot(shot)
        store_dir = home / "attachments"
        files = AttachmentFiles(store_dir)

        def fresh() -> None:
            shutil.rmtree(store_dir, ignore_errors=True)

        read = _time(photo.read_bytes, args.rounds)
        hashed = _time(lambda: sha256_hex(photo.read_bytes()), args.rounds)
        ingest = _time(lambda: ingest_file(photo, files), args.rounds, setup=fresh)
        attachment = ingest_file(photo, files)
        again = _time(lambda: ingest_file(photo, files), args.rounds)
        png = _time(lambda: ingest_file(shot, files), args.rounds, setup=fresh)

        from app.core.chat import user_content
        from app.core.domain import Message, Role

        attachment = ingest_file(photo, files)
        msg = Message(1, 1, Role.USER, "What is in this photo?", attachments=[attachment])
        body = _time(lambda: user_content(msg, files), args.rounds)
        sent = files.read(attachment.sent_sha256 or attachment.sha256)

        from PIL import Image

        with Image.open(io.BytesIO(sent)) as img:
            sent_size = img.size

        header("bench_attach",
               f"12 MP JPEG {photo.stat().st_size / 2**20:.1f} MB -> sent copy "
               f"{sent_size[0]}×{sent_size[1]} {len(sent) / 2**10:.0f} KB; "
               f"{args.rounds} rounds, median (p90)")
        rows = [
            ["baseline: read the photo's bytes", f"{ms(read.median)} ({ms(read.p90)})", "",
             ""],
            ["baseline: read + SHA-256", f"{ms(hashed.median)} ({ms(hashed.p90)})",
             ratio(hashed.median, read.median), "x read"],
            ["ingest_file: 12 MP photo, new", f"{ms(ingest.median)} ({ms(ingest.p90)})",
             ratio(ingest.median, read.median), "x read; worker thread"],
            ["ingest_file: same photo again", f"{ms(again.median)} ({ms(again.p90)})",
             ratio(again.median, read.median), "x read; stored once"],
            ["ingest_file: 1600×1000 PNG", f"{ms(png.median)} ({ms(png.p90)})", "",
             "no downscale"],
            ["content parts with the photo", f"{ms(body.median)} ({ms(body.p90)})",
             ratio(body.median, read.median), "x read; base64 of the copy"],
        ]
        print_table(["measurement", "ms", "ratio", "note"], rows)


if __name__ == "__main__":
    main()

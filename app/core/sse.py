"""A small, fast server-sent-events decoder for chat-completion streams.

Works on raw bytes as they come off the socket, so a read that carries many events is
split once. Follows the SSE rules that matter for OpenAI-style streams: lines end in LF,
CRLF or CR; lines starting with ":" are comments (OpenRouter's keep-alives); several
`data:` lines in one event are joined with "\\n"; a blank line ends the event. Other fields
(`event:`, `id:`, `retry:`) are ignored: chat streams do not use them.
"""

from __future__ import annotations

from collections.abc import Callable

DONE = b"[DONE]"


class SSEDecoder:
    """Feed bytes, get complete `data` payloads (bytes) through `on_data`."""

    __slots__ = ("_buffer", "_on_data", "comments")

    def __init__(self, on_data: Callable[[bytes], None]) -> None:
        self._buffer = b""
        self._on_data = on_data
        #: keep-alive comments seen (": OPENROUTER PROCESSING"); useful to tell a live stall
        self.comments = 0

    def feed(self, chunk: bytes) -> None:
        """Decode the events `chunk` completes; keep an unfinished one for the next call."""
        buffer = self._buffer + chunk if self._buffer else chunk
        if b"\r" in buffer:
            # CRLF and lone CR are rare; normalise them instead of slowing the LF path.
            if buffer.endswith(b"\r"):
                # A CR at the very end may be the first half of a CRLF: wait for more.
                self._buffer = buffer
                return
            buffer = buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        # A blank line ends an event, so splitting on it yields whole events; the last
        # piece is unfinished. Nearly every event is one "data: ..." line: hand its
        # payload over without looking at it line by line.
        events = buffer.split(b"\n\n")
        self._buffer = events.pop()
        on_data = self._on_data
        for event in events:
            if event[:6] == b"data: " and b"\n" not in event:
                on_data(event[6:])
            elif event:
                self._parse_event(event)

    def _parse_event(self, event: bytes) -> None:
        """The general case: comments, several data lines, other fields, stray blank lines."""
        data: list[bytes] = []
        for line in event.split(b"\n"):
            if not line:
                # A blank line inside the piece (three newlines in a row) ends an event.
                if data:
                    self._on_data(b"\n".join(data))
                    data = []
            elif line.startswith(b"data:"):
                value = line[5:]
                data.append(value[1:] if value.startswith(b" ") else value)
            elif line[0] == 0x3A:  # ":" comment / keep-alive
                self.comments += 1
            # any other field (event:, id:, retry:) is irrelevant to chat streams
        if data:
            self._on_data(b"\n".join(data))

    def close(self) -> None:
        """End of stream: dispatch a last event that lacked its blank line."""
        pending, self._buffer = self._buffer, b""
        self.feed(pending + b"\n\n")

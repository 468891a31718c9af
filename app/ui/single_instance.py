"""One Parley per data folder: a later `parley --quick` asks the running one to act.

The running Parley listens on a local socket (QLocalServer: a Unix socket, or a named pipe
on Windows) whose name is derived from the user's home and the data folder, so two data
folders ($PARLEY_HOME) are two independent Parleys. A launch with a command connects,
sends one line (e.g. "quick"), waits for "ok" and exits.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

#: commands a later launch may send
COMMANDS = frozenset({"quick", "show"})
#: how long a launch waits for the running Parley to connect and answer
CONNECT_MS = 1000
ANSWER_MS = 5000


def server_name(data_folder: Path) -> str:
    """The socket name of the Parley using `data_folder` (per user, per folder)."""
    key = f"{Path.home()}\0{Path(data_folder).resolve()}"
    return "parley-" + hashlib.sha256(key.encode()).hexdigest()[:20]


def hand_over(data_folder: Path, command: str) -> bool | None:
    """Ask the Parley running on `data_folder` to carry out `command`.

    True: it answered "ok". None: none is running. False: one is there but did not answer.
    """
    socket = QLocalSocket()
    socket.connectToServer(server_name(data_folder))
    if not socket.waitForConnected(CONNECT_MS):
        return None
    socket.write(command.encode() + b"\n")
    socket.waitForBytesWritten(CONNECT_MS)
    answer = b""
    while b"\n" not in answer and socket.waitForReadyRead(ANSWER_MS):
        answer += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return answer.strip() == b"ok"


class InstanceServer(QObject):
    """Listens for later launches; emits what they ask for."""

    #: a known command from a later launch ("quick", "show")
    commandReceived = Signal(str)

    def __init__(self, data_folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(data_folder)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        """Start listening; False when another live Parley already has the name."""
        if hand_over_probe(self.name):
            log.info("Another Parley listens for this data folder; not taking over")
            return False
        # A socket file left by a Parley that died would refuse the name.
        QLocalServer.removeServer(self.name)
        if not self.server.listen(self.name):
            log.warning("Cannot listen for other launches: %s", self.server.errorString())
            return False
        log.info("Listening for other launches of Parley")
        return True

    def close(self) -> None:
        """Stop listening (at exit)."""
        self.server.close()

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            buffer = bytearray()

            def read(socket: QLocalSocket = socket, buffer: bytearray = buffer) -> None:
                buffer.extend(bytes(socket.readAll().data()))
                if b"\n" not in buffer:
                    if len(buffer) > 256:
                        socket.abort()
                    return
                command = bytes(buffer).split(b"\n", 1)[0].decode(errors="replace").strip()
                known = command in COMMANDS
                socket.write(b"ok\n" if known else b"unknown\n")
                socket.flush()
                socket.disconnectFromServer()
                if known:
                    log.info("Another launch asked for %r", command)
                    self.commandReceived.emit(command)

            socket.readyRead.connect(read)
            socket.disconnected.connect(socket.deleteLater)


def hand_over_probe(name: str) -> bool:
    """True when something answers on `name` (a live Parley), without sending anything."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    alive = socket.waitForConnected(200)
    if alive:
        socket.abort()
    return alive

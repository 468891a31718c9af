"""A minimal system tray host for tests: owns the X11 `_NET_SYSTEM_TRAY_S<screen>` selection.

That selection is how an X11 desktop says "there is a tray" (freedesktop System Tray
Protocol); with it, Qt's QSystemTrayIcon.isSystemTrayAvailable() is True and icons ask to
dock. Docking requests are left unanswered: the tests look at Parley's side only.

    DISPLAY=:99 python -m tests.tray_host    # prints "ready", runs until stdin closes
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys


def main() -> int:
    """Own the tray selection until stdin is closed."""
    name = ctypes.util.find_library("X11")
    if name is None:
        sys.stdout.write("no libX11\n")
        return 2
    x = ctypes.CDLL(name)
    x.XOpenDisplay.restype = ctypes.c_void_p
    x.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x.XDefaultScreen.argtypes = [ctypes.c_void_p]
    x.XRootWindow.restype = ctypes.c_ulong
    x.XRootWindow.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x.XCreateSimpleWindow.restype = ctypes.c_ulong
    x.XCreateSimpleWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int,
                                      ctypes.c_int, ctypes.c_uint, ctypes.c_uint,
                                      ctypes.c_uint, ctypes.c_ulong, ctypes.c_ulong]
    x.XInternAtom.restype = ctypes.c_ulong
    x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x.XSetSelectionOwner.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong,
                                     ctypes.c_ulong]
    x.XGetSelectionOwner.restype = ctypes.c_ulong
    x.XGetSelectionOwner.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    x.XFlush.argtypes = [ctypes.c_void_p]
    x.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x.XCloseDisplay.argtypes = [ctypes.c_void_p]

    display = x.XOpenDisplay(None)
    if not display:
        sys.stdout.write("no display\n")
        return 2
    screen = x.XDefaultScreen(display)
    window = x.XCreateSimpleWindow(display, x.XRootWindow(display, screen), 0, 0, 1, 1, 0, 0, 0)
    selection = x.XInternAtom(display, f"_NET_SYSTEM_TRAY_S{screen}".encode(), 0)
    x.XSetSelectionOwner(display, selection, window, 0)  # 0: CurrentTime
    x.XSync(display, 0)
    if x.XGetSelectionOwner(display, selection) != window:
        sys.stdout.write("selection taken\n")
        return 1
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.read()
    x.XCloseDisplay(display)
    return 0


if __name__ == "__main__":
    sys.exit(main())

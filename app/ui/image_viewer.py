"""A dialog that shows one image large: fit to the window, zoom, 100 %, Save as…."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QImage, QKeyEvent, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

translate = QCoreApplication.translate

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.05, 16.0


def save_image_as(parent: QWidget, data: bytes, name: str) -> None:
    """Ask where to save an image and write its bytes exactly; a failure is said, not raised."""
    target, _ = QFileDialog.getSaveFileName(parent, translate("Parley", "Save image"), name)
    if not target:
        return
    try:
        Path(target).write_bytes(data)
    except OSError as exc:
        QMessageBox.warning(
            parent, translate("Parley", "Image not saved"),
            translate("Parley", "Could not write {path}: {error}.").format(
                path=target, error=exc.strerror or exc),
        )


class _Scroll(QScrollArea):
    """Ctrl+wheel zooms instead of scrolling."""

    def __init__(self, viewer: ImageViewer) -> None:
        super().__init__(viewer)
        self.viewer = viewer

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt API)
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.viewer.zoom_by(ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP)
            event.accept()
            return
        super().wheelEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        # The visible area decides the fitted size (the dialog's own resize comes first).
        if self.viewer.fit:
            self.viewer.fit_to_window()


class ImageViewer(QDialog):
    """The image at full resolution, fitted to the window until the user zooms."""

    def __init__(
        self, path: Path | None, name: str, parent: QWidget | None = None,
        *, data: bytes | None = None, image: QImage | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("imageViewer")
        self.setWindowTitle(name)
        self.name = name
        self.path = path
        self._data = data
        # Callers decode large images on a worker thread and pass them in as `image`.
        self.image = image if image is not None else QImage()
        if image is None and data is not None:
            self.image.loadFromData(data)
        elif image is None and path is not None:
            self.image.load(str(path))
        self.zoom = 1.0
        self.fit = True
        self.label = QLabel(self)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setAccessibleName(name)
        self.scroll_area = _Scroll(self)
        self.scroll_area.setWidget(self.label)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll_area.setWidgetResizable(False)
        buttons = QHBoxLayout()
        self.fit_button = QPushButton(translate("Parley", "Fit"), self)
        self.actual_button = QPushButton(translate("Parley", "100 %"), self)
        self.zoom_out_button = QPushButton("−", self)
        self.zoom_in_button = QPushButton("+", self)
        self.save_button = QPushButton(translate("Parley", "Save as…"), self)
        self.zoom_out_button.setAccessibleName(translate("Parley", "Zoom out"))
        self.zoom_in_button.setAccessibleName(translate("Parley", "Zoom in"))
        for b in (self.fit_button, self.actual_button, self.zoom_out_button,
                  self.zoom_in_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.scroll_area, 1)
        layout.addLayout(buttons)
        self.fit_button.clicked.connect(self.fit_to_window)
        self.actual_button.clicked.connect(lambda: self.set_zoom(1.0))
        self.zoom_in_button.clicked.connect(lambda: self.zoom_by(ZOOM_STEP))
        self.zoom_out_button.clicked.connect(lambda: self.zoom_by(1 / ZOOM_STEP))
        self.save_button.clicked.connect(self.save_as)
        self.resize(900, 700)
        self._render()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        # + / - zoom (with or without Ctrl), 0 shows 100 %.
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(ZOOM_STEP)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_by(1 / ZOOM_STEP)
        elif key == Qt.Key.Key_0:
            self.set_zoom(1.0)
        else:
            super().keyPressEvent(event)

    def _fit_zoom(self) -> float:
        if self.image.isNull():
            return 1.0
        area = self.scroll_area.viewport().size()
        return float(min(1.0, area.width() / self.image.width(),
                         area.height() / self.image.height()))

    def fit_to_window(self) -> None:
        """Show the whole image (never enlarged beyond 100 %)."""
        self.fit = True
        self._render()

    def set_zoom(self, zoom: float) -> None:
        """Show the image at `zoom` (1.0 = one image pixel per screen pixel)."""
        self.fit = False
        self.zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        self._render()

    def zoom_by(self, factor: float) -> None:
        """Zoom in (factor > 1) or out from what is shown now."""
        current = self._fit_zoom() if self.fit else self.zoom
        self.set_zoom(current * factor)

    def _render(self) -> None:
        if self.image.isNull():
            self.label.setText(translate("Parley", "This image cannot be shown."))
            self.label.adjustSize()
            return
        zoom = self._fit_zoom() if self.fit else self.zoom
        self.zoom = zoom
        w, h = max(1, round(self.image.width() * zoom)), max(1, round(self.image.height() * zoom))
        mode = (Qt.TransformationMode.SmoothTransformation if zoom < 1
                else Qt.TransformationMode.FastTransformation)
        self.label.setPixmap(QPixmap.fromImage(self.image.scaled(
            w, h, Qt.AspectRatioMode.IgnoreAspectRatio, mode)))
        self.label.resize(w, h)
        self.setWindowTitle(f"{self.name} — {round(zoom * 100)} %")

    def image_bytes(self) -> bytes | None:
        """The image's bytes as stored (Save as writes exactly these)."""
        if self._data is not None:
            return self._data
        if self.path is not None and self.path.exists():
            return self.path.read_bytes()
        return None

    def save_as(self) -> None:
        """Write the image's bytes to a file the user picks."""
        data = self.image_bytes()
        if data is not None:
            save_image_as(self, data, self.name)

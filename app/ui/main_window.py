"""Parley's main window: conversations on the left, the chat on the right, toolbar on top."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.core.domain import Conversation, Message
from app.ui.chat_view import ChatView
from app.ui.composer import Composer
from app.ui.conversation_list import ConversationList
from app.ui.model_chooser import ModelChooser
from app.ui.style import ICON_M

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent


class MainWindow(QMainWindow):
    """Widgets and their layout. The composition root connects them to the controller."""

    settingsRequested = Signal()
    #: emitted from closeEvent; the owner saves what is in flight, then the app quits
    closing = Signal()
    #: Conversation > Move to Endpoint > NAME: move the open chat (ChatController.move_to_endpoint)
    moveToEndpointRequested = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.resize(1180, 760)
        screen = QGuiApplication.primaryScreen()
        if screen is not None:  # a small screen gets a window that fits on it
            room = screen.availableGeometry()
            self.resize(min(1180, room.width()), min(760, room.height()))
        self.setMinimumSize(640, 420)
        # Files dropped anywhere on the window are attached to the message being written.
        self.setAcceptDrops(True)

        # Each part is made inside its final parent: moving a built part to another parent
        # would style all of it again (the stylesheet), ~2 ms a part at start-up.
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.sidebar = ConversationList(self.splitter)
        # The chat, or the first-run welcome panel while no key is configured.
        self.right_stack = QStackedWidget(self.splitter)
        right = QWidget(self.right_stack)
        self.chat = ChatView(right)
        self.composer = Composer(right)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(0)
        right_layout.addWidget(self.chat, 1)
        right_layout.addWidget(self.composer)
        self.right_stack.addWidget(right)
        self.chat_area = right
        self.welcome: QWidget | None = None
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.right_stack)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 920])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self.toolbar = QToolBar(self.tr("Main"), self)
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.addToolBar(self.toolbar)
        self.new_action = QAction(self.tr("New chat"), self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.settings_action = QAction(self.tr("Settings"), self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        # The model is chosen from the pill in the composer, which opens this chooser.
        self.model_chooser = ModelChooser(self)
        self.composer.attach_model_chooser(self.model_chooser)
        spacer = QWidget(self)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.setIconSize(QSize(ICON_M, ICON_M))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.toolbar.addAction(self.new_action)
        self._spacer_action = self.toolbar.addWidget(spacer)
        self.toolbar.addAction(self.settings_action)

        self.usage_label = QLabel(self)
        self.usage_label.setObjectName("usageLabel")
        self.usage_label.setToolTip(self.tr("The last reply: model, provider, tokens, cost"))
        self.totals_label = QLabel(self)
        self.totals_label.setObjectName("usageLabel")
        self.totals_label.setToolTip(self.tr("Spent in this conversation and today"))
        self.credit_label = QLabel(self)
        self.credit_label.setObjectName("usageLabel")
        self.credit_label.setToolTip(self.tr("Your OpenRouter key: credit left and limit"))
        # Shown (and kept) while a budget threshold is crossed; hidden otherwise.
        self.budget_label = QLabel(self)
        self.budget_label.setObjectName("budgetWarning")
        self.budget_label.setWordWrap(False)
        self.budget_label.setVisible(False)
        for label in (self.budget_label, self.usage_label, self.totals_label,
                      self.credit_label):
            self.statusBar().addPermanentWidget(label)

        self._undo_button: QPushButton | None = None
        #: asked when the window is closed: True hides it instead (the tray icon stays)
        self.hide_on_close: Callable[[], bool] | None = None
        self._quitting = False
        #: () -> (configured endpoint names, the open chat's endpoint or None for no chat)
        self._endpoint_source: Callable[[], tuple[list[str], str | None]] | None = None
        self._build_actions()
        self._build_menus()
        self.focus_composer()

    def _action(
        self, text: str, shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        # Added to the window so the shortcut works wherever the focus is.
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        # Explicit keys: the platform's standard ones are empty on some desktops.
        self.quit_action = self._action(self.tr("Quit"), "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.close_action = self._action(self.tr("Close Window"), "Ctrl+W")
        self.export_action = self._action(self.tr("Export Conversation…"), "Ctrl+Shift+E")
        self.export_all_action = self._action(self.tr("Export All Conversations…"))
        self.import_action = self._action(self.tr("Import Conversations…"), "Ctrl+Shift+I")
        self.backup_action = self._action(self.tr("Back Up Now"))
        # Esc stops a reply from anywhere in the window, including the composer.
        self.stop_action = self._action(self.tr("Stop Reply"), QKeySequence(Qt.Key.Key_Escape))
        self.stop_action.setEnabled(False)
        self.copy_reply_action = self._action(self.tr("Copy Last Reply"), "Ctrl+Shift+C")
        self.search_action = self._action(self.tr("Search Conversations…"), "Ctrl+K")
        self.models_action = self._action(self.tr("Browse Models…"), "Ctrl+Shift+M")
        self.options_action = self._action(self.tr("Conversation Settings…"), "Ctrl+Shift+O")
        self.prompts_action = self._action(self.tr("Prompt Library…"), "Ctrl+Shift+P")
        self.tools_action = self._action(self.tr("Tools…"), "Ctrl+Shift+T")
        self.usage_action = self._action(self.tr("Usage…"), "Ctrl+Shift+U")
        self.compare_action = self._action(self.tr("Compare Models…"), "Ctrl+Shift+D")
        self.toolbar.insertAction(self._spacer_action, self.compare_action)
        self.toolbar.insertAction(self._spacer_action, self.models_action)
        self.toolbar.insertAction(self._spacer_action, self.options_action)
        self._dress_toolbar()
        self.focus_composer_action = self._action(self.tr("Focus Message Box"), "Ctrl+L")
        self.focus_composer_action.triggered.connect(self.focus_composer)
        self.shortcuts_action = self._action(self.tr("Keyboard Shortcuts"), "Ctrl+/")
        self.about_action = self._action(self.tr("About Parley"))
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.close_action.triggered.connect(self.close)
        self.quit_action.triggered.connect(self.quit)
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.about_action.triggered.connect(self.show_about)
        # F2 renames from anywhere; Delete stays bound to the list (it edits text elsewhere).
        self.sidebar.rename_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)

    def _dress_toolbar(self) -> None:
        """Icons, tooltips with the shortcut, and accessible names for the toolbar buttons."""
        from app.ui.icons import icon

        dressing = (
            (self.new_action, "square-pen", self.tr("New chat"), True),
            (self.compare_action, "columns-2", self.tr("Compare models side by side"), False),
            (self.models_action, "layout-grid", self.tr("Browse models"), False),
            (self.options_action, "sliders-horizontal",
             self.tr("Settings of this conversation"), False),
            (self.settings_action, "settings", self.tr("Settings"), False),
        )
        for action, name, tip, labelled in dressing:
            action.setIcon(icon(name))
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{tip} ({keys})" if keys else tip)
            button = self.toolbar.widgetForAction(action)
            if button is None:
                continue
            button.setAccessibleName(tip)
            if labelled and isinstance(button, QToolButton):
                # The one button a new user looks for gets its word too.
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu(self.tr("&File"))
        self.file_menu.addAction(self.new_action)
        self.file_menu.addAction(self.export_action)
        self.file_menu.addAction(self.export_all_action)
        self.file_menu.addAction(self.import_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.backup_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.settings_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.close_action)
        self.file_menu.addAction(self.quit_action)
        self.edit_menu = bar.addMenu(self.tr("&Edit"))
        self.edit_menu.addAction(self.copy_reply_action)
        self.edit_menu.addAction(self.focus_composer_action)
        self.view_menu = bar.addMenu(self.tr("&View"))
        for action in self.chat.view_actions():  # Ctrl+F, Ctrl+= / Ctrl+- / Ctrl+0
            self.addAction(action)
            self.view_menu.addAction(action)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.usage_action)
        self.conversation_menu = bar.addMenu(self.tr("&Conversation"))
        self.conversation_menu.addAction(self.search_action)
        self.conversation_menu.addAction(self.models_action)
        self.conversation_menu.addAction(self.options_action)
        self.conversation_menu.addAction(self.compare_action)
        self.conversation_menu.addAction(self.prompts_action)
        self.conversation_menu.addAction(self.tools_action)
        # Moving a chat to another endpoint is always explicit: this menu and nothing else.
        self.endpoint_menu = QMenu(self.tr("Move to Endpoint"), self)
        self.endpoint_menu.aboutToShow.connect(self._fill_endpoint_menu)
        self.conversation_menu.addMenu(self.endpoint_menu)
        self.conversation_menu.addAction(self.stop_action)
        self.conversation_menu.addSeparator()
        self.conversation_menu.addAction(self.sidebar.rename_action)
        self.conversation_menu.addAction(self.sidebar.delete_action)
        self.help_menu = bar.addMenu(self.tr("&Help"))
        self.help_menu.addAction(self.shortcuts_action)
        self.help_menu.addAction(self.about_action)

    def show_shortcuts(self) -> None:
        """A page listing every shortcut, read from the actions themselves."""
        from app.ui.shortcuts_dialog import ShortcutsDialog

        dialog = ShortcutsDialog(self.menuBar(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from app import __version__

        QMessageBox.about(
            self,
            self.tr("About Parley"),
            f"<h3>Parley {__version__}</h3><p>"
            + self.tr("A fast native chat client for OpenRouter and OpenAI-compatible "
                      "endpoints.")
            + "</p><p>"
            + self.tr("Your history stays in a SQLite file in your data folder; your API key "
                      "stays in the system keychain.")
            + "</p>",
        )

    def show_welcome(self, panel: QWidget | None) -> None:
        """Show `panel` instead of the chat (first run), or the chat again with None."""
        if panel is not None:
            if self.welcome is None:
                self.welcome = panel
                self.right_stack.addWidget(panel)
            self.right_stack.setCurrentWidget(panel)
        else:
            self.right_stack.setCurrentWidget(self.chat_area)
            self.focus_composer()

    def focus_composer(self) -> None:
        self.composer.take_focus()

    # ---- updates from the controller ----------------------------------------------

    def set_endpoint_source(
        self, source: Callable[[], tuple[list[str], str | None]]
    ) -> None:
        """Where "Move to Endpoint" reads the endpoints and the open chat's endpoint from
        (e.g. ChatController.endpoint_choices)."""
        self._endpoint_source = source

    def _fill_endpoint_menu(self) -> None:
        self.endpoint_menu.clear()
        names, current = self._endpoint_source() if self._endpoint_source else ([], None)
        for name in names:
            action = self.endpoint_menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(name == current)
            # Only an open, stored chat can move; it is already where it is.
            action.setEnabled(current is not None and name != current)
            action.triggered.connect(
                lambda _checked=False, n=name: self.moveToEndpointRequested.emit(n))

    def show_conversation(self, conv: Conversation | None, messages: list[Message]) -> None:
        self.set_conversation_title(conv.title if conv else None)
        self.chat.show_messages(messages)
        self.sidebar.select(conv.id if conv else None)
        self.focus_composer()

    def set_conversation_title(self, title: str | None) -> None:
        """"Parley — <title>" for the open conversation, plain "Parley" without one."""
        self.setWindowTitle(f"{APP_NAME} — {title}" if title else APP_NAME)

    def set_busy(self, busy: bool) -> None:
        self.composer.set_busy(busy)
        self.stop_action.setEnabled(busy)

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 0 if not text else 15000)

    def show_budget_warning(self, text: str) -> None:
        """A budget sentence that stays in the status bar until it no longer applies."""
        self.budget_label.setText(f"⚠ {text}" if text else "")
        self.budget_label.setToolTip(text)
        self.budget_label.setVisible(bool(text))

    def show_undo(self, text: str, undo: Callable[[], None], seconds: int = 10) -> None:
        """A status-bar message with an Undo button, for a few seconds."""
        if self._undo_button is not None:
            self._undo_button.deleteLater()
        button = QPushButton(self.tr("Undo"), self)
        button.setAccessibleName(self.tr("Undo delete"))
        self._undo_button = button
        self.statusBar().showMessage(text, seconds * 1000)
        # Permanent: a temporary message would hide ordinary status-bar widgets.
        self.statusBar().insertPermanentWidget(0, button)

        def done() -> None:
            if self._undo_button is button:
                self._undo_button = None
            button.deleteLater()

        def clicked() -> None:
            undo()
            self.statusBar().clearMessage()
            done()

        button.clicked.connect(clicked)
        QTimer.singleShot(seconds * 1000, button, done)

    def show_error(self, message: str, hint: str, kind: str) -> None:
        """Errors go to the status bar (and stay on the failed reply); auth ones offer Settings."""
        self.statusBar().showMessage(f"⚠ {message}", 30000)
        if kind == "auth":
            # Non-blocking: this runs inside an asyncio task, where a nested exec() loop
            # would let other tasks step re-entrantly.
            from PySide6.QtWidgets import QMessageBox

            box = QMessageBox(self)
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle(self.tr("API key not accepted"))
            box.setText(message)
            box.setInformativeText(hint)
            open_button = box.addButton(self.tr("Open Settings"), QMessageBox.ButtonRole.AcceptRole)
            box.addButton(QMessageBox.StandardButton.Close)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

            def on_click(button: object) -> None:
                if button is open_button:
                    self.settingsRequested.emit()

            box.buttonClicked.connect(on_click)
            box.open()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt API)
        from app.ui.composer import local_files

        if local_files(event.mimeData()) and self.right_stack.currentWidget() is self.chat_area:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt API)
        from app.ui.composer import local_files

        files = local_files(event.mimeData())
        if files:
            self.composer.add_files(files)
            event.acceptProposedAction()

    def quit(self) -> None:
        """Close the window and end Parley, also when closing would only hide it."""
        self._quitting = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        if not self._quitting and self.hide_on_close is not None and self.hide_on_close():
            event.ignore()
            self.hide()
            return
        self.closing.emit()
        super().closeEvent(event)

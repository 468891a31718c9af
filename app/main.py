"""Composition root: builds the QApplication, the qasync loop, the objects, and wires them.

Shutdown follows DESIGN.md: the app does not quit on last window close; closing the window
sets an event, `main` then saves a reply in flight as stopped, closes connections and the
database, and only then returns (no awaiting after `app.quit()`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_NAME, __version__
from app.core.config import ENV_API_KEY, Settings, database_path
from app.core.context import AppContext
from app.core.domain import Conversation, Role
from app.core.errors import ConfigError, ParleyError, StorageError
from app.core.resources import icon_files
from app.ui.chat_controller import ChatController
from app.ui.i18n import install_translators
from app.ui.main_window import MainWindow
from app.ui.prompts_controller import PromptsController
from app.ui.style import apply_style
from app.ui.theme import apply_theme
from app.ui.window_state import WindowState

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger(__name__)
translate = QCoreApplication.translate

#: delay between the first paint and loading the model list
MODELS_DELAY_MS = 150


@dataclass
class Parley:
    """The running app's top-level objects."""

    ctx: AppContext
    window: MainWindow
    controller: ChatController
    prompts: PromptsController

    def refresh_sidebar(self) -> None:
        """Reload the list for the chosen filter (a page now, more as the user scrolls)."""
        store, sidebar = self.ctx.store, self.window.sidebar
        sidebar.set_tags(store.all_tags())
        archived, tag = sidebar.current_filter()
        current = self.controller.current.id if self.controller.current else None

        def loader(limit: int, offset: int) -> list[Conversation]:
            return store.list_conversations(limit, offset, archived=archived, tag=tag)

        sidebar.reset(loader, store.count_conversations(archived=archived, tag=tag), current)

    def update_sidebar_row(self, conversation_id: int) -> None:
        """Move or refresh one row, or drop it when it no longer fits the filter."""
        conv = self.ctx.store.get_conversation(conversation_id)
        sidebar = self.window.sidebar
        archived, tag = sidebar.current_filter()
        fits = (
            conv is not None
            and conv.trashed_at is None
            and (archived is None or conv.archived == archived)
            and (tag is None or tag in conv.tags)
        )
        if conv is None or not fits:
            sidebar.remove(conversation_id)
            return
        current = self.controller.current.id if self.controller.current else None
        sidebar.upsert(conv, current)

    def offer_undo(self, conversation_id: int, title: str) -> None:
        self.window.show_undo(
            translate("Parley", "Deleted “{title}”.").format(title=title),
            lambda: self.controller.undo_delete(conversation_id),
        )

    def has_key(self) -> bool:
        from app.core.endpoints import find_endpoint

        if not find_endpoint(self.ctx.settings).is_openrouter:
            return True  # local servers usually need no key
        if os.environ.get(ENV_API_KEY, "").strip():
            return True
        try:
            return self.ctx.keys.source() != "none"
        except ParleyError:
            return False

    def on_send(self, text: str) -> None:
        if self.controller.send(text):
            self.window.composer.clear_prompt()

    def open_settings(self) -> None:
        from app.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(
            self.ctx.settings, self.ctx.keys, self.controller.test_key, self.window
        )

        def finished(result: int) -> None:
            dialog.deleteLater()
            if result != SettingsDialog.DialogCode.Accepted:
                if dialog.key_removed:
                    self.settings_applied()
                return
            self.apply_settings(dialog.updated_settings(), dialog.entered_key(),
                                dialog.endpoint_keys())

        dialog.finished.connect(finished)
        dialog.open()

    def apply_settings(
        self, settings: Settings, key: str, endpoint_keys: dict[str, str] | None = None
    ) -> None:
        """Save settings and the key; errors are shown, and nothing typed is lost."""
        try:
            settings.save()
        except OSError as exc:
            self._warn(
                translate("Parley", "Settings not saved"),
                translate("Parley", "Could not write the settings file: {error}").format(error=exc),
            )
            return
        servers_changed = settings.mcp_servers != self.ctx.settings.mcp_servers
        self.ctx.settings = settings
        if servers_changed:
            self.controller.tools_changed()
        if key:
            try:
                self.ctx.keys.set_key(key)
            except ParleyError as exc:
                self._warn(translate("Parley", "Key not stored"), str(exc))
        from app.core.endpoints import find_endpoint, key_store

        for name, endpoint_key in (endpoint_keys or {}).items():
            try:
                key_store(find_endpoint(settings, name)).set_key(endpoint_key)
            except ParleyError as exc:
                self._warn(translate("Parley", "Key not stored"), str(exc))
        self.settings_applied()

    def settings_applied(self) -> None:
        self.controller.settings_changed()
        self.controller.set_model(self.ctx.settings.default_model)
        self.window.chat.empty.set_has_key(self.has_key())
        qapp = QApplication.instance()
        if isinstance(qapp, QApplication):
            apply_theme(qapp, self.ctx.settings.theme)

    def save_zoom(self, steps: int) -> None:
        """Remember the chat text size (Ctrl+= / Ctrl+- / Ctrl+0) in Settings."""
        if self.ctx.settings.zoom == steps:
            return
        self.ctx.settings.zoom = steps
        try:
            self.ctx.settings.save()
        except OSError as exc:
            self.window.show_status(f"⚠ Could not save the text size: {exc}")

    def _warn(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=self.window)
        box.open()

    def copy_last_reply(self) -> None:
        conv = self.controller.current
        replies = [
            m for m in (self.ctx.store.get_messages(conv.id) if conv else [])
            if m.role is Role.ASSISTANT and m.content
        ]
        if not replies:
            self.window.show_status(translate("Parley", "There is no reply to copy yet."))
            return
        QGuiApplication.clipboard().setText(replies[-1].content)
        self.window.show_status(translate("Parley", "Last reply copied to the clipboard."))

    def export_conversation(self) -> None:
        """File > Export Conversation: Markdown or lossless JSON, chosen by the file type."""
        from PySide6.QtWidgets import QFileDialog

        conv = self.controller.current
        if conv is None:
            self.window.show_status(translate("Parley", "Open a conversation to export it."))
            return
        from app.core.history.export import to_json, to_markdown

        safe = "".join(c if c.isalnum() or c in " -_" else "_" for c in conv.title)[:60]
        path, chosen = QFileDialog.getSaveFileName(
            self.window,
            translate("Parley", "Export Conversation"),
            str(Path.home() / f"{safe or 'conversation'}.md"),
            "Markdown (*.md);;Parley JSON (*.json)",
        )
        if not path:
            return
        items = self.ctx.store.export_conversations([conv.id])
        as_json = path.endswith(".json") or chosen.startswith("Parley JSON")
        try:
            Path(path).write_text(to_json(items) if as_json else to_markdown(items),
                                  encoding="utf-8")
        except OSError as exc:
            self._warn(
                translate("Parley", "Export failed"),
                translate("Parley", "Could not write {path}: {error}.").format(
                    path=path, error=exc.strerror
                ),
            )
            return
        self.window.show_status(translate("Parley", "Exported to {path}").format(path=path))

    def show_branches(self, alternatives: dict[int, tuple[int, int]]) -> None:
        for message_id, (index, count) in alternatives.items():
            self.window.chat.set_branch_info(message_id, index, count)

    def edit_message(self, message_id: int) -> None:
        """Edit a prompt in a dialog; sending it adds a new version, the old one stays."""
        from PySide6.QtWidgets import QInputDialog

        msg = self.ctx.store.get_message(message_id)
        if msg is None or self.controller.busy:
            return
        text, ok = QInputDialog.getMultiLineText(
            self.window,
            translate("Parley", "Edit message"),
            translate("Parley", "The edited message is sent as a new version; the original "
                      "and its replies stay one arrow away."),
            msg.content,
        )
        if ok and text.strip() and text != msg.content:
            self.controller.edit_message(message_id, text)

    def delete_message(self, message_id: int) -> None:
        followers = self.controller.message_followers(message_id)
        if followers:
            question = translate(
                "Parley", "Delete this message and the {n} message(s) that follow it?"
            ).format(n=followers)
        else:
            question = translate("Parley", "Delete this message?")
        answer = QMessageBox.question(
            self.window, translate("Parley", "Delete message"),
            question + "\n" + translate("Parley", "This cannot be undone."),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.controller.delete_message(message_id, with_followers=followers > 0)

    def open_model_browser(self) -> None:
        from app.ui.model_browser import ModelBrowser

        controller = self.controller
        browser = ModelBrowser(
            controller.models,
            current=controller.model,
            favourites=list(self.ctx.settings.favourite_models),
            endpoint_kind=controller.endpoint().kind,
            parent=self.window,
        )
        browser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        browser.modelChosen.connect(controller.set_model)
        browser.favouritesChanged.connect(self.save_favourites)
        # A list that arrives while the browser is open (background refresh) updates it.
        controller.modelsLoaded.connect(browser.set_models)
        browser.finished.connect(lambda _r: controller.modelsLoaded.disconnect(browser.set_models))
        browser.open()
        if not controller.models:
            controller.refresh_models()

    def save_favourites(self, favourites: list[str]) -> None:
        self.ctx.settings.favourite_models = list(favourites)
        try:
            self.ctx.settings.save()
        except OSError as exc:
            self.window.show_status(
                translate("Parley", "Could not write the settings file: {error}").format(
                    error=exc
                )
            )

    def open_options(self) -> None:
        """Conversation > Conversation Settings: the options of this chat (or the next)."""
        from app.ui.options_dialog import OptionsDialog

        controller = self.controller
        dialog = OptionsDialog(
            controller.options(),
            model=controller.model_info(),
            endpoint_kind=controller.endpoint().kind,
            model_ids=[m.id for m in controller.models],
            parent=self.window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def done(result: int) -> None:
            if result == OptionsDialog.DialogCode.Accepted:
                controller.set_options(dialog.options(), as_default=dialog.save_as_default())
                self.window.show_status(translate("Parley", "Conversation settings saved."))

        dialog.finished.connect(done)
        dialog.open()

    def open_prompt_library(self, query: str = "") -> None:
        from app.ui.prompt_library import PromptLibrary

        dialog = PromptLibrary(self.prompts, self.window, query=query)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.insertRequested.connect(self.window.composer.insert_text)
        dialog.systemPresetChosen.connect(self.use_system_preset)
        dialog.open()

    def use_system_preset(self, body: str) -> None:
        """A preset from the prompt library becomes this conversation's system prompt."""
        options = dataclasses.replace(self.controller.options(), system_prompt=body)
        self.controller.set_options(options)
        self.window.show_status(translate("Parley", "System prompt set for this conversation."))

    def open_tools(self) -> None:
        """Conversation > Tools: list the servers' tools (starting them), then choose."""
        self.window.show_status(translate("Parley", "Starting tool servers…"))
        self.controller._spawn(self._open_tools())

    async def _open_tools(self) -> None:
        from app.ui.tools_dialog import ToolsDialog

        registry = self.controller.registry()
        specs, problems = await registry.available()
        self.window.show_status("")
        mcp = registry.mcp

        def logs(server: str) -> str:
            return mcp.stderr_text(server) if mcp is not None and server in mcp.names() else ""

        dialog = ToolsDialog(specs, problems, self.controller.options(), logs, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def done(result: int) -> None:
            if result == ToolsDialog.DialogCode.Accepted:
                self.controller.set_options(dialog.options())

        dialog.finished.connect(done)
        dialog.open()

    def ask_tool_approval(self, call: Any, future: asyncio.Future[str]) -> None:
        """Before a tool runs: Run once, Always allow, or Deny (the model is told)."""
        import json as _json

        try:
            args = _json.dumps(call.arguments, indent=2, ensure_ascii=False)
        except (TypeError, ValueError):
            args = call.arguments_text
        where = translate("Parley", " (server {server})").format(server=call.server) \
            if call.server else ""
        box = QMessageBox(QMessageBox.Icon.Question, translate("Parley", "Run a tool?"),
                          translate("Parley", "The model wants to run {name}{where}.").format(
                              name=call.name, where=where), parent=self.window)
        box.setInformativeText(args[:4000])
        once = box.addButton(translate("Parley", "Run once"), QMessageBox.ButtonRole.AcceptRole)
        always = box.addButton(translate("Parley", "Always allow"),
                               QMessageBox.ButtonRole.YesRole)
        box.addButton(translate("Parley", "Deny"), QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def clicked(button: object) -> None:
            if not future.done():
                future.set_result("once" if button is once else
                                  "always" if button is always else "deny")

        box.buttonClicked.connect(clicked)
        box.finished.connect(lambda _r: None if future.done() else future.set_result("deny"))
        # Stop withdraws the question.
        future.add_done_callback(lambda f: box.close() if f.cancelled() else None)
        box.open()

    def open_search(self) -> None:
        from app.ui.search_dialog import SearchDialog

        dialog = SearchDialog(self.controller.search, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.openRequested.connect(self.open_search_result)
        dialog.open()

    def open_search_result(self, conversation_id: int, message_id: int) -> None:
        self.controller.open_conversation(conversation_id)
        if message_id >= 0:
            self.window.chat.scroll_to_message(message_id)

    def export_all(self) -> None:
        """File > Export All Conversations: one lossless JSON file (every branch)."""
        from PySide6.QtWidgets import QFileDialog

        from app.core.history.export import to_json

        path, _ = QFileDialog.getSaveFileName(
            self.window, translate("Parley", "Export All Conversations"),
            str(Path.home() / "parley-export.json"), "Parley JSON (*.json)",
        )
        if not path:
            return
        try:
            Path(path).write_text(to_json(self.ctx.store.export_conversations()),
                                  encoding="utf-8")
        except (OSError, ParleyError) as exc:
            self._warn(translate("Parley", "Export failed"), str(exc))
            return
        self.window.show_status(translate("Parley", "Exported to {path}").format(path=path))

    def import_conversations(self) -> None:
        """File > Import: a Parley export or ChatGPT's conversations.json; all or nothing."""
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(
            self.window, translate("Parley", "Import Conversations"), str(Path.home()),
            translate("Parley", "Conversation exports (*.json);;All files (*)"),
        )
        if path:
            self.import_path(Path(path))

    def import_path(self, path: Path) -> None:
        from app.core.history.importers import import_file

        try:
            report = import_file(self.ctx.store, path)
        except ParleyError as exc:
            # A malformed or hostile file changes nothing; say what was wrong with it.
            self._warn(translate("Parley", "Import failed"), str(exc))
            return
        self.refresh_sidebar()
        self.window.show_status(report.describe())

    def back_up_now(self) -> None:
        from app.core.history.backups import backup_database

        try:
            path = backup_database(self.ctx.store)
        except (OSError, ParleyError) as exc:
            self._warn(translate("Parley", "Backup failed"), str(exc))
            return
        self.window.show_status(
            translate("Parley", "Backup written to {path}").format(path=path)
        )

    def save_window_state(self) -> None:
        state = WindowState()
        conv = self.controller.current
        state.capture(self.window, self.window.splitter, conv.id if conv else None)
        # Losing the window size is not worth bothering the user at exit.
        with contextlib.suppress(OSError):
            state.save()

    def show_welcome(self) -> None:
        from app.ui.welcome import WelcomePanel

        panel = WelcomePanel(self._welcome_key, self._welcome_server, self.window)
        panel.completed.connect(self._welcome_done)
        self.window.show_welcome(panel)
        panel.focus()

    async def _welcome_key(self, key: str) -> str:
        """Check a pasted key with GET /key, then keep it in the keychain (or the session)."""
        info = await self.controller.test_key(self.ctx.settings.effective_base_url(), key)
        try:
            self.ctx.keys.set_key(key)
            where = translate("Parley", "Stored in the system keychain.")
        except ParleyError as exc:
            # No secure keychain: use the key now, never write it anywhere.
            self.ctx.session_key = key
            where = translate(
                "Parley", "Not stored ({error}) It is used until Parley closes."
            ).format(error=exc)
        return f"{info.describe()}. {where}"

    async def _welcome_server(self, url: str) -> int:
        """Check a local server with GET /models, then make it the endpoint."""
        client = self.ctx.client_for(url, None)
        try:
            models = await client.list_models()
        finally:
            await client.aclose()
        from app.core.endpoints import Endpoint, save_endpoint

        settings = self.ctx.settings
        save_endpoint(settings, Endpoint("Local server", url, "openai"))
        settings.current_endpoint = "Local server"
        if models and settings.default_model == Settings().default_model:
            settings.default_model = models[0].id
        try:
            settings.save()
        except OSError as exc:
            self._warn(
                translate("Parley", "Settings not saved"),
                translate("Parley", "Could not write the settings file: {error}").format(error=exc),
            )
        return len(models)

    def _welcome_done(self) -> None:
        # Let the user read the confirmation for a moment, then open the chat.
        # Timers take the window as context: they die with it instead of firing late.
        QTimer.singleShot(900, self.window, self._leave_welcome)

    def _leave_welcome(self) -> None:
        self.window.show_welcome(None)
        self.settings_applied()

    def start(self) -> None:
        """First state of the window: history list, the last conversation, models loading."""
        try:
            # Conversations deleted in an earlier run whose Undo was not used.
            self.ctx.store.purge_trashed()
            interrupted = self.ctx.store.mark_interrupted_streams()
        except StorageError as exc:
            interrupted = 0
            self.window.show_status(f"⚠ {exc}")
        state = WindowState.load()
        state.restore(self.window, self.window.splitter)
        self.refresh_sidebar()
        last = state.last_conversation
        if last is not None and self.ctx.store.get_conversation(last) is not None:
            self.controller.open_conversation(last)
        else:
            self.controller.new_conversation()
        self.window.model_chooser.set_model(self.controller.model)
        # Asking the keychain imports keyring and may talk to D-Bus: do it once the
        # window is up rather than before it is shown.
        QTimer.singleShot(0, self.window, self._after_shown)
        if interrupted:
            self.window.show_status(
                translate(
                    "Parley",
                    "Replies interrupted when Parley last closed: %n (their text is kept).",
                    "",
                    interrupted,
                )
            )

    def _after_shown(self) -> None:
        has_key = self.has_key()
        self.window.chat.empty.set_has_key(has_key)
        if not has_key:
            self.show_welcome()
        else:
            # Loading the model list imports the HTTP stack in a thread; let the window
            # paint first instead of competing with it for the interpreter.
            QTimer.singleShot(MODELS_DELAY_MS, self.controller, self.controller.refresh_models)


def build(ctx: AppContext) -> Parley:
    """Create the window and controller and connect every signal (the one wiring place)."""
    window = MainWindow()
    controller = ChatController(ctx, window)
    prompts = PromptsController(ctx.store, window)
    app = Parley(ctx, window, controller, prompts)

    sidebar, composer, chat = window.sidebar, window.composer, window.chat
    sidebar.newRequested.connect(controller.new_conversation)
    sidebar.selected.connect(controller.open_conversation)
    sidebar.renameRequested.connect(controller.rename_conversation)
    sidebar.deleteRequested.connect(controller.delete_conversation)
    window.new_action.triggered.connect(controller.new_conversation)
    window.settings_action.triggered.connect(app.open_settings)
    window.settingsRequested.connect(app.open_settings)
    window.stop_action.triggered.connect(controller.stop)
    window.copy_reply_action.triggered.connect(app.copy_last_reply)
    window.export_action.triggered.connect(app.export_conversation)
    window.export_all_action.triggered.connect(app.export_all)
    window.import_action.triggered.connect(app.import_conversations)
    window.backup_action.triggered.connect(app.back_up_now)
    window.search_action.triggered.connect(app.open_search)
    window.models_action.triggered.connect(app.open_model_browser)
    window.options_action.triggered.connect(app.open_options)
    # A lambda: triggered(bool) would otherwise pass `checked` as the search query.
    window.prompts_action.triggered.connect(lambda: app.open_prompt_library())  # noqa: PLW0108
    window.tools_action.triggered.connect(app.open_tools)
    controller.approvalRequested.connect(app.ask_tool_approval)
    composer.set_prompt_source(prompts.picker_prompts)
    composer.libraryRequested.connect(app.open_prompt_library)
    composer.systemPresetChosen.connect(app.use_system_preset)
    prompts.errorRaised.connect(lambda text: window.show_status(f"⚠ {text}"))
    window.closing.connect(app.save_window_state)
    window.model_chooser.modelChosen.connect(controller.set_model)
    composer.sendRequested.connect(app.on_send)
    composer.stopRequested.connect(controller.stop)
    chat.openSettings.connect(app.open_settings)
    chat.statusMessage.connect(window.show_status)
    chat.set_zoom(ctx.settings.zoom)
    chat.zoomChanged.connect(app.save_zoom)

    controller.conversationsChanged.connect(app.refresh_sidebar)
    controller.conversationUpdated.connect(app.update_sidebar_row)
    controller.conversationRemoved.connect(sidebar.remove)
    controller.conversationDeleted.connect(app.offer_undo)
    sidebar.pinRequested.connect(controller.set_pinned)
    sidebar.archiveRequested.connect(controller.set_archived)
    sidebar.tagsRequested.connect(controller.set_tags)
    sidebar.filterChanged.connect(app.refresh_sidebar)
    controller.conversationOpened.connect(window.show_conversation)
    controller.messageAppended.connect(chat.append)
    controller.replyProgress.connect(chat.update_stream)
    controller.replyFinished.connect(chat.finish)
    controller.busyChanged.connect(window.set_busy)
    controller.errorRaised.connect(window.show_error)
    controller.statusMessage.connect(window.show_status)
    controller.usageChanged.connect(window.usage_label.setText)
    controller.totalsChanged.connect(window.totals_label.setText)
    controller.branchesChanged.connect(app.show_branches)
    chat.regenerateRequested.connect(controller.regenerate)
    chat.editRequested.connect(app.edit_message)
    chat.deleteRequested.connect(app.delete_message)
    chat.branchRequested.connect(controller.switch_branch)
    chat.copyText.connect(
        lambda _t: window.show_status(translate("Parley", "Copied to the clipboard."))
    )
    controller.creditChanged.connect(window.credit_label.setText)
    controller.modelsLoaded.connect(window.model_chooser.set_models)
    controller.modelChanged.connect(window.model_chooser.set_model)
    return app


def storage_problem(exc: StorageError) -> str:
    """What to tell a user whose history cannot be opened, with the way out."""
    text = str(exc)
    from app.core.config import data_dir
    from app.core.history.backups import latest_backup

    backup = latest_backup(data_dir())
    if backup is not None:
        text += "\n\n" + translate(
            "Parley",
            "The newest backup is {path}. To go back to it, quit and run:\n"
            "parley restore \"{path}\"\n(the current file is kept aside, not deleted).",
        ).format(path=backup)
    else:
        text += "\n\n" + translate(
            "Parley", "No backup was found in {folder}. Nothing was changed or deleted."
        ).format(folder=data_dir() / "backups")
    return text


def _fatal(title: str, text: str) -> int:
    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    box.exec()
    return 1


def run_gui(smoke: bool = False) -> int:
    """Open the main window and run until it is closed. `smoke`: close once shown."""
    qapp = QApplication.instance()
    if not isinstance(qapp, QApplication):
        qapp = QApplication(sys.argv)
    qapp.setApplicationName(APP_NAME)
    qapp.setApplicationDisplayName(APP_NAME)
    qapp.setApplicationVersion(__version__)
    qapp.setDesktopFileName("io.github.parley.Parley")
    icon = QIcon()
    for path in icon_files():
        icon.addFile(str(path))
    qapp.setWindowIcon(icon)
    qapp.setQuitOnLastWindowClosed(False)
    translators = install_translators(qapp)  # kept referenced for the app's lifetime
    apply_style(qapp)

    try:
        ctx = AppContext.open()
    except ConfigError as exc:
        # A broken settings file must not lock the user out of their history.
        QMessageBox(
            QMessageBox.Icon.Warning,
            translate("Parley", "Settings not loaded"),
            translate("Parley", "{error}\n\nParley starts with default settings.").format(
                error=exc
            ),
        ).exec()
        from app.core.history import Store

        try:
            ctx = AppContext(Settings(), Store.open(database_path()))
        except StorageError as exc2:
            return _fatal(translate("Parley", "History could not be opened"),
                          storage_problem(exc2))
    except StorageError as exc:
        return _fatal(translate("Parley", "History could not be opened"),
                      storage_problem(exc))

    apply_theme(qapp, ctx.settings.theme)
    parley = build(ctx)
    closed_early: list[bool] = []
    parley.window.closing.connect(lambda: closed_early.append(True))
    parley.start()
    parley.window.show()
    parley.window.focus_composer()
    if smoke:
        QTimer.singleShot(50, parley.window.close)
    # Paint the window before loading the event-loop machinery: asyncio and qasync take
    # tens of milliseconds to import, and nothing asynchronous has started yet.
    qapp.processEvents()
    import asyncio

    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    closed = asyncio.Event()
    parley.window.closing.connect(closed.set)
    if closed_early:
        closed.set()

    async def main() -> None:
        await closed.wait()
        await parley.controller.shutdown()
        with contextlib.suppress(ParleyError):
            ctx.store.purge_trashed()

    try:
        with loop:
            loop.run_until_complete(main())
    finally:
        ctx.store.close()
    del translators
    if smoke:
        sys.stdout.write(f"{APP_NAME} {__version__}: main window opened and closed cleanly\n")
    return 0

"""Composition root: builds the QApplication, the qasync loop, the objects, and wires them.

Shutdown follows DESIGN.md: the app does not quit on last window close; closing the window
sets an event, `main` then saves a reply in flight as stopped, closes connections and the
database, and only then returns (no awaiting after `app.quit()`).
"""

from __future__ import annotations

import contextlib
import logging
import sys
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_NAME, __version__
from app.core.context import AppContext
from app.core.errors import ConfigError, ParleyError, StorageError
from app.core.resources import icon_files
from app.ui.actions.approval import ToolApproval
from app.ui.actions.dialogs import Dialogs
from app.ui.actions.history_files import HistoryFiles
from app.ui.actions.messages import MessageActions
from app.ui.actions.settings import SettingsActions
from app.ui.actions.sidebar import SidebarActions
from app.ui.actions.startup import Startup
from app.ui.actions.usage import UsageActions
from app.ui.actions.welcome_flow import WelcomeFlow
from app.ui.chat_controller import ChatController
from app.ui.i18n import install_translators
from app.ui.main_window import MainWindow
from app.ui.prompts_controller import PromptsController
from app.ui.style import apply_style
from app.ui.sync_controller import SyncController
from app.ui.theme import apply_theme

log = logging.getLogger(__name__)
translate = QCoreApplication.translate


@dataclass
class Parley:
    """The running app's top-level objects; the window's actions live in app/ui/actions."""

    ctx: AppContext
    window: MainWindow
    controller: ChatController
    prompts: PromptsController
    sidebar: SidebarActions
    settings: SettingsActions
    messages: MessageActions
    files: HistoryFiles
    dialogs: Dialogs
    approval: ToolApproval
    welcome: WelcomeFlow
    startup: Startup
    usage: UsageActions | None = None
    sync: SyncController | None = None

    def start(self) -> None:
        """First state of the window: history list, the last conversation, models loading."""
        self.startup.start()
        if self.sync is not None:
            self.sync.start()
        # A budget crossed earlier is shown before the first send, not only after it.
        self.controller.check_budget()


def build(ctx: AppContext) -> Parley:
    """Create the window, controller and actions; connect every signal (the one wiring place)."""
    window = MainWindow()
    controller = ChatController(ctx, window)
    prompts = PromptsController(ctx.store, window)
    sidebar_actions = SidebarActions(ctx, window, controller)
    settings = SettingsActions(ctx, window, controller)
    messages = MessageActions(ctx, window, controller)
    files = HistoryFiles(ctx, window, controller, sidebar_actions)
    dialogs = Dialogs(ctx, window, controller, prompts, settings)
    approval = ToolApproval(window)
    welcome = WelcomeFlow(ctx, window, controller, settings)
    startup = Startup(ctx, window, controller, sidebar_actions, settings, welcome)
    app = Parley(ctx, window, controller, prompts, sidebar_actions, settings, messages, files,
                 dialogs, approval, welcome, startup)

    sidebar, composer, chat = window.sidebar, window.composer, window.chat
    sidebar.newRequested.connect(controller.new_conversation)
    sidebar.selected.connect(controller.open_conversation)
    sidebar.renameRequested.connect(controller.rename_conversation)
    sidebar.deleteRequested.connect(controller.delete_conversation)
    window.new_action.triggered.connect(controller.new_conversation)
    window.settings_action.triggered.connect(settings.open)
    window.settingsRequested.connect(settings.open)
    window.stop_action.triggered.connect(controller.stop)
    window.copy_reply_action.triggered.connect(messages.copy_last_reply)
    window.export_action.triggered.connect(files.export_conversation)
    window.export_all_action.triggered.connect(files.export_all)
    window.import_action.triggered.connect(files.import_conversations)
    window.backup_action.triggered.connect(files.back_up_now)
    window.search_action.triggered.connect(dialogs.open_search)
    window.models_action.triggered.connect(dialogs.open_model_browser)
    window.options_action.triggered.connect(dialogs.open_options)
    # A lambda: triggered(bool) would otherwise pass `checked` as the reply id.
    window.compare_action.triggered.connect(lambda: dialogs.open_compare())  # noqa: PLW0108
    chat.compareWithRequested.connect(dialogs.open_compare)
    # A lambda: triggered(bool) would otherwise pass `checked` as the search query.
    window.prompts_action.triggered.connect(lambda: dialogs.open_prompt_library())  # noqa: PLW0108
    window.tools_action.triggered.connect(dialogs.open_tools)
    window.set_endpoint_source(controller.endpoint_choices)
    window.moveToEndpointRequested.connect(controller.move_to_endpoint)
    controller.approvalRequested.connect(approval.ask)
    composer.set_prompt_source(prompts.picker_prompts)
    composer.libraryRequested.connect(dialogs.open_prompt_library)
    composer.systemPresetChosen.connect(dialogs.use_system_preset)
    prompts.errorRaised.connect(lambda text: window.show_status(f"⚠ {text}"))
    window.closing.connect(startup.save_window_state)
    window.model_chooser.modelChosen.connect(controller.set_model)
    composer.sendRequested.connect(messages.send)
    composer.stopRequested.connect(controller.stop)
    chat.openSettings.connect(settings.open)
    chat.statusMessage.connect(window.show_status)
    chat.set_zoom(ctx.settings.zoom)
    chat.zoomChanged.connect(settings.save_zoom)

    controller.conversationsChanged.connect(sidebar_actions.refresh)
    controller.conversationUpdated.connect(sidebar_actions.update_row)
    controller.conversationRemoved.connect(sidebar.remove)
    controller.conversationDeleted.connect(sidebar_actions.offer_undo)
    sidebar.pinRequested.connect(controller.set_pinned)
    sidebar.archiveRequested.connect(controller.set_archived)
    sidebar.tagsRequested.connect(controller.set_tags)
    sidebar.filterChanged.connect(sidebar_actions.refresh)
    controller.conversationOpened.connect(window.show_conversation)
    controller.messageAppended.connect(chat.append)
    controller.replyProgress.connect(chat.update_stream)
    controller.replyImages.connect(chat.update_images)
    chat.set_attachment_backend(controller)
    composer.tray.set_backend(controller)
    composer.tray.statusMessage.connect(window.show_status)
    controller.modelChanged.connect(lambda _model: composer.tray.refresh_warnings())
    controller.modelsLoaded.connect(lambda _models: composer.tray.refresh_warnings())
    controller.replyFinished.connect(chat.finish)
    controller.busyChanged.connect(window.set_busy)
    controller.errorRaised.connect(window.show_error)
    controller.statusMessage.connect(window.show_status)
    controller.usageChanged.connect(window.usage_label.setText)
    controller.totalsChanged.connect(window.totals_label.setText)
    controller.branchesChanged.connect(messages.show_branches)
    chat.regenerateRequested.connect(controller.regenerate)
    chat.editRequested.connect(messages.edit)
    chat.deleteRequested.connect(messages.delete)
    chat.branchRequested.connect(controller.switch_branch)
    chat.copyText.connect(
        lambda _t: window.show_status(translate("Parley", "Copied to the clipboard."))
    )
    controller.creditChanged.connect(window.credit_label.setText)
    controller.modelsLoaded.connect(window.model_chooser.set_models)
    controller.modelChanged.connect(window.model_chooser.set_model)
    usage = UsageActions(window, controller)
    window.usage_action.triggered.connect(usage.open_usage)
    controller.budgetWarning.connect(window.show_budget_warning)
    controller.confirm_over_budget = usage.confirm_over_budget
    app.usage = usage
    sync = SyncController(ctx, window)
    settings.sync = sync
    window.statusBar().addPermanentWidget(sync.label)
    sync.historyChanged.connect(sidebar_actions.refresh)
    app.sync = sync
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


def run_gui(smoke: bool = False, debug: bool = False) -> int:
    """Open the main window and run until it is closed. `smoke`: close once shown.

    `debug` logs everything to stderr as well as to the log file.
    """
    from app.core import logs

    logs.setup(debug=debug)
    qapp = QApplication.instance()
    if not isinstance(qapp, QApplication):
        qapp = QApplication(sys.argv)
    qapp.setApplicationName(APP_NAME)
    # No application display name: on Linux the platform appends it to every window
    # title, and the main window's title already starts with "Parley".
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
    except StorageError as exc:
        return _fatal(translate("Parley", "History could not be opened"),
                      storage_problem(exc))
    except ConfigError as exc:  # the data folder itself cannot be created
        return _fatal(translate("Parley", "History could not be opened"), str(exc))

    apply_theme(qapp, ctx.settings.theme)
    parley = build(ctx)
    from app.ui.error_dialog import ErrorReporter

    # Exceptions in slots are shown and logged from here on, instead of lost on stderr.
    reporter = ErrorReporter(parley.window)
    reporter.install()
    closed_early: list[bool] = []
    parley.window.closing.connect(lambda: closed_early.append(True))
    parley.start()
    parley.window.show()
    parley.window.focus_composer()
    # A broken settings file must not lock the user out: say so without blocking.
    parley.settings.report_load_problem()
    if smoke:
        QTimer.singleShot(50, parley.window.close)
    # Paint the window before loading the event-loop machinery: asyncio and qasync take
    # tens of milliseconds to import, and nothing asynchronous has started yet.
    qapp.processEvents()
    import asyncio

    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    loop.set_exception_handler(reporter.loop_exception)
    closed = asyncio.Event()
    parley.window.closing.connect(closed.set)
    if closed_early:
        closed.set()

    async def main() -> None:
        await closed.wait()
        log.info("Window closed: shutting down")
        # Awaited to the end, MCP servers included: the loop must not stop while a
        # child process is still being shut down.
        await parley.controller.shutdown()
        with contextlib.suppress(ParleyError):
            ctx.store.purge_trashed()
        if parley.sync is not None:
            # After emptying the trash: deleting for good is what other devices must hear.
            await parley.sync.shutdown()

    log.info("%s %s started", APP_NAME, __version__)
    try:
        with loop:
            loop.run_until_complete(main())
    finally:
        reporter.uninstall()
        ctx.store.close()
        log.info("%s stopped", APP_NAME)
    del translators
    if smoke:
        sys.stdout.write(f"{APP_NAME} {__version__}: main window opened and closed cleanly\n")
    return 0

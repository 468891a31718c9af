"""Composition root: builds the QApplication, the qasync loop, the objects, and wires them.

Shutdown follows DESIGN.md: the app does not quit on last window close; closing the window
sets an event, `main` then saves a reply in flight as stopped, closes connections and the
database, and only then returns (no awaiting after `app.quit()`).
"""

from __future__ import annotations

# First of all: importing app.ui sets PySide up so that it does not read the source of every
# module imported after it (app/ui/pyside_setup.py), which is most of the start-up's imports.
import app.ui  # noqa: F401

# isort: split

import contextlib
import logging
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app import APP_NAME, __version__
from app.core.context import AppContext
from app.core.errors import ConfigError, ParleyError, StorageError
from app.core.resources import icon_files
from app.ui.actions.context_gauge import ContextGaugeActions
from app.ui.actions.messages import MessageActions
from app.ui.actions.settings import SettingsActions
from app.ui.actions.sidebar import SidebarActions
from app.ui.actions.startup import Startup
from app.ui.actions.welcome_flow import WelcomeFlow
from app.ui.chat_controller import ChatController
from app.ui.drafts import Drafts
from app.ui.i18n import install_translators
from app.ui.main_window import MainWindow
from app.ui.style import apply_style
from app.ui.theme import apply_theme

if TYPE_CHECKING:
    # Built after the first paint (build_rest): imported there.
    from app.ui.actions.approval import ToolApproval
    from app.ui.actions.dialogs import Dialogs
    from app.ui.actions.history_files import HistoryFiles
    from app.ui.actions.usage import UsageActions
    from app.ui.prompts_controller import PromptsController
    from app.ui.quick_ask import QuickAsk
    from app.ui.single_instance import InstanceServer
    from app.ui.sync_controller import SyncController
    from app.ui.tray import Tray

log = logging.getLogger(__name__)
translate = QCoreApplication.translate

#: how long after the start Parley begins answering later `parley --quick` launches
LISTEN_DELAY_MS = 300


@dataclass
class Parley:
    """The running app's top-level objects; the window's actions live in app/ui/actions.

    Built in two steps (`build_window`, then `build_rest`): what the first frame shows,
    then, once it is painted, the parts it does not (dialogs, quick ask, tray, sync).
    """

    ctx: AppContext
    window: MainWindow
    controller: ChatController
    sidebar: SidebarActions
    settings: SettingsActions
    messages: MessageActions
    welcome: WelcomeFlow
    startup: Startup
    gauge: ContextGaugeActions
    drafts: Drafts
    prompts: PromptsController | None = None
    files: HistoryFiles | None = None
    dialogs: Dialogs | None = None
    approval: ToolApproval | None = None
    usage: UsageActions | None = None
    quick: QuickAsk | None = None
    tray: Tray | None = None
    sync: SyncController | None = None
    started: bool = False

    def start(self) -> None:
        """First state of the window: history list, the last conversation, models loading."""
        self.started = True
        self.startup.start()
        self._start_rest()
        # A budget crossed earlier is shown before the first send, not only after it.
        self.controller.check_budget()

    def _start_rest(self) -> None:
        if self.tray is not None:
            self.tray.apply()
        if self.sync is not None:
            self.sync.start()


def build(ctx: AppContext) -> Parley:
    """Create the window, controller and actions; connect every signal (the one wiring place)."""
    app = build_window(ctx)
    build_rest(app)
    return app


def build_window(ctx: AppContext) -> Parley:
    """The window and what its first frame needs: the sidebar, the chat, the composer with
    its draft and gauge, sending and the window's own actions."""
    window = MainWindow()
    controller = ChatController(ctx, window)
    sidebar_actions = SidebarActions(ctx, window, controller)
    settings = SettingsActions(ctx, window, controller)
    messages = MessageActions(ctx, window, controller)
    welcome = WelcomeFlow(ctx, window, controller, settings)
    startup = Startup(ctx, window, controller, sidebar_actions, settings, welcome)
    sidebar, composer, chat = window.sidebar, window.composer, window.chat
    drafts = Drafts(ctx, composer, window)
    gauge = ContextGaugeActions(composer, controller)
    app = Parley(ctx, window, controller, sidebar_actions, settings, messages, welcome,
                 startup, gauge, drafts)

    sidebar.newRequested.connect(sidebar_actions.new_chat)
    sidebar.selected.connect(controller.open_conversation)
    sidebar.renameRequested.connect(controller.rename_conversation)
    sidebar.deleteRequested.connect(controller.delete_conversation)
    window.new_action.triggered.connect(sidebar_actions.new_chat)
    window.settings_action.triggered.connect(settings.open)
    window.settingsRequested.connect(settings.open)
    window.stop_action.triggered.connect(controller.stop)
    window.copy_reply_action.triggered.connect(messages.copy_last_reply)
    window.set_endpoint_source(controller.endpoint_choices)
    window.moveToEndpointRequested.connect(controller.move_to_endpoint)
    window.closing.connect(startup.save_window_state)
    window.model_chooser.modelChosen.connect(controller.set_model)
    controller.conversationOpened.connect(drafts.opened)
    window.closing.connect(drafts.close)

    def send(text: str) -> None:
        with drafts.sending():
            messages.send(text)

    composer.sendRequested.connect(send)
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
    controller.rendererWarm.connect(chat.rehighlight)
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
    controller.budgetWarning.connect(window.show_budget_warning)
    gauge.connect()
    return app


def build_rest(app: Parley) -> None:
    """What the first frame does not show: dialogs and their actions, the prompt library,
    tool approval, usage, quick ask, the tray icon and sync; and the context gauge starts
    counting (its first count loads the request options). Started at once when the window
    already was."""
    from app.ui.actions.approval import ToolApproval
    from app.ui.actions.dialogs import Dialogs
    from app.ui.actions.history_files import HistoryFiles
    from app.ui.actions.usage import UsageActions
    from app.ui.prompts_controller import PromptsController
    from app.ui.sync_controller import SyncController

    ctx, window, controller = app.ctx, app.window, app.controller
    composer, chat = window.composer, window.chat
    prompts = PromptsController(ctx.store, window)
    files = HistoryFiles(ctx, window, controller, app.sidebar)
    dialogs = Dialogs(ctx, window, controller, prompts, app.settings)
    approval = ToolApproval(window)
    usage = UsageActions(window, controller)
    app.prompts, app.files, app.dialogs, app.approval, app.usage = (
        prompts, files, dialogs, approval, usage)

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
    controller.approvalRequested.connect(approval.ask)
    composer.set_prompt_source(prompts.picker_prompts)
    composer.libraryRequested.connect(dialogs.open_prompt_library)
    composer.systemPresetChosen.connect(dialogs.use_system_preset)
    prompts.errorRaised.connect(lambda text: window.show_status(f"⚠ {text}"))
    app.sidebar.connect_folders(dialogs)
    window.usage_action.triggered.connect(usage.open_usage)
    controller.confirm_over_budget = usage.confirm_over_budget
    _build_quick_and_tray(app, approval, usage)
    sync = SyncController(ctx, window)
    app.settings.sync = sync
    window.statusBar().addPermanentWidget(sync.label)
    sync.historyChanged.connect(app.sidebar.refresh)
    app.sync = sync
    app.gauge.start()
    if app.started:
        app._start_rest()


def _build_quick_and_tray(app: Parley, approval: ToolApproval, usage: UsageActions) -> None:
    """The quick-ask window's controller and the tray icon, wired to the main window (and
    to the same tool approval and budget question)."""
    from app.ui.quick_ask import QuickAsk
    from app.ui.tray import Tray

    ctx, window, controller, chat = app.ctx, app.window, app.controller, app.window.chat

    quick = QuickAsk(ctx, window)
    app.quick = quick
    tray = Tray(window, ctx.settings_service, window)
    app.tray = tray

    def shown_in_main(conversation_id: int | None) -> bool:
        current = controller.current
        return current is not None and conversation_id == current.id

    def quick_conversation() -> int | None:
        return quick.current.id if quick.current is not None else None

    def open_in_main(conversation_id: int) -> None:
        controller.open_conversation(conversation_id)
        tray.show_window()

    def new_chat() -> None:
        tray.show_window()
        app.sidebar.new_chat()  # the same as Ctrl+N: in the selected folder, with its defaults

    quick.conversationUpdated.connect(app.sidebar.update_row)
    quick.approvalRequested.connect(approval.ask)
    quick.confirm_over_budget = usage.confirm_over_budget
    # The main window follows a quick answer when it shows the same conversation.
    quick.messageAppended.connect(
        lambda m: chat.append(m) if shown_in_main(m.conversation_id) else None)
    quick.replyProgress.connect(
        lambda mid, text, reasoning: chat.update_stream(mid, text, reasoning)
        if shown_in_main(quick_conversation()) else None)
    quick.replyFinished.connect(
        lambda m: chat.finish(m) if shown_in_main(m.conversation_id) else None)
    quick.openInMainRequested.connect(open_in_main)

    def share_catalog(_models: object) -> None:
        quick.catalog, quick.models = controller.catalog, controller.models

    controller.modelsLoaded.connect(share_catalog)
    tray.menu.newChatRequested.connect(new_chat)
    tray.menu.quickAskRequested.connect(quick.show_window)


def _hand_over(command: str) -> int | None:
    """Ask a Parley already running on this data folder to act; its exit status, or None
    when none runs (this launch then starts Parley itself)."""
    from app.core.config import data_dir
    from app.ui.single_instance import hand_over

    try:
        answered = hand_over(data_dir(), command)
    except ConfigError:
        return None
    if answered is None:
        return None
    if answered:
        sys.stdout.write(translate("Parley", "Parley is already running: it shows Quick ask.")
                         + "\n")
        return 0
    sys.stderr.write(translate(
        "Parley", "Parley is running but did not answer. Close it (or end its process) "
        "and try again.") + "\n")
    return 1


def _listen_for_launches(parley: Parley) -> InstanceServer | None:
    """Answer later `parley --quick` launches on this data folder (None: another listens)."""
    from app.ui.single_instance import InstanceServer

    server = InstanceServer(parley.ctx.store.path.parent, parley.window)
    if not server.listen():
        return None

    def command(name: str) -> None:
        if name == "quick" and parley.quick is not None:
            parley.quick.show_window()
        elif name == "show" and parley.tray is not None:
            parley.tray.show_window()

    server.commandReceived.connect(command)
    return server


def _quick_only(parley: Parley) -> None:
    """Started as `parley --quick`: only the quick-ask window. Hiding it ends Parley (once
    the answer is saved) unless the main window or the tray icon is there to go on with."""
    quick, window, tray = parley.quick, parley.window, parley.tray
    assert quick is not None

    def hidden() -> None:
        if window.isVisible() or (tray is not None and tray.shown):
            return
        quick.when_idle(lambda: None if window.isVisible() else window.quit())

    quick.window.hidden.connect(hidden)
    quick.show_window()


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
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    box.exec()
    return 1


def run_gui(smoke: bool = False, debug: bool = False, quick: bool = False) -> int:
    """Open the main window and run until it is closed. `smoke`: close once shown.

    `debug` logs everything to stderr as well as to the log file. `quick` opens the
    quick-ask window instead of the main window, or, when Parley already runs on this
    data folder, asks that Parley to show its quick-ask window and returns at once.
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
    if quick:
        handed = _hand_over("quick")
        if handed is not None:
            return handed
    apply_style(qapp)

    try:
        ctx = AppContext.open()
    except StorageError as exc:
        return _fatal(translate("Parley", "History could not be opened"),
                      storage_problem(exc))
    except ConfigError as exc:  # the data folder itself cannot be created
        return _fatal(translate("Parley", "History could not be opened"), str(exc))

    apply_theme(qapp, ctx.settings.theme)
    # The quick-ask window is what a `--quick` start shows: everything is built first.
    parley = build(ctx) if quick else build_window(ctx)
    from app.ui.error_dialog import ErrorReporter

    # Exceptions in slots are shown and logged from here on, instead of lost on stderr.
    reporter = ErrorReporter(parley.window)
    reporter.install()
    closed_early: list[bool] = []
    parley.window.closing.connect(lambda: closed_early.append(True))
    parley.start()
    if quick and parley.quick is not None:
        _quick_only(parley)
    else:
        parley.window.show()
        parley.window.focus_composer()
    # A broken settings file must not lock the user out: say so without blocking.
    parley.settings.report_load_problem()
    if smoke:
        QTimer.singleShot(50, parley.window.close)
    # Paint the window before building what it does not show yet and before loading the
    # event-loop machinery: asyncio and qasync take tens of milliseconds to import, and
    # nothing asynchronous has started yet.
    qapp.processEvents()
    if parley.dialogs is None:
        build_rest(parley)
    import asyncio

    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    loop.set_exception_handler(reporter.loop_exception)
    closed = asyncio.Event()
    parley.window.closing.connect(closed.set)
    if closed_early:
        closed.set()
    instances: list[InstanceServer] = []

    def listen() -> None:
        if closed.is_set():
            return  # closing already (e.g. --smoke): nobody left to answer
        server = _listen_for_launches(parley)
        if server is not None:
            instances.append(server)

    # Once the window is up and the loop runs: QtNetwork takes tens of milliseconds to load.
    QTimer.singleShot(LISTEN_DELAY_MS, parley.window, listen)

    async def main() -> None:
        await closed.wait()
        log.info("Window closed: shutting down")
        # Awaited to the end, MCP servers included: the loop must not stop while a
        # child process is still being shut down.
        for server in instances:
            server.close()
        # Together: both save a reply in flight as stopped and cancel it before either
        # closes the connections they share.
        shutdowns = [parley.controller.shutdown()]
        if parley.quick is not None:
            shutdowns.append(parley.quick.shutdown())
        await asyncio.gather(*shutdowns)
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

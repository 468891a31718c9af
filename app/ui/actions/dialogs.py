"""The dialogs opened from the menus: models, conversation settings, prompts, tools, search."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt

if TYPE_CHECKING:
    from app.core.context import AppContext
    from app.ui.actions.settings import SettingsActions
    from app.ui.chat_controller import ChatController
    from app.ui.main_window import MainWindow
    from app.ui.prompts_controller import PromptsController

translate = QCoreApplication.translate


@dataclass
class Dialogs:
    """Opens each dialog (imported on first use) and applies its result."""

    ctx: AppContext
    window: MainWindow
    controller: ChatController
    prompts: PromptsController
    settings: SettingsActions

    def open_model_browser(self) -> None:
        """Open the model browser; a model chosen there becomes the current one."""
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
        browser.favouritesChanged.connect(self.settings.save_favourites)
        # A list that arrives while the browser is open (background refresh) updates it.
        controller.modelsLoaded.connect(browser.set_models)
        browser.finished.connect(lambda _r: controller.modelsLoaded.disconnect(browser.set_models))
        browser.open()
        if not controller.models:
            controller.refresh_models()

    def open_compare(self, reply_id: int | None = None) -> None:
        """Conversation > Compare Models: one prompt to 2-4 models, replies side by side; with
        `reply_id` ("Compare with…" on a reply), other models answer that reply's prompt."""
        from app.ui.compare_dialog import CompareDialog

        dialog = CompareDialog(self.controller, parent=self.window, reply_id=reply_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.favouritesChanged.connect(self.settings.save_favourites)
        dialog.open()
        if not self.controller.models:
            self.controller.refresh_models()

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
        """Open the prompt library, filtered by `query`."""
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

    def open_search(self) -> None:
        """Open the search over all conversations."""
        from app.ui.search_dialog import SearchDialog

        dialog = SearchDialog(self.controller.search, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.openRequested.connect(self.open_search_result)
        dialog.open()

    def search_for(self, text: str) -> None:
        """Open the full-text search with `text` already searched for."""
        from app.ui.search_dialog import SearchDialog

        dialog = SearchDialog(self.controller.search, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.openRequested.connect(self.open_search_result)
        dialog.field.setText(text)
        dialog.open()
        if text:
            dialog.run_search()

    def open_search_result(self, conversation_id: int, message_id: int) -> None:
        """Open the conversation of a search hit and scroll to the message."""
        self.controller.open_conversation(conversation_id)
        if message_id >= 0:
            self.window.chat.scroll_to_message(message_id)

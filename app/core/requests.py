"""One request path: settings + a conversation + its options (+ overrides) -> the request.

Every front end (the window's send, regenerate and edit, `parley ask`, each step of the
tool loop) asks `resolve_request` which endpoint, model and options a reply uses, and
`ChatRequest.payload` for the body. Nothing else picks an endpoint or builds a payload,
so a choice made in Settings or in a conversation means the same everywhere.

Which endpoint: an explicit override (`parley ask -e`, "Move to endpoint…"), else the
conversation's own endpoint (NULL in old rows = the built-in "openrouter"), else, for a
new conversation, the current endpoint in Settings. A conversation whose endpoint was
removed from Settings is an error that names it and the configured ones: it is never
sent somewhere else silently.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.core.config import ENV_API_KEY
from app.core.endpoints import DEFAULT_ENDPOINT, Endpoint, find_endpoint, list_endpoints
from app.core.errors import ConfigError

if TYPE_CHECKING:
    from app.core.attachments import AttachmentFiles
    from app.core.client import ChatClient
    from app.core.config import Settings
    from app.core.domain import Conversation, Message
    from app.core.history import Store
    from app.core.options import ConversationOptions
    from app.core.tools.registry import ToolSpec


class InvalidOptions(ConfigError):
    """The request options have values the API would refuse."""


@dataclass
class Overrides:
    """What a caller chooses on top of the conversation (the CLI's flags, the window's model
    chooser). None / empty means "as the conversation or Settings say"."""

    model: str | None = None
    endpoint: str | None = None
    #: raw request fields (`-o key=value`, dotted keys already allowed), merged last
    options: dict[str, Any] | None = None
    web: bool = False
    reasoning: str | None = None
    schema: dict[str, Any] | None = None
    schema_name: str | None = None
    fallbacks: list[str] = field(default_factory=list)


@dataclass
class ChatRequest:
    """Where a reply goes and what it asks for; `payload` builds the body from a thread."""

    endpoint: Endpoint
    model: str
    options: ConversationOptions
    #: raw request fields merged last, nested objects key by key
    raw_options: dict[str, Any] | None = None
    #: what the model outputs per the endpoint's cached catalog (None: not known); decides
    #: whether images are asked for
    output_modalities: tuple[str, ...] | None = None
    #: where attachment bytes are read from (the data folder's store)
    files: AttachmentFiles | None = None

    @property
    def kind(self) -> str:
        """"openrouter" or "openai": decides which fields a request may carry."""
        return self.endpoint.kind

    def payload(
        self, messages: list[Message], tools: list[ToolSpec] | None = None
    ) -> dict[str, Any]:
        """The request body for `messages` (a stored thread), with `tools` when offered."""
        body = build_payload(self.model, messages, self.raw_options, self.options, self.kind,
                             output_modalities=self.output_modalities, files=self.files)
        return self.with_tools(body, tools)

    def with_tools(self, body: dict[str, Any], tools: list[ToolSpec] | None) -> dict[str, Any]:
        """`body` offering `tools` (with the conversation's tool_choice settings)."""
        if tools:
            from app.core.tools.registry import openai_tools

            body["tools"] = openai_tools(tools)
            body.update(self.options.tool_params())
        return body


def build_payload(
    model: str,
    messages: list[Message],
    options: dict[str, Any] | None = None,
    conversation_options: ConversationOptions | None = None,
    endpoint_kind: str = "openrouter",
    *,
    output_modalities: tuple[str, ...] | None = None,
    files: AttachmentFiles | None = None,
) -> dict[str, Any]:
    """Request body: only what the user chose is sent, so endpoint defaults apply otherwise.

    `conversation_options` are the typed per-conversation settings; raw `options` (the
    CLI's `-o`) are merged last, nested objects key by key. `output_modalities` (the
    model's, from the catalog) decide whether images are asked for. Attachments become
    content parts read from `files`; a PDF adds OpenRouter's file-parser plugin.
    """
    from app.core.chat import has_pdf, history_messages

    if conversation_options is not None and conversation_options.first_sent_message:
        from app.core.context_budget import visible_to_model

        messages = visible_to_model(messages, conversation_options.first_sent_message)
    history = history_messages(messages, files)
    if endpoint_kind != "openrouter":
        # OpenRouter's parsed-file annotations mean nothing elsewhere (and strict servers
        # refuse unknown fields).
        history = [{k: v for k, v in m.items() if k != "annotations"} for m in history]
    if conversation_options is not None:
        payload = conversation_options.build(model, history, endpoint_kind, output_modalities)
    else:
        payload = {"model": model, "messages": history}
    if endpoint_kind == "openrouter" and has_pdf(messages):
        from app.core.options import DEFAULT_PDF_ENGINE

        engine = (conversation_options.pdf_engine if conversation_options is not None
                  else None) or DEFAULT_PDF_ENGINE
        plugins = [p for p in payload.get("plugins") or [] if p.get("id") != "file-parser"]
        plugins.append({"id": "file-parser", "pdf": {"engine": engine}})
        payload["plugins"] = plugins
    if options:
        from app.core.options import merge_options

        merge_options(payload, options)
    # Usage in the stream: OpenRouter always sends it; local servers need this flag.
    payload.setdefault("stream_options", {"include_usage": True})
    return payload


def configured_names(settings: Settings) -> str:
    """The configured endpoints' names, for messages ("openrouter, local")."""
    return ", ".join(e.name for e in list_endpoints(settings))


def endpoint_named(settings: Settings, name: str) -> Endpoint:
    """The endpoint called `name`; ConfigError naming the configured ones when unknown."""
    for endpoint in list_endpoints(settings):
        if endpoint.name == name:
            return endpoint
    raise ConfigError(
        f"There is no endpoint named {name!r}. Configured endpoints: "
        f"{configured_names(settings)}.",
        hint="Add it in Settings, or pick one of the configured endpoints.",
    )


def conversation_endpoint(settings: Settings, conversation: Conversation) -> Endpoint:
    """The endpoint a conversation talks to; ConfigError when it is no longer configured."""
    name = conversation.endpoint or DEFAULT_ENDPOINT
    for endpoint in list_endpoints(settings):
        if endpoint.name == name:
            return endpoint
    raise ConfigError(
        f"This conversation uses the endpoint {name!r}, which is no longer configured. "
        f"Configured endpoints: {configured_names(settings)}.",
        hint="Add the endpoint again in Settings, or move the conversation to another "
        "endpoint (Conversation > Move to Endpoint…).",
    )


def resolve_request(
    settings: Settings,
    store: Store,
    conversation: Conversation | None,
    overrides: Overrides | None = None,
    *,
    options: ConversationOptions | None = None,
) -> ChatRequest:
    """The request for the next reply in `conversation` (None: a new one).

    `options` replaces the conversation's stored options (e.g. a new chat's options not
    stored yet); the overrides' web/reasoning/schema/fallbacks apply on top, for this
    request only.
    """
    from app.core.options import ConversationOptions, nest_dotted

    over = overrides or Overrides()
    if over.endpoint:
        endpoint = endpoint_named(settings, over.endpoint)
    elif conversation is not None:
        endpoint = conversation_endpoint(settings, conversation)
    else:
        endpoint = find_endpoint(settings)
    model = (over.model or (conversation.model if conversation is not None else None)
             or settings.default_model).strip()
    if options is not None:
        opts = options.clone()
    elif conversation is not None:
        opts = ConversationOptions.from_dict(store.get_options(conversation.id))
    else:
        opts = ConversationOptions.from_dict(settings.default_options)
    if conversation is None:
        # "Always allow" belongs to one conversation, even if it reached the defaults.
        opts.allowed_tools = []
    if over.fallbacks:
        opts.models = list(over.fallbacks)
    if over.web:
        opts.web_search.enabled = True
    if over.reasoning:
        opts.reasoning.effort = over.reasoning
    if over.schema is not None:
        opts.structured.mode = "json_schema"
        opts.structured.schema = over.schema
        opts.structured.name = over.schema_name or "response"
    problems = opts.validate()
    if problems:
        raise InvalidOptions("The request options are not valid: " + " ".join(problems),
                             hint="Fix them in Conversation Settings or on the command line.")
    raw = nest_dotted(over.options) if over.options else None
    modalities = None
    if endpoint.kind == "openrouter" and opts.image_output is not False:
        from app.core.models_cache import cached_output_modalities

        modalities = cached_output_modalities(endpoint.name, opts.model_id(model))
    from app.core.attachments import AttachmentFiles

    return ChatRequest(endpoint, model, opts, raw, modalities,
                       AttachmentFiles.in_data_dir(store.path.parent))


def api_key_for(endpoint: Endpoint) -> str | None:
    """The endpoint's key: $OPENROUTER_API_KEY for the built-in one when set, else the
    keychain entry of the endpoint."""
    if endpoint.key_account == DEFAULT_ENDPOINT:
        # The environment wins and needs no keychain (nor keyring's import cost).
        env = os.environ.get(ENV_API_KEY, "").strip()
        if env:
            return env
    from app.core.endpoints import key_store

    return key_store(endpoint).get_key()


def open_client(request: ChatRequest, settings: Settings) -> ChatClient:
    """A client for the request's endpoint with that endpoint's key (caller closes it)."""
    from app.core.endpoints import make_client

    return make_client(request.endpoint, settings, api_key_for(request.endpoint))

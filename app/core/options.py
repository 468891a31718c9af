"""Everything a user can set per conversation, and how it becomes a request body.

`ConversationOptions` is plain data (JSON round-trip through `to_dict`/`from_dict`, unknown
keys ignored so settings written by a newer Parley still load). `None` always means "not
set": only what the user chose is sent, so the endpoint's and the model's defaults apply
otherwise. OpenRouter-only fields (provider routing, fallbacks, plugins, transforms,
reasoning, model suffixes, cache breakpoints) are left out for plain OpenAI-compatible
endpoints, which would reject or silently misread them.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

EndpointKind = Literal["openrouter", "openai"]

SORTS = ("price", "throughput", "latency")
DATA_COLLECTION = ("allow", "deny")
EFFORTS = ("xhigh", "high", "medium", "low", "minimal", "none")
STRUCTURED_MODES = ("off", "json_object", "json_schema")
MAX_PRICE_KEYS = ("prompt", "completion", "request", "image")
SUFFIXES = ("free", "nitro", "floor", "online")
#: aspect ratios OpenRouter's image models accept in `image_config.aspect_ratio`
ASPECT_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
#: OpenRouter's file-parser engines for PDFs: pdf-text is free, mistral-ocr is billed per
#: page (scans), native hands the file to models that read PDFs themselves
PDF_ENGINES = ("pdf-text", "mistral-ocr", "native")
DEFAULT_PDF_ENGINE = "pdf-text"

#: (name, low, high, integer) for the numeric sampling parameters; None = unbounded
_RANGES: tuple[tuple[str, float | None, float | None, bool], ...] = (
    ("temperature", 0.0, 2.0, False),
    ("top_p", 0.0, 1.0, False),
    ("top_k", 0, None, True),
    ("frequency_penalty", -2.0, 2.0, False),
    ("presence_penalty", -2.0, 2.0, False),
    ("repetition_penalty", 0.0, 2.0, False),
    ("min_p", 0.0, 1.0, False),
    ("top_a", 0.0, 1.0, False),
    ("seed", None, None, True),
    ("max_tokens", 1, None, True),
    ("top_logprobs", 0, 20, True),
)

#: sampling parameters copied to the body under their own name when set
SAMPLING_PARAMS = (
    "temperature", "top_p", "top_k", "frequency_penalty", "presence_penalty",
    "repetition_penalty", "min_p", "top_a", "seed", "max_tokens", "stop", "logit_bias",
    "logprobs", "top_logprobs",
)

#: providers whose models need explicit cache_control breakpoints (others cache by themselves)
_EXPLICIT_CACHE_PREFIXES = ("anthropic/", "google/gemini")
#: user content longer than this gets a breakpoint (about 1k tokens, the providers' minimum)
CACHE_MIN_CHARS = 4000
MAX_CACHE_BREAKPOINTS = 4


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _known(cls: type[Any], data: Any) -> dict[str, Any]:
    """The entries of `data` that name a field of dataclass `cls` (others are ignored)."""
    if not isinstance(data, dict):
        return {}
    names = {f.name for f in fields(cls)}
    return {k: copy.deepcopy(v) for k, v in data.items() if k in names}


def _prune(obj: dict[str, Any]) -> dict[str, Any]:
    """Drop None values (not set) so stored options stay small and readable."""
    return {k: v for k, v in obj.items() if v is not None}


@dataclass
class ProviderPrefs:
    """OpenRouter's `provider` object: which upstream providers may serve the request."""

    order: list[str] | None = None
    allow_fallbacks: bool | None = None
    sort: str | None = None  # price | throughput | latency
    data_collection: str | None = None  # allow | deny
    zdr: bool | None = None
    only: list[str] | None = None
    ignore: list[str] | None = None
    quantizations: list[str] | None = None
    #: USD per million tokens (prompt, completion) or per unit (request, image)
    max_price: dict[str, float] | None = None
    require_parameters: bool | None = None

    def to_api(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = copy.copy(value) if isinstance(value, list | dict) else value
        return out


@dataclass
class ReasoningOptions:
    effort: str | None = None  # xhigh | high | medium | low | minimal | none
    max_tokens: int | None = None
    exclude: bool | None = None
    enabled: bool | None = None

    def to_api(self) -> dict[str, Any]:
        return _prune(
            {"effort": self.effort, "max_tokens": self.max_tokens, "exclude": self.exclude,
             "enabled": self.enabled}
        )


@dataclass
class WebSearchOptions:
    enabled: bool = False
    max_results: int | None = None
    search_prompt: str | None = None
    engine: str | None = None  # "native" | "exa" | ... (passed through)

    def to_plugin(self) -> dict[str, Any]:
        return {"id": "web", **_prune(
            {"max_results": self.max_results, "search_prompt": self.search_prompt,
             "engine": self.engine}
        )}


@dataclass
class StructuredOutput:
    mode: str = "off"  # off | json_object | json_schema
    schema: dict[str, Any] | None = None
    name: str | None = None
    strict: bool | None = None

    def response_format(self) -> dict[str, Any] | None:
        if self.mode == "json_object":
            return {"type": "json_object"}
        if self.mode == "json_schema" and isinstance(self.schema, dict):
            spec: dict[str, Any] = {"name": self.name or "response"}
            if self.strict is not None:
                spec["strict"] = self.strict
            spec["schema"] = self.schema
            return {"type": "json_schema", "json_schema": spec}
        return None


#: fields where False is a setting of its own (sent), not "not set"
_FALSE_IS_A_CHOICE = frozenset({"parallel_tool_calls", "image_output"})

_NESTED: dict[str, type[Any]] = {
    "provider": ProviderPrefs,
    "reasoning": ReasoningOptions,
    "web_search": WebSearchOptions,
    "structured": StructuredOutput,
}


@dataclass
class ConversationOptions:
    """Per-conversation request options; `None` (or False for toggles) means "not set"."""

    #: fallback models tried in order after the chosen one (OpenRouter `models`)
    models: list[str] = field(default_factory=list)
    provider: ProviderPrefs = field(default_factory=ProviderPrefs)
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    repetition_penalty: float | None = None
    min_p: float | None = None
    top_a: float | None = None
    seed: int | None = None
    max_tokens: int | None = None
    stop: list[str] | None = None
    #: token id (as a string, JSON keys are strings) -> bias -100..100
    logit_bias: dict[str, float] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    system_prompt: str | None = None
    reasoning: ReasoningOptions = field(default_factory=ReasoningOptions)
    web_search: WebSearchOptions = field(default_factory=WebSearchOptions)
    structured: StructuredOutput = field(default_factory=StructuredOutput)
    #: how OpenRouter reads attached PDFs (one of PDF_ENGINES); None: pdf-text
    pdf_engine: str | None = None
    #: add cache_control breakpoints for models that need them (Anthropic, Gemini)
    prompt_caching: bool | None = None
    #: True -> transforms ["middle-out"], False -> [] (explicitly off), None -> endpoint default
    middle_out: bool | None = None
    online: bool = False
    nitro: bool = False
    floor: bool = False
    free: bool = False
    #: tools offered in this conversation, by API name ("server__tool" for MCP tools)
    enabled_tools: list[str] = field(default_factory=list)
    #: MCP servers whose tools are all offered in this conversation
    enabled_tool_servers: list[str] = field(default_factory=list)
    #: "auto" | "none" | "required" | {"type": "function", "function": {"name": ...}};
    #: like `parallel_tool_calls`, sent only when tools are offered (see `tool_params`)
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    #: tools the user chose "Always allow" for in this conversation (by API name); never
    #: sent, kept so the choice survives restarts and goes along with an export
    allowed_tools: list[str] = field(default_factory=list)
    #: ask for images in the reply: True / False, None = when the catalog says the model
    #: outputs images (OpenRouter only)
    image_output: bool | None = None
    #: "16:9"... sent as `image_config.aspect_ratio` when images are asked for
    image_aspect_ratio: str | None = None
    #: id of the first message sent to the model: older turns stay in the chat but are left
    #: out of requests (the context gauge's "drop oldest turns"); None sends them all
    first_sent_message: int | None = None
    #: the newest message id when turns were hidden: replies up to it were measured with
    #: the longer thread, so the context gauge does not take their usage as the size
    hidden_at_message: int | None = None

    def wants_images(self, output_modalities: Sequence[str] | None) -> bool:
        """True when a request should ask for images, given the model's output modalities
        from the catalog (None: unknown). A model the catalog says cannot draw is never
        asked (the API would refuse the request); an unknown one only when the user chose."""
        if self.image_output is False:
            return False
        if output_modalities is None:
            return self.image_output is True
        return "image" in output_modalities

    def tools_enabled(self) -> bool:
        """True when this conversation offers any tool."""
        return bool(self.enabled_tools or self.enabled_tool_servers)

    def tool_params(self) -> dict[str, Any]:
        """`tool_choice` / `parallel_tool_calls` as set (add them only next to `tools`)."""
        params: dict[str, Any] = {}
        if self.tool_choice is not None:
            params["tool_choice"] = copy.deepcopy(self.tool_choice)
        if self.parallel_tool_calls is not None:
            params["parallel_tool_calls"] = self.parallel_tool_calls
        return params

    # ---- persistence

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; values that are not set are left out."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _NESTED:
                default = _NESTED[f.name]()
                nested = {
                    g.name: getattr(value, g.name) for g in fields(value)
                    if getattr(value, g.name) != getattr(default, g.name)
                }
                if nested:
                    out[f.name] = copy.deepcopy(nested)
            elif value is not None and value != [] and (
                value is not False or f.name in _FALSE_IS_A_CHOICE
            ):
                out[f.name] = copy.deepcopy(value)
        return out

    @classmethod
    def from_dict(cls, data: Any) -> ConversationOptions:
        """Inverse of `to_dict`; unknown keys are ignored, a non-dict gives defaults."""
        kwargs = _known(cls, data)
        for name, nested_cls in _NESTED.items():
            if name in kwargs:
                kwargs[name] = nested_cls(**_known(nested_cls, kwargs[name]))
        if "models" in kwargs and not isinstance(kwargs["models"], list):
            kwargs["models"] = []
        return cls(**kwargs)

    def clone(self) -> ConversationOptions:
        """A deep copy (the UI edits a copy and keeps it only when the dialog is accepted)."""
        return copy.deepcopy(self)

    # ---- checks

    def validate(self) -> list[str]:
        """Human-readable problems with the values set; empty when all is well."""
        problems: list[str] = []
        for name, low, high, integer in _RANGES:
            value = getattr(self, name)
            if value is None:
                continue
            label = name.replace("_", " ")
            if not _is_number(value) or (integer and not float(value).is_integer()):
                kind = "a whole number" if integer else "a number"
                problems.append(f"{label.capitalize()} must be {kind}, not {value!r}.")
                continue
            if low is not None and high is not None and not low <= value <= high:
                problems.append(f"{label.capitalize()} must be between {low:g} and {high:g} "
                                f"(got {value:g}).")
            elif low is not None and value < low:
                problems.append(f"{label.capitalize()} must be at least {low:g} (got {value:g}).")
        if self.stop is not None:
            if not _str_list(self.stop):
                problems.append("Stop sequences must be a list of strings.")
            elif len(self.stop) > 4:
                problems.append(f"At most 4 stop sequences are allowed (got {len(self.stop)}).")
        if self.logit_bias is not None:
            if not isinstance(self.logit_bias, dict):
                problems.append("Logit bias must map token ids to numbers.")
            else:
                for token, bias in self.logit_bias.items():
                    if not str(token).strip().lstrip("-").isdigit():
                        problems.append(f"Logit bias: {token!r} is not a token id.")
                    elif not _is_number(bias) or not -100 <= bias <= 100:
                        problems.append(
                            f"Logit bias for token {token} must be between -100 and 100 "
                            f"(got {bias!r})."
                        )
        if self.logprobs is not None and not isinstance(self.logprobs, bool):
            problems.append("Log probabilities must be on or off.")
        if self.top_logprobs is not None and self.logprobs is False:
            problems.append("Top log probabilities need log probabilities turned on.")
        if not _str_list(self.models):
            problems.append("Fallback models must be a list of model ids.")
        if self.pdf_engine is not None and self.pdf_engine not in PDF_ENGINES:
            problems.append(f"The PDF engine must be one of {', '.join(PDF_ENGINES)} "
                            f"(got {self.pdf_engine!r}).")
        problems += self._validate_provider()
        problems += self._validate_reasoning()
        ws = self.web_search
        if ws.max_results is not None and (
            not isinstance(ws.max_results, int) or isinstance(ws.max_results, bool)
            or ws.max_results < 1
        ):
            problems.append(f"Web search results must be a whole number of at least 1 "
                            f"(got {ws.max_results!r}).")
        st = self.structured
        if st.mode not in STRUCTURED_MODES:
            problems.append(f"Structured output mode must be one of {', '.join(STRUCTURED_MODES)} "
                            f"(got {st.mode!r}).")
        elif st.mode == "json_schema":
            if not isinstance(st.schema, dict) or not st.schema:
                problems.append("JSON schema mode needs a schema (a JSON object).")
            else:
                from app.core.schema_check import schema_problems

                problems += [f"JSON schema: {p}" for p in schema_problems(st.schema)]
        if self.nitro and self.floor:
            problems.append("Choose either :nitro (fastest) or :floor (cheapest), not both.")
        if self.image_output is not None and not isinstance(self.image_output, bool):
            problems.append("Image output must be on, off or automatic.")
        if self.image_aspect_ratio is not None and self.image_aspect_ratio not in ASPECT_RATIOS:
            problems.append(f"Image aspect ratio must be one of {', '.join(ASPECT_RATIOS)} "
                            f"(got {self.image_aspect_ratio!r}).")
        return problems

    def _validate_provider(self) -> list[str]:
        p = self.provider
        problems: list[str] = []
        if p.sort is not None and p.sort not in SORTS:
            problems.append(f"Provider sort must be one of {', '.join(SORTS)} (got {p.sort!r}).")
        if p.data_collection is not None and p.data_collection not in DATA_COLLECTION:
            problems.append(f"Provider data collection must be allow or deny "
                            f"(got {p.data_collection!r}).")
        for name in ("order", "only", "ignore", "quantizations"):
            value = getattr(p, name)
            if value is not None and not _str_list(value):
                problems.append(f"Provider {name} must be a list of names.")
        for name in ("allow_fallbacks", "zdr", "require_parameters"):
            value = getattr(p, name)
            if value is not None and not isinstance(value, bool):
                problems.append(f"Provider {name.replace('_', ' ')} must be on or off.")
        if p.max_price is not None:
            if not isinstance(p.max_price, dict):
                problems.append("Provider max price must map prompt/completion/request/image "
                                "to prices.")
            else:
                for key, price in p.max_price.items():
                    if key not in MAX_PRICE_KEYS:
                        problems.append(f"Provider max price: unknown price {key!r} (use "
                                        f"{', '.join(MAX_PRICE_KEYS)}).")
                    elif not _is_number(price) or price < 0:
                        problems.append(f"Provider max price for {key} must be a number of at "
                                        f"least 0 (got {price!r}).")
        return problems

    def _validate_reasoning(self) -> list[str]:
        r = self.reasoning
        problems: list[str] = []
        if r.effort is not None and r.effort not in EFFORTS:
            problems.append(f"Reasoning effort must be one of {', '.join(EFFORTS)} "
                            f"(got {r.effort!r}).")
        if r.max_tokens is not None and (
            not isinstance(r.max_tokens, int) or isinstance(r.max_tokens, bool)
            or r.max_tokens < 1
        ):
            problems.append(f"Reasoning max tokens must be a whole number of at least 1 "
                            f"(got {r.max_tokens!r}).")
        if r.effort is not None and r.max_tokens is not None:
            problems.append("Set either a reasoning effort or a reasoning token budget, not both.")
        return problems

    def unsupported(self, supported_parameters: list[str] | tuple[str, ...]) -> list[str]:
        """Set parameters the model does not list in `supported_parameters` (from /models).

        An empty list means the endpoint did not say, so nothing is reported.
        """
        if not supported_parameters:
            return []
        supported = set(supported_parameters)
        missing = [
            name for name in SAMPLING_PARAMS
            if getattr(self, name) is not None and name not in supported
        ]
        if self.structured.mode == "json_schema" and not supported & {
            "structured_outputs", "response_format"
        }:
            missing.append("structured_outputs")
        elif self.structured.mode == "json_object" and "response_format" not in supported:
            missing.append("response_format")
        if self.reasoning.to_api() and not supported & {"reasoning", "include_reasoning"}:
            missing.append("reasoning")
        return missing

    # ---- request body

    def model_id(self, model: str, endpoint_kind: EndpointKind | str = "openrouter") -> str:
        """`model` with the chosen :free/:nitro/:floor/:online suffixes (OpenRouter only)."""
        if endpoint_kind != "openrouter":
            return model
        for suffix in SUFFIXES:
            if getattr(self, suffix) and not model.endswith(f":{suffix}"):
                if suffix == "free" and ":" in model:
                    continue  # a variant is already chosen; ":free" must come first
                model = f"{model}:{suffix}"
        return model

    def to_payload(
        self,
        model: str,
        endpoint_kind: EndpointKind | str = "openrouter",
        output_modalities: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Request fields for these options (everything but `messages`); only what is set.

        `output_modalities` are the model's from the catalog (None: unknown); they decide
        whether images are asked for (see `wants_images`).
        """
        openrouter = endpoint_kind == "openrouter"
        model_id = self.model_id(model, endpoint_kind)
        body: dict[str, Any] = {"model": model_id}
        for name in SAMPLING_PARAMS:
            value = getattr(self, name)
            if value is not None:
                body[name] = copy.copy(value) if isinstance(value, list | dict) else value
        response_format = self.structured.response_format()
        if response_format is not None:
            body["response_format"] = response_format
        if not openrouter:
            return body
        if self.models:
            body["models"] = [model_id, *[m for m in self.models if m != model_id]]
        provider = self.provider.to_api()
        if provider:
            body["provider"] = provider
        reasoning = self.reasoning.to_api()
        if reasoning:
            body["reasoning"] = reasoning
        if self.web_search.enabled:
            body["plugins"] = [self.web_search.to_plugin()]
        if self.middle_out is not None:
            body["transforms"] = ["middle-out"] if self.middle_out else []
        if self.wants_images(output_modalities):
            # An image-only model cannot be asked for text as well.
            text = output_modalities is None or "text" in output_modalities
            body["modalities"] = ["image", "text"] if text else ["image"]
            if self.image_aspect_ratio:
                body["image_config"] = {"aspect_ratio": self.image_aspect_ratio}
        return body

    def prepare_messages(
        self,
        messages: list[dict[str, Any]],
        model: str,
        endpoint_kind: EndpointKind | str = "openrouter",
    ) -> list[dict[str, Any]]:
        """The `messages` to send: system prompt first, cache breakpoints where they help."""
        if self.system_prompt and not any(m.get("role") == "system" for m in messages):
            messages = [{"role": "system", "content": self.system_prompt}, *messages]
        if self.prompt_caching and endpoint_kind == "openrouter":
            messages = apply_cache_control(messages, model)
        return messages

    def build(
        self,
        model: str,
        messages: list[dict[str, Any]],
        endpoint_kind: EndpointKind | str = "openrouter",
        output_modalities: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """The whole request body (without `stream`)."""
        body = self.to_payload(model, endpoint_kind, output_modalities)
        body["messages"] = self.prepare_messages(messages, model, endpoint_kind)
        return body


def needs_explicit_cache(model: str) -> bool:
    """True for models whose providers cache only at explicit breakpoints."""
    return model.startswith(_EXPLICIT_CACHE_PREFIXES)


def apply_cache_control(
    messages: list[dict[str, Any]], model: str, *, min_chars: int = CACHE_MIN_CHARS
) -> list[dict[str, Any]]:
    """Messages with `cache_control: {type: ephemeral}` on the system prompt and on long user
    content, at most 4 breakpoints (the latest long ones win: that is where the shared
    prefix ends). Other models cache automatically: the list is returned unchanged.

    The input is not modified; changed messages are copies in content-parts form.
    """
    if not needs_explicit_cache(model):
        return messages
    candidates: list[int] = []
    for i, msg in enumerate(messages):
        role = msg.get("role")
        size = _content_len(msg.get("content"))
        if (role == "system" and size > 0) or (role == "user" and size > min_chars):
            candidates.append(i)
    if not candidates:
        return messages
    systems = [i for i in candidates if messages[i].get("role") == "system"][:1]
    users = [i for i in candidates if i not in systems]
    chosen = set(systems + users[-(MAX_CACHE_BREAKPOINTS - len(systems)):])
    out = list(messages)
    for i in chosen:
        out[i] = _with_breakpoint(messages[i])
    return out


def _content_len(content: Any) -> int:
    if isinstance(content, str):
        return len(content)
    if isinstance(content, list):
        return sum(len(p.get("text") or "") for p in content if isinstance(p, dict))
    return 0


def _with_breakpoint(msg: dict[str, Any]) -> dict[str, Any]:
    content = msg.get("content")
    if isinstance(content, str):
        parts: list[dict[str, Any]] = [{"type": "text", "text": content}]
    else:
        parts = [dict(p) for p in content or []]
    # The breakpoint goes on the last text part: everything up to it is cached.
    for part in reversed(parts):
        if part.get("type") == "text":
            part["cache_control"] = {"type": "ephemeral"}
            break
    return {**msg, "content": parts}


def merge_options(body: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """Merge raw options into a body in place; nested objects are merged, not replaced."""
    for key, value in options.items():
        current = body.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            merged = dict(current)
            merge_options(merged, value)
            body[key] = merged
        else:
            body[key] = value
    return body


def nest_dotted(options: dict[str, Any]) -> dict[str, Any]:
    """`{"reasoning.effort": "high"}` -> `{"reasoning": {"effort": "high"}}` (others kept)."""
    out: dict[str, Any] = {}
    for key, value in options.items():
        parts = key.split(".")
        if len(parts) == 1 or not all(parts):
            merge_options(out, {key: value})
            continue
        nested: Any = value
        for part in reversed(parts[1:]):
            nested = {part: nested}
        merge_options(out, {parts[0]: nested})
    return out

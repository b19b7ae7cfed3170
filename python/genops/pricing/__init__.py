"""Model prices, per provider and model, and the cost of a call from its token counts.

The shipped table is ``prices.json`` beside this file (prices per million tokens as
decimal strings, with each provider's currency, the date the figures are stated for and
their source). At run time ``set_price`` overrides or adds one model and ``load_prices``
merges a file or mapping of the same shape; ``reset_prices`` goes back to the shipped
table. Arithmetic is exact (``decimal.Decimal``); the provider patches convert the
result to float only when they record it.

Model names are matched as given first, then normalised: a provider prefix
("openai/gpt-4o" as OpenRouter and LiteLLM write it, "anthropic.claude-..." and
"us.anthropic.claude-..." as Bedrock does) names the table to look in, and a dated
snapshot or version suffix ("gpt-4o-2024-08-06", "claude-3-5-sonnet-20241022",
"gpt-4-0613", Gemini's "-001", "-latest", "-v1:0", ":free") is dropped. A provider that
resells others' models without a table of its own (``gcp.vertex_ai``) is priced from
theirs (Gemini's, then Anthropic's). A model that is still unknown has
no price: its calls record tokens without a cost, and ``cost`` warns once per model on
the "genops" logger.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping, Optional, Union

from .._errors import ConfigError

logger = logging.getLogger("genops")

SCHEMA = 1
MILLION = Decimal(1_000_000)
_MAX_WARNED = 1024  # unknown models warned about; past that, one last note and silence

Number = Union[str, int, float, Decimal]


@dataclass(frozen=True)
class ModelPrice:
    """One model's prices per million tokens (``cached_input``: cache reads;
    ``cache_write``: tokens written to a prompt cache; None = the input price)."""

    provider: str
    model: str
    input: Decimal
    output: Decimal
    cached_input: Optional[Decimal] = None
    cache_write: Optional[Decimal] = None
    currency: str = "USD"
    as_of: Optional[str] = None
    source: Optional[str] = None

    def cost(
        self,
        input_tokens: int = 0,
        output_tokens: int = 0,
        cached_input_tokens: int = 0,
        cache_write_tokens: int = 0,
    ) -> Decimal:
        """The exact cost in ``currency``. input_tokens counts every input token, the
        cached and cache-written ones among them (as OpenTelemetry's
        gen_ai.usage.input_tokens does)."""
        cached = max(cached_input_tokens, 0)
        written = max(cache_write_tokens, 0)
        plain = max(input_tokens - cached - written, 0)
        total = (
            plain * self.input
            + cached * (self.input if self.cached_input is None else self.cached_input)
            + written * (self.input if self.cache_write is None else self.cache_write)
            + max(output_tokens, 0) * self.output
        )
        return total / MILLION


_lock = threading.Lock()
_table: dict[str, dict[str, ModelPrice]] = {}  # replaced whole (copy on write), read without the lock
_version = ""
_warned: set[tuple[str, str]] = set()
_found: dict[tuple[str, str], Optional[ModelPrice]] = {}  # lookup()'s answers for the current table
_MAX_FOUND = 4096


def _decimal(value: Any, what: str) -> Decimal:
    """A non-negative finite price from a decimal string, int, Decimal or float."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise ConfigError(f"{what} must be a number or a decimal string, not {type(value).__name__}")
    try:
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise ConfigError(f"{what} is not a decimal number: {value!r}") from None
    if not d.is_finite() or d < 0:
        raise ConfigError(f"{what} must be a finite number >= 0, not {value!r}")
    return d


def _text(value: Any, what: str) -> Optional[str]:
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{what} must be a str, not {type(value).__name__}")
    return value


def _price(provider: str, model: str, entry: Mapping[str, Any], defaults: Mapping[str, Any]) -> ModelPrice:
    where = f"price of {provider}/{model}"
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: expected an object with input and output")
    unknown = set(entry) - {"input", "output", "cached_input", "cache_write", "currency", "as_of", "source"}
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for required in ("input", "output"):
        if required not in entry:
            raise ConfigError(f"{where}: {required} is missing")
    optional = {k: entry.get(k) for k in ("cached_input", "cache_write")}
    return ModelPrice(
        provider=provider,
        model=model,
        input=_decimal(entry["input"], f"{where}: input"),
        output=_decimal(entry["output"], f"{where}: output"),
        cached_input=None if optional["cached_input"] is None else _decimal(optional["cached_input"], where),
        cache_write=None if optional["cache_write"] is None else _decimal(optional["cache_write"], where),
        currency=_text(entry.get("currency", defaults.get("currency", "USD")), f"{where}: currency") or "USD",
        as_of=_text(entry.get("as_of", defaults.get("as_of")), f"{where}: as_of"),
        source=_text(entry.get("source", defaults.get("source")), f"{where}: source"),
    )


def _parse(data: Any) -> tuple[str, dict[str, dict[str, ModelPrice]]]:
    """A prices document (the shape of prices.json) as (version, table)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("providers"), Mapping):
        raise ConfigError("a prices document is an object with a 'providers' object")
    if data.get("schema", SCHEMA) != SCHEMA:
        raise ConfigError(
            f"prices schema {data.get('schema')!r} is not supported (this genops reads {SCHEMA})"
        )
    table: dict[str, dict[str, ModelPrice]] = {}
    for provider, block in data["providers"].items():
        if not isinstance(block, Mapping) or not isinstance(block.get("models"), Mapping):
            raise ConfigError(f"prices of {provider!r}: expected an object with a 'models' object")
        name = provider.lower()
        table[name] = {m.lower(): _price(name, m.lower(), e, block) for m, e in block["models"].items()}
    return str(data.get("version", "")), table


def _shipped() -> tuple[str, dict[str, dict[str, ModelPrice]]]:
    text = resources.files(__name__).joinpath("prices.json").read_text(encoding="utf-8")
    return _parse(json.loads(text))


def reset_prices() -> None:
    """Forget every override: back to the shipped table."""
    global _table, _version
    version, table = _shipped()
    with _lock:
        _table, _version = table, version
        _warned.clear()
        _found.clear()


def _merge(extra: Mapping[str, Mapping[str, ModelPrice]]) -> None:
    global _table
    with _lock:
        merged = {p: dict(models) for p, models in _table.items()}
        for provider, models in extra.items():
            merged.setdefault(provider, {}).update(models)
        _table = merged
        _found.clear()
        _warned.difference_update({(p, m) for p, models in extra.items() for m in models})


def load_prices(source: Union[str, os.PathLike[str], Mapping[str, Any]]) -> None:
    """Merge a prices document (a path to a JSON file, or the parsed mapping) of
    prices.json's shape into the table: its models replace or extend the current ones.
    Raises ConfigError, leaving the table unchanged, when any entry is invalid."""
    if isinstance(source, Mapping):
        data: Any = source
    else:
        try:
            with open(source, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            raise ConfigError(f"cannot read prices from {source!r}: {e}") from None
    _merge(_parse(data)[1])


def set_price(
    provider: str,
    model: str,
    input: Number,
    output: Number,
    cached_input: Optional[Number] = None,
    cache_write: Optional[Number] = None,
    currency: str = "USD",
    as_of: Optional[str] = None,
    source: Optional[str] = None,
) -> ModelPrice:
    """Set one model's prices per million tokens (decimal strings keep them exact; a
    float is taken as its repr). Returns the new entry."""
    if not isinstance(provider, str) or not provider or not isinstance(model, str) or not model:
        raise ConfigError("provider and model must be non-empty str")
    entry = {"input": input, "output": output, "cached_input": cached_input, "cache_write": cache_write}
    entry.update(currency=currency, as_of=as_of, source=source)
    price = _price(provider.lower(), model.lower(), {k: v for k, v in entry.items() if v is not None}, {})
    _merge({price.provider: {price.model: price}})
    return price


# A vendor prefix (OpenRouter's "mistralai/...", "google/...", Bedrock's "mistral.",
# LiteLLM's "gemini/...") -> its table.
_VENDOR_TABLES = {
    "mistralai": "mistral_ai",
    "mistral": "mistral_ai",
    "google": "gcp.gemini",
    "gemini": "gcp.gemini",
}
# A provider without its own table for a model -> the tables to look in next.
_RESELLERS = {"gcp.vertex_ai": ("gcp.gemini", "anthropic")}
_BEDROCK_ID = re.compile(r"^(?:(?:us|eu|apac|global|us-gov)\.)?([a-z0-9]+)\.(.+)$")
_SUFFIXES = (
    re.compile(r":[a-z0-9]+$"),  # OpenRouter variants (:free, :beta); Bedrock's ":0" after -v1
    re.compile(r"-v\d+$"),  # Bedrock versions (-v1, -v2)
    re.compile(r"-\d{4}-\d{2}-\d{2}$"),  # OpenAI snapshots (gpt-4o-2024-08-06)
    re.compile(r"[-@]\d{8}$"),  # Anthropic snapshots (-20241022; Vertex writes @20241022)
    re.compile(r"-\d{4}$"),  # older OpenAI snapshots (gpt-4-0613)
    re.compile(r"-\d{3}$"),  # Gemini's stable versions (gemini-2.5-flash-001)
    re.compile(r"-latest$"),
)


@lru_cache(maxsize=1024)
def normalize_model(model: str) -> tuple[Optional[str], tuple[str, ...]]:
    """(the vendor its prefix names or None, the names to try in order): the name as
    given (lowercased), then with each snapshot or version suffix dropped in turn."""
    name = model.strip().lower()
    vendor: Optional[str] = None
    if "/" in name:
        vendor, name = name.split("/", 1)
    else:
        m = _BEDROCK_ID.match(name)  # a dot before any dash: "gpt-4.1" is no prefix
        if m:
            vendor, name = m.group(1), m.group(2)
    names = [name]
    for suffix in _SUFFIXES:
        stripped = suffix.sub("", names[-1])
        if stripped and stripped != names[-1]:
            names.append(stripped)
    return vendor, tuple(names)


def lookup(provider: str, model: str) -> Optional[ModelPrice]:
    """The price of model at provider, or None. The provider's own table is searched
    first, then the table of the vendor a prefix names (an OpenRouter model
    "anthropic/claude-sonnet-4" is priced as Anthropic's)."""
    key = (provider, model)
    try:
        return _found[key]
    except KeyError:
        pass
    table = _table
    price = _search(table, provider, model)
    if len(_found) >= _MAX_FOUND:
        _found.clear()
    if table is _table:  # not an answer from a table replaced meanwhile
        _found[key] = price
    return price


def _search(table: dict[str, dict[str, ModelPrice]], provider: str, model: str) -> Optional[ModelPrice]:
    if not model:
        return None
    exact = table.get(provider.lower(), {}).get(model.lower())
    if exact is not None:
        return exact
    vendor, names = normalize_model(model)
    vendor = _VENDOR_TABLES.get(vendor or "", vendor)
    for where in (provider.lower(), vendor, *_RESELLERS.get(provider.lower(), ())):
        models = table.get(where or "")
        if models:
            for name in names:
                if name in models:
                    return models[name]
    return None


def cost(
    provider: str,
    model: str,
    input_tokens: int = 0,
    output_tokens: int = 0,
    cached_input_tokens: int = 0,
    cache_write_tokens: int = 0,
) -> Optional[tuple[Decimal, ModelPrice]]:
    """(exact cost, the price used), or None for a model without a price, after a
    warning on the "genops" logger the first time that model is seen."""
    price = lookup(provider, model)
    if price is None:
        _warn_unknown(provider, model)
        return None
    return price.cost(input_tokens, output_tokens, cached_input_tokens, cache_write_tokens), price


def _warn_unknown(provider: str, model: str) -> None:
    key = (provider, model)
    if key in _warned:
        return
    with _lock:
        if key in _warned or len(_warned) > _MAX_WARNED:
            return
        _warned.add(key)
        last = len(_warned) > _MAX_WARNED
    logger.warning(
        "genops: no price for model %r of provider %r: its calls record tokens without a cost "
        "(genops.pricing.set_price adds one)%s",
        model,
        provider,
        "; further unknown models are not reported" if last else "",
    )


def version() -> str:
    """The shipped table's version (the date of its figures)."""
    return _version


def prices() -> dict[str, dict[str, ModelPrice]]:
    """A copy of the whole table: provider -> model -> ModelPrice."""
    return {p: dict(models) for p, models in _table.items()}


reset_prices()

__all__ = [
    "ModelPrice",
    "cost",
    "load_prices",
    "lookup",
    "normalize_model",
    "prices",
    "reset_prices",
    "set_price",
    "version",
]

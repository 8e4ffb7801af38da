"""Check Bot API calls against the official spec (``botapi.json``, Bot API 10.1). Stdlib only.

Top-level parameters are read as the real Bot API server reads them: every value is a wire
string (python-telegram-bot sends strings as they are, everything else JSON-encoded: ``'123'``,
``'true'``, ``'{"inline_keyboard": ...}'``); a non-string value from a JSON body counts as its
JSON text. Values inside JSON objects are checked strictly against the declared types.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType

DEFAULT_SPEC_PATH = Path(__file__).with_name("botapi.json")

_ARRAY = "Array of "
_PRIMITIVES = frozenset({"Integer", "Float", "Boolean", "String", "InputFile"})
_INT_RE = re.compile(r"-?[0-9]+")
_FLOAT_RE = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_BOOLS = {"true": True, "1": True, "false": False, "0": False}
_DISCRIMINATOR_RE = re.compile(r"""(?:must be|always)\s+(?!one of)["“]?([A-Za-z0-9_]+)""")
_ATTACH = "attach://"


class SpecError(RuntimeError):
    """The spec file is missing or malformed."""


@dataclass(frozen=True)
class UploadedFile:
    """A multipart/form-data file part."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class FieldSpec:
    name: str
    types: tuple[str, ...]
    required: bool
    description: str = ""

    @property
    def attachable(self) -> bool:
        """Whether an ``attach://<name>`` reference to an uploaded part is allowed here."""
        return "InputFile" in self.types or _ATTACH in self.description


@dataclass(frozen=True)
class _WithFields:
    name: str
    fields: tuple[FieldSpec, ...] = ()

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class MethodSpec(_WithFields):
    returns: tuple[str, ...] = ()


@dataclass(frozen=True)
class TypeSpec(_WithFields):
    subtypes: tuple[str, ...] = ()
    # (field, value) that identifies this subtype, e.g. ("type", "chat") for BotCommandScopeChat.
    discriminator: tuple[str, str] | None = None


@dataclass(frozen=True)
class ApiSpec:
    version: str
    methods: Mapping[str, MethodSpec]
    types: Mapping[str, TypeSpec]
    _lower: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def method(self, name: str) -> MethodSpec | None:
        """The method called ``name``, case-insensitively (as Telegram matches them)."""
        canonical = self._lower.get(name.lower())
        return None if canonical is None else self.methods[canonical]


def _fields(raw: object, owner: str) -> tuple[FieldSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise SpecError(f"{owner}: 'fields' must be a list")
    out = []
    for f in raw:
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f.get("types"):
            raise SpecError(f"{owner}: malformed field {f!r}")
        desc = str(f.get("description") or "")
        out.append(FieldSpec(f["name"], tuple(f["types"]), bool(f.get("required")), desc))
    return tuple(out)


def _discriminator(fields: tuple[FieldSpec, ...]) -> tuple[str, str] | None:
    for f in fields:
        if f.name in ("type", "status", "source") and f.required and f.types == ("String",):
            match = _DISCRIMINATOR_RE.search(f.description)
            if match:
                return f.name, match.group(1)
    return None


@cache
def _load(path: Path) -> ApiSpec:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"Bot API spec not found at {path}") from None
    except (OSError, ValueError) as exc:
        raise SpecError(f"Bot API spec at {path} is unreadable: {exc}") from exc
    raw_methods = data.get("methods") if isinstance(data, dict) else None
    raw_types = data.get("types") if isinstance(data, dict) else None
    if not isinstance(raw_methods, dict) or not raw_methods or not isinstance(raw_types, dict):
        raise SpecError(f"Bot API spec at {path} has no methods or no types")
    methods: dict[str, MethodSpec] = {}
    for name, m in raw_methods.items():
        if not isinstance(m, dict):
            raise SpecError(f"method {name}: not an object")
        methods[name] = MethodSpec(
            name, _fields(m.get("fields"), name), tuple(m.get("returns", ()))
        )
    types: dict[str, TypeSpec] = {}
    for name, t in raw_types.items():
        if not isinstance(t, dict):
            raise SpecError(f"type {name}: not an object")
        fields = _fields(t.get("fields"), name)
        disc = _discriminator(fields) if t.get("subtype_of") else None
        types[name] = TypeSpec(name, fields, tuple(t.get("subtypes", ())), disc)
    return ApiSpec(
        version=str(data.get("version", "")),
        methods=MappingProxyType(methods),
        types=MappingProxyType(types),
        _lower=MappingProxyType({n.lower(): n for n in methods}),
    )


def load_spec(path: Path | None = None) -> ApiSpec:
    """Load (once per path) the Bot API spec; by default ``botapi.json`` next to this module."""
    return _load((path or DEFAULT_SPEC_PATH).resolve())


def known_method(name: str, *, spec: ApiSpec | None = None) -> str | None:
    """The canonical spelling of method ``name`` (matched case-insensitively), or None."""
    method = (spec or load_spec()).method(name)
    return None if method is None else method.name


@dataclass
class _Ctx:
    spec: ApiSpec
    attached: list[tuple[str, str]] = field(default_factory=list)  # (path, name) references


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"number {value}"
    if isinstance(value, str):
        shown = value[:40] + ("..." if len(value) > 40 else "")
        return "string " + json.dumps(shown, ensure_ascii=False)
    kinds = {UploadedFile: "an uploaded file", type(None): "null", list: "array"}
    return kinds.get(type(value), "object")


def _expand(types: Sequence[str], spec: ApiSpec) -> list[str]:
    """Replace abstract types (BotCommandScope, InputMedia...) by their concrete subtypes."""
    out: list[str] = []
    for t in types:
        ts = spec.types.get(t)
        if ts is not None and ts.subtypes and not ts.fields:
            out.extend(x for x in _expand(ts.subtypes, spec) if x not in out)
        elif t not in out:
            out.append(t)
    return out


def _check_object(value: dict[str, object], ts: TypeSpec, path: str, ctx: _Ctx) -> list[str]:
    errors = []
    for spec_field in ts.fields:
        if spec_field.required and value.get(spec_field.name) is None:
            errors.append(f"{path}: missing required field '{spec_field.name}' in {ts.name}")
    for key, item in value.items():
        f = ts.field(key)
        if f is None:
            errors.append(f"{path}: unknown field '{key}' in {ts.name}")
        elif item is not None:
            if ts.discriminator and key == ts.discriminator[0] and item != ts.discriminator[1]:
                want = ts.discriminator[1]
                errors.append(f"{path}.{key}: must be '{want}' in {ts.name}, got {_describe(item)}")
            errors.extend(_check_value(item, f.types, f"{path}.{key}", ctx, f.attachable))
    return errors


def _check_alt(
    value: object, alt: str, path: str, ctx: _Ctx, attachable: bool
) -> tuple[bool, list[str]]:
    """Check ``value`` against one type. Returns (kind matched, errors)."""
    if alt.startswith(_ARRAY):
        if not isinstance(value, list):
            return False, []
        inner = [alt[len(_ARRAY) :]]
        return True, _check_items(value, inner, path, ctx, attachable)
    if alt == "Integer":
        return isinstance(value, int) and not isinstance(value, bool), []
    if alt == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool), []
    if alt == "Boolean":
        return isinstance(value, bool), []
    if alt in ("String", "InputFile"):
        if isinstance(value, str) and value.startswith(_ATTACH) and attachable:
            ctx.attached.append((path, value[len(_ATTACH) :]))
            return True, []
        if alt == "InputFile":
            return isinstance(value, UploadedFile), []
        return isinstance(value, str), []
    ts = ctx.spec.types.get(alt)
    if ts is None:
        return True, [f"{path}: type '{alt}' is not in the spec"]
    if not isinstance(value, dict):
        return False, []
    return True, _check_object(value, ts, path, ctx)


def _check_items(
    items: list[object], types: list[str], path: str, ctx: _Ctx, attachable: bool
) -> list[str]:
    return [
        error
        for i, item in enumerate(items)
        for error in _check_value(item, types, f"{path}[{i}]", ctx, attachable)
    ]


def _check_value(
    value: object, types: Sequence[str], path: str, ctx: _Ctx, attachable: bool = False
) -> list[str]:
    """Check a decoded JSON value against a union of declared types."""
    alts = _expand(types, ctx.spec)
    if len(alts) > 1 and all(a.startswith(_ARRAY) for a in alts):
        # "Array of InputMediaPhoto or Array of InputMediaVideo...": one array of any of them.
        if not isinstance(value, list):
            return [f"{path}: expected {' or '.join(types)}, got {_describe(value)}"]
        return _check_items(value, [a[len(_ARRAY) :] for a in alts], path, ctx, attachable)
    if isinstance(value, dict):
        narrowed = _pick_subtype(value, alts, ctx.spec)
        if isinstance(narrowed, str):
            return [f"{path}: {narrowed}"]
        alts = narrowed
    candidates: list[list[str]] = []
    for alt in alts:
        probe = _Ctx(ctx.spec)
        matched, errors = _check_alt(value, alt, path, probe, attachable)
        if matched and not errors:
            ctx.attached.extend(probe.attached)
            return []
        if matched:
            candidates.append(errors)
    if candidates:
        return min(candidates, key=len)
    return [f"{path}: expected {' or '.join(types)}, got {_describe(value)}"]


def _pick_subtype(value: dict[str, object], alts: list[str], spec: ApiSpec) -> list[str] | str:
    """Narrow object alternatives by their discriminator (``type``/``status``/``source``)."""
    discs = [spec.types[a].discriminator if a in spec.types else None for a in alts]
    keys = {d[0] for d in discs if d is not None}
    if len(alts) < 2 or None in discs or len(keys) != 1:
        return alts
    key = keys.pop()
    if key not in value:
        return alts
    chosen = [a for a, d in zip(alts, discs, strict=True) if d is not None and d[1] == value[key]]
    if chosen:
        return chosen
    allowed = ", ".join(sorted({d[1] for d in discs if d is not None}))
    return f"unknown {key} {_describe(value[key])}; expected one of: {allowed}"


def _parse_wire(raw: str, alt: str) -> tuple[bool, object]:
    """Decode a wire string as one declared type. Returns (ok, value)."""
    if alt == "String":
        return True, raw
    if alt == "InputFile":
        return raw.startswith(_ATTACH), raw
    if alt in ("Integer", "Float"):
        pattern, convert = (_INT_RE, int) if alt == "Integer" else (_FLOAT_RE, float)
        return (True, convert(raw)) if pattern.fullmatch(raw.strip()) else (False, raw)
    if alt == "Boolean":
        flag = _BOOLS.get(raw.strip().lower())
        return (False, raw) if flag is None else (True, flag)
    try:
        decoded = json.loads(raw)
    except ValueError:
        return False, raw
    wanted = list if alt.startswith(_ARRAY) else dict
    return isinstance(decoded, wanted), decoded


def _wire(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _check_param(raw: object, f: FieldSpec, ctx: _Ctx) -> list[str]:
    expected = " or ".join(f.types)
    if isinstance(raw, UploadedFile):
        if "InputFile" in f.types:
            return []
        return [f"{f.name}: a file upload is not accepted here (expected {expected})"]
    if isinstance(raw, dict | list) and all(a in _PRIMITIVES for a in f.types):
        return [f"{f.name}: expected {expected}, got {_describe(raw)}"]
    text = _wire(raw)
    for alt in f.types:
        if alt in _PRIMITIVES and _parse_wire(text, alt)[0]:
            if text.startswith(_ATTACH) and f.attachable:
                ctx.attached.append((f.name, text[len(_ATTACH) :]))
            return []
    objects = [a for a in f.types if a not in _PRIMITIVES]
    if objects:
        try:
            decoded = json.loads(text)
        except ValueError:
            return [f"{f.name}: can't parse JSON for {expected}: {_describe(text)}"]
        return _check_value(decoded, objects, f.name, ctx, f.attachable)
    return [f"{f.name}: expected {expected}, got {_describe(text)}"]


def validate_call(
    method: str, params: Mapping[str, object], *, spec: ApiSpec | None = None
) -> list[str]:
    """Every way the call breaks the spec; an empty list when it is valid."""
    spec = spec or load_spec()
    m = spec.method(method)
    if m is None:
        close = difflib.get_close_matches(method, list(spec.methods), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return [f"unknown method '{method}'{hint}"]
    ctx = _Ctx(spec)
    files: set[str] = set()
    errors = [
        f"missing required parameter '{p.name}'"
        for p in m.fields
        if p.required and params.get(p.name) is None
    ]
    for name, raw in params.items():
        f = m.field(name)
        if isinstance(raw, UploadedFile):
            files.add(name)
            if f is None:
                continue  # checked below: must be referenced by an attach:// URI
        if f is None:
            errors.append(f"unknown parameter '{name}'")
        elif raw is not None:
            errors.extend(_check_param(raw, f, ctx))
    referenced = {name for _, name in ctx.attached}
    for path, name in ctx.attached:
        if name not in files:
            errors.append(f"{path}: attach://{name} refers to no uploaded file part")
    for name in sorted(files - referenced):
        if m.field(name) is None:
            errors.append(f"unknown parameter '{name}' (a file part no attach:// URI refers to)")
    return errors


def unknown_names(method: str, names: Sequence[str], *, spec: ApiSpec | None = None) -> list[str]:
    """The method, or the parameters of it, that the spec does not define (file parts are
    left to `validate_call`: their names are free, an attach:// URI refers to them)."""
    spec = spec or load_spec()
    m = spec.method(method)
    if m is None:
        return [f"unknown method '{method}'"]
    return [f"unknown parameter '{name}'" for name in names if m.field(name) is None]


def decode_params(
    method: str, params: Mapping[str, object], *, spec: ApiSpec | None = None
) -> dict[str, object]:
    """Wire values -> Python values by the declared types (int, float, bool, parsed JSON).

    ``Integer or String`` gives an int when the value parses as one. File parts, unknown
    parameters and values that do not decode pass through unchanged; ``None`` values are dropped.
    Raises ``ValueError`` for an unknown method.
    """
    spec = spec or load_spec()
    m = spec.method(method)
    if m is None:
        raise ValueError(f"unknown method '{method}'")
    out: dict[str, object] = {}
    for name, raw in params.items():
        f = m.field(name)
        if raw is None:
            continue
        if f is None or isinstance(raw, UploadedFile):
            out[name] = raw
            continue
        parsed = (_parse_wire(_wire(raw), alt) for alt in f.types)
        out[name] = next((value for ok, value in parsed if ok), raw)
    return out

"""What a pydantic model declares for a key path: the field it reaches, that field's type and bounds.

Messages and checks that depend on a field's type or range (a sweep's whole-number
settings, a fit's refusal of a whole-number parameter) read them here from the model's
declarations, so that changing a ``Field(ge=..., le=...)`` or an annotation changes them too
instead of leaving a second copy stale.
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Iterable, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo


def field_at(model: type[BaseModel], loc: Iterable) -> tuple[FieldInfo | None, Any]:
    """The last field a key path of ``model`` passes through, and the type at the path's end.

    A list index or a mapping key steps into the items or values (``states.KZK.power``:
    ``KZK`` names an item of the list ``states``). A path the declarations do not reach
    gives ``(None, None)``.
    """
    info, tp = None, model
    for key in loc:
        tp = _plain(tp)
        if get_origin(tp) in (list, dict):
            tp = get_args(tp)[-1]
        elif isinstance(tp, type) and issubclass(tp, BaseModel) and key in tp.model_fields:
            info = tp.model_fields[key]
            tp = info.annotation
        else:
            return None, None
    return info, _plain(tp)


def whole_numbers_only(model: type[BaseModel], loc: Iterable) -> bool:
    """True where the path ends at an ``int`` (not a ``bool``): a fraction there is refused."""
    return field_at(model, loc)[1] is int


def bounds(info: FieldInfo) -> tuple[Any, Any]:
    """The field's declared ``ge`` and ``le`` (None where not declared)."""
    low = next((m.ge for m in info.metadata if getattr(m, "ge", None) is not None), None)
    high = next((m.le for m in info.metadata if getattr(m, "le", None) is not None), None)
    return low, high


def _plain(tp: Any) -> Any:
    """``tp`` without ``Annotated`` and without ``None`` beside a single other type."""
    while True:
        if get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
        elif get_origin(tp) in (Union, types.UnionType) and len(get_args(tp)) == 2 and type(None) in get_args(tp):
            tp = next(a for a in get_args(tp) if a is not type(None))
        else:
            return tp

"""Small immutable value classes for the common model's values.

The model's values (an unknown, a reference, a partial string, an input, an
adapter's sourced value) are walked by code that treats every tuple as a list, so
they cannot be named tuples; and a frozen dataclass costs about a millisecond per
class when iaclint starts (its methods are generated as source and compiled),
plus the import of `dataclasses` and `inspect`: a fifth of a small file's run. A
subclass lists its fields in `__slots__`, in the order its `__init__` takes them,
and sets them with `object.__setattr__`; equality, hashing, `repr`, pickling and
`replace` come from here, and behave as a frozen dataclass's would.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self


class Frozen:
    __slots__: tuple[str, ...] = ()
    # The fields in the order they are annotated (and taken by `__init__`).
    field_names: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # The class's own annotations, read without `inspect` (see above).
        names = tuple(cls.__dict__.get("__annotations__", {}))  # noqa: RUF063
        if sorted(names) != sorted(cls.__slots__):
            raise TypeError(f"{cls.__name__}: annotated fields and __slots__ differ")
        cls.field_names = names

    def fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.field_names)

    def replace(self, **changes: Any) -> Self:
        """A copy with the named fields changed."""
        values = {name: getattr(self, name) for name in self.field_names}
        unknown = changes.keys() - values.keys()
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {sorted(unknown)[0]!r}")
        values.update(changes)
        return type(self)(**values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frozen) or type(other) is not type(self):
            return NotImplemented
        return self.fields() == other.fields()

    def __hash__(self) -> int:
        return hash(self.fields())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.field_names)
        return f"{type(self).__name__}({shown})"

    def __reduce__(self) -> tuple[type[Self], tuple[object, ...]]:
        return type(self), self.fields()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot delete {name!r}")

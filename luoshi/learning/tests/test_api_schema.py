"""Learning's API schemas have names of their own: the OpenAPI document keys every schema by its
class name, so a name another app also uses makes one of the two document the wrong shape."""

from collections import Counter

from ninja import Schema

from luoshi.api.api import api


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_learning_schema_names_are_unique():
    api.get_openapi_schema()  # every router registered, every schema class imported
    schemas = {cls for cls in _subclasses(Schema) if cls.__module__.startswith("luoshi.")}
    counts = Counter(cls.__name__ for cls in schemas)
    learning = {cls.__name__ for cls in schemas if cls.__module__.startswith("luoshi.learning")}
    assert learning and not {name for name in learning if counts[name] > 1}

"""Every free-text field has a maximum length: each text field of every project model (and a
CHECK in the database for each TextField), each text field of every form class and of every
serializer that reads input. A field added without a limit fails here, before a megabyte reaches
it; tests/hostile/test_every_route.py then sends one to every field of every route."""

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.migrations.state import ProjectState
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import serializers

from clients.factories import ClientFactory
from clients.models import Client
from core.api import StrictSerializer
from core.fields import LengthCheck, LimitedTextField

# pghistory's own columns of its event tables, written from code, never from input.
HISTORY_FIELDS = {"pgh_label", "pgh_obj_model"}


def _project_apps() -> list[Any]:
    base = Path(settings.BASE_DIR).resolve()
    return [
        config
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base) and "site-packages" not in config.path
    ]


def _project_modules() -> Iterator[ModuleType]:
    """Every module of the project's apps but migrations and settings, imported."""
    for config in _project_apps():
        package = importlib.import_module(config.name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{config.name}."):
            if ".migrations" in info.name or ".settings" in info.name or info.name.endswith(("wsgi", "asgi")):
                continue
            yield importlib.import_module(info.name)


MODULES = list(_project_modules())
PROJECT = tuple(config.name for config in _project_apps())


def _defined_in_project(cls: type) -> bool:
    return cls.__module__.split(".")[0] in PROJECT


def _classes(base: type) -> list[type]:
    found: set[type] = set()
    for module in MODULES:
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, base) and _defined_in_project(value):
                found.add(value)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def test_every_text_field_of_every_project_model_has_a_limit_that_the_database_holds() -> None:
    missing = []
    for config in _project_apps():
        for model in config.get_models():
            checks = {c.name for c in model._meta.constraints if isinstance(c, LengthCheck)}
            for field in model._meta.get_fields():
                if not isinstance(field, models.CharField | models.TextField) or field.name in HISTORY_FIELDS:
                    continue
                label = f"{model._meta.label}.{field.name}"
                if field.max_length is None:
                    missing.append(f"{label}: no max_length")
                if isinstance(field, models.TextField) and not isinstance(field, LimitedTextField):
                    missing.append(f"{label}: a TextField, not core.fields.LimitedTextField")
                if isinstance(field, LimitedTextField) and not any(
                    name.endswith(f"_{field.name}_max_length") for name in checks
                ):
                    missing.append(f"{label}: no CHECK of its length")
    assert missing == []


@pytest.mark.django_db
def test_the_database_refuses_a_megabyte_that_skips_validation() -> None:
    client = ClientFactory()
    with pytest.raises(IntegrityError, match="no_named_worker_reason_max_length"), transaction.atomic():
        Client.objects.filter(pk=client.pk).update(no_named_worker_reason="x" * 1_000_000)
    client.no_named_worker_reason = "x" * 1_000_000
    with pytest.raises(ValidationError) as refusal:
        client.full_clean()
    assert list(refusal.value.message_dict) == ["no_named_worker_reason"]


def test_every_length_check_has_a_name_postgresql_keeps_whole() -> None:
    longest = connection.ops.max_name_length() or 63
    names = [
        c.name
        for config in _project_apps()
        for model in config.get_models()
        for c in model._meta.constraints
        if isinstance(c, LengthCheck) and len(str(c.name)) > longest
    ]
    assert names == []


def _form_text_fields(form_class: type[forms.Form]) -> Iterator[tuple[str, forms.Field]]:
    for name, field in form_class.base_fields.items():
        # A UUID is parsed, not stored as given: a megabyte is no UUID.
        if isinstance(field, forms.CharField) and not isinstance(field, forms.UUIDField):
            yield name, field


def test_every_text_field_of_every_project_form_has_a_limit() -> None:
    form_classes = _classes(forms.BaseForm)
    assert len(form_classes) > 40, "the module scan found too few forms to be complete"
    missing = [
        f"{form_class.__module__}.{form_class.__qualname__}.{name}"
        for form_class in form_classes
        for name, field in _form_text_fields(form_class)
        if field.max_length is None  # type: ignore[attr-defined]
    ]
    assert missing == []


def _input_serializers() -> list[type[serializers.BaseSerializer[Any]]]:
    """Serializers that read input: every strict one (the project's input serializers), every
    one a module gives ``data=``, and every writable view's ``serializer_class``."""
    found: set[type] = set(_classes(StrictSerializer))
    for module in MODULES:
        source = Path(str(module.__file__)).read_text()
        for name in re.findall(r"\b(\w+)\((?:[\w.]+, )?data=", source):
            value = getattr(module, name, None)
            if inspect.isclass(value) and issubclass(value, serializers.BaseSerializer):
                found.add(value)
    for view in _views():
        serializer_class = getattr(view, "serializer_class", None)
        writes = any(hasattr(view, method) for method in ("post", "put", "patch", "create", "update"))
        if serializer_class is not None and writes:
            found.add(serializer_class)
    # A base class for model serializers, with no model of its own.
    found -= {cls for cls in found if issubclass(cls, serializers.ModelSerializer) and not hasattr(cls, "Meta")}
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _views(patterns: list[Any] | None = None) -> Iterator[type]:
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
            if view is not None:
                yield view


def _unlimited(field: serializers.Field[Any, Any, Any, Any], path: str) -> Iterator[str]:
    if field.read_only:
        return
    if isinstance(field, serializers.ListSerializer):
        yield from _unlimited(field.child, f"{path}[]")  # type: ignore[arg-type]
    elif isinstance(field, serializers.Serializer):
        for name, child in field.fields.items():
            yield from _unlimited(child, f"{path}.{name}")
    elif isinstance(field, serializers.ListField | serializers.DictField):
        yield from _unlimited(field.child, f"{path}[]")
    elif isinstance(field, serializers.CharField) and field.max_length is None:
        yield path


def test_every_text_field_of_every_serializer_that_reads_input_has_a_limit() -> None:
    serializer_classes = _input_serializers()
    assert len(serializer_classes) > 40, "the module scan found too few serializers to be complete"
    missing = [
        path
        for serializer_class in serializer_classes
        for path in _unlimited(serializer_class(), f"{serializer_class.__module__}.{serializer_class.__qualname__}")
    ]
    assert missing == []


def test_a_model_rendered_from_the_migrations_state_has_each_check_once() -> None:
    # A migration's CreateModel names the CHECK among its options, and rendering the model adds
    # the field's own again: created twice, the migration of a new model failed ("already exists").
    rendered = ProjectState.from_apps(apps).apps
    checked = 0
    for config in _project_apps():
        for model in config.get_models():
            names = [constraint.name for constraint in rendered.get_model(model._meta.label)._meta.constraints]
            assert len(names) == len(set(names)), model._meta.label
            checked += any(name.endswith("_max_length") for name in names)
    assert checked > 10

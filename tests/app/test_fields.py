"""Issue 26: the model's fields of the page's form are declared once (core.contract.REQUEST_FIELDS).
/api/v1/meta lists exactly them, the page's form has exactly their rows, and the request schema's
rules are theirs: a field added or dropped in one place and not the others fails here."""

from html.parser import HTMLParser

import pytest

from app.schemas import UnfoldRequest
from core.contract import CELL_FIELDS, CELLS, REQUEST_FIELDS


class Grid(HTMLParser):
    """The controls and labels of the form's grid of model fields (div#model-fields)."""

    def __init__(self):
        super().__init__()
        self.depth, self.controls, self.labels, self._label = 0, [], {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("id") == "model-fields":
            self.depth = 1
        elif self.depth and tag == "div":
            self.depth += 1
        elif self.depth and tag in ("input", "select"):
            self.controls.append(attrs["id"])
        elif self.depth and tag == "label":
            self._label = attrs["for"]

    def handle_endtag(self, tag):
        if self.depth and tag == "div":
            self.depth -= 1
        if tag == "label":
            self._label = None

    def handle_data(self, data):
        if self._label and data.strip():
            self.labels[self._label] = data.strip()


def test_meta_lists_exactly_the_declared_fields(client):
    listed = client.get("/api/v1/meta").json()["fields"]
    assert [(f["name"], f["link"], f["label"], f["kind"], tuple(f["cells"])) for f in listed] == [
        (f.name, f.link, f.label, f.kind, f.cells) for f in REQUEST_FIELDS]


def test_the_pages_form_has_exactly_the_declared_rows(client):
    grid = Grid()
    grid.feed(client.get("/").text)
    assert grid.controls == [f.link for f in REQUEST_FIELDS]
    assert grid.labels == {f.link: f.label for f in REQUEST_FIELDS}


@pytest.mark.parametrize("field", REQUEST_FIELDS, ids=lambda f: f.name)
def test_the_request_schema_holds_each_field_to_its_declared_limits(client, field):
    limits = client.get("/api/v1/meta").json()["limits"]
    rules = {type(m).__name__: m for m in UnfoldRequest.model_fields[field.name].metadata}
    if field.kind in ("choice", "bool"):
        assert not rules
        return
    assert rules["Le"].le == limits[field.limit]
    low = rules["Gt"].gt if field.above else rules["Ge"].ge
    assert low == (field.low if field.low is not None else -limits[field.limit])
    assert (field.name in CELL_FIELDS) == (field.cells != CELLS)


def test_a_field_added_to_the_form_alone_would_be_caught():
    """The check above reads the form's grid: a row nobody declared is seen."""
    grid = Grid()
    grid.feed('<div class="grid" id="model-fields"><label for="x">X</label><input id="x"><div id="error-x"></div></div>'
              '<div class="grid"><input id="elsewhere"></div>')
    assert grid.controls == ["x"] and grid.labels == {"x": "X"}


KINDS = {"int": int, "number": float, "bool": bool}


@pytest.mark.parametrize("field", REQUEST_FIELDS, ids=lambda f: f.name)
def test_the_request_schema_takes_each_fields_type_default_and_words_from_its_declaration(field):
    """The schema's rule is built from the declaration (app.schemas.common.declared): its type,
    its default, and a description that names the cells of a cell-only field."""
    rule = UnfoldRequest.model_fields[field.name]
    assert rule.default == field.default
    optional = field.default is None
    if field.kind in KINDS:
        assert rule.annotation == (KINDS[field.kind] | None if optional else KINDS[field.kind])
    if field.cells != CELLS:
        assert rule.description.endswith(" and ".join(field.cells) + " only.")
    elif field.doc:
        assert rule.description == field.doc

"""Real `POST /_dash-update-component` payloads of every server-side callback, and ways to spoil them.

The valid payload of a callback carries, for each of its inputs and states, the value that property has in
a rendered page (every page of the registry, rendered with its data, plus the shell and the late components).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

from dashboard import pages

CALLBACK_PATH = "/_dash-update-component"


def layout_values(app, service) -> dict[tuple[str, str], object]:
    """(component id, property) -> its JSON value in a rendered page (first seen wins); pages reserved to some
    viewers give the values of their late components, as they do to the app's callback checks."""
    from callbacks.routing import identified, page_components
    from layouts.shell import shell

    values: dict[tuple[str, str], object] = {}
    for component in identified(shell(pages.nav_entries())) + page_components(service):
        for prop, value in component.to_plotly_json()["props"].items():
            if prop != "children":
                values.setdefault((component.id, prop), _plain(value))
    return values


def _plain(value):
    """A JSON-ready copy (components inside props become their dicts)."""
    import json

    import plotly

    return json.loads(json.dumps(value, cls=plotly.utils.PlotlyJSONEncoder))


def server_callbacks(app) -> list[tuple[str, dict]]:
    """(output key, callback map entry) of every callback that runs in Python."""
    return [(key, entry) for key, entry in app.callback_map.items() if "callback" in entry]


def _outputs(key: str):
    parts = key.removeprefix("..").removesuffix("..").split("...") if key.startswith("..") else [key]
    outputs = []
    for part in parts:
        component, _, prop = part.rpartition(".")
        outputs.append({"id": component, "property": prop.split("@")[0]})
    return outputs if key.startswith("..") else outputs[0]


def valid_payload(key: str, entry: dict, values: dict) -> dict:
    def fill(items):
        return [[] if item["id"].startswith("{") and '["ALL' in item["id"]  # pattern ALL: no component rendered
                else {**item, "value": copy.deepcopy(values.get((item["id"], item["property"])))} for item in items]

    inputs = fill(entry["inputs"])
    first = entry["inputs"][0] if entry["inputs"] else None
    return {"output": key, "outputs": _outputs(key), "inputs": inputs, "state": fill(entry["state"]),
            "changedPropIds": [f"{first['id']}.{first['property']}"] if first else []}


# Values of the wrong type, size or shape, each put in place of one input or state value.
GARBAGE = [None, 0, -1, 10**30, 1.5e308, True, "", "x" * 5000, "<script>alert(1)</script>", "../../etc",
           [], [None], [1, "a", None], ["x"] * 150, [[["deep"]]], {}, {"a": {"b": {"c": [1]}}},
           {"lat": "x", "lng": None}, {"latlng": {"lat": "nord", "lng": []}}, {"points": [{"customdata": {}}]},
           [{"id": 1}], {"departement": 57}, {"departement": [["57"]]}, "57,54", -0.0, 1e-300]


def mutations(payload: dict) -> Iterator[tuple[str, dict]]:
    """(label, mutated payload): every garbage value in every input and state, plus structural damage."""
    for part in ("inputs", "state"):
        for index, item in enumerate(payload[part]):
            if isinstance(item, list):  # a pattern-matching ALL input: damage its list
                for garbage in (None, 3, {"id": "x"}, [{"id": "x", "property": "n_clicks", "value": 1}], [None]):
                    mutated = copy.deepcopy(payload)
                    mutated[part][index] = copy.deepcopy(garbage)
                    yield f"{part}[{index}] pattern list = {garbage!r}", mutated
                continue
            for garbage in GARBAGE:
                mutated = copy.deepcopy(payload)
                mutated[part][index]["value"] = copy.deepcopy(garbage)
                yield f"{part}[{index}] {item['id']}.{item['property']} = {str(garbage)[:40]!r}", mutated
            mutated = copy.deepcopy(payload)
            del mutated[part][index]["value"]
            yield f"{part}[{index}] without value", mutated
            mutated = copy.deepcopy(payload)
            mutated[part][index]["id"] = "no-such-component"
            yield f"{part}[{index}] unknown id", mutated
            mutated = copy.deepcopy(payload)
            mutated[part][index]["property"] = "no_such_prop"
            yield f"{part}[{index}] unknown property", mutated
    for field in ("inputs", "state", "output", "outputs", "changedPropIds"):
        for replacement in (None, "x", 3, {}, [{"id": None}], [None], ["..a.b..."]):
            mutated = copy.deepcopy(payload)
            mutated[field] = replacement
            yield f"{field} = {replacement!r}", mutated
        mutated = copy.deepcopy(payload)
        mutated.pop(field, None)
        yield f"without {field}", mutated
    mutated = copy.deepcopy(payload)
    mutated["inputs"] = mutated["inputs"][:-1]
    yield "one input missing", mutated
    mutated = copy.deepcopy(payload)
    mutated["inputs"] = [*mutated["inputs"], {"id": "no-such-component", "property": "value", "value": 1}]
    yield "one input too many", mutated
    mutated = copy.deepcopy(payload)
    mutated["output"] = "no-such-output.children"
    yield "unknown output", mutated

"""The SDK's response types against what the gateway really sends.

The SDK keeps its own ``TypedDict`` copies of the gateway's JSON shapes (it has
no dependencies). These tests start the built server, fetch a real answer of each
shape, and fail when a ``TypedDict`` declares a member the gateway does not send,
or misses one it does, at every level of nesting (a member of a list's items counts as
sent when any item sends it). The gateway's answers are typed
by the shared definition (``packages/api-types``) when it compiles, so this keeps
the Python copies in step with that definition. Chat completions are OpenAI's
shapes and are not compared here.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import unittest
import urllib.request
from typing import Any, List, Optional, get_args, get_type_hints

from bentoo.types import ApiKeyInfo, AuditPage, AuditRecord, Model, ModelList

from .gateway_process import GATEWAY_MAIN, Process, require_built, start_gateway


def _typed_dict_in(hint: Any) -> Optional[type]:
    """The TypedDict a member holds, directly or inside Optional[...] / List[...]."""
    if isinstance(hint, type) and hasattr(hint, "__required_keys__"):
        return hint
    for argument in get_args(hint):
        found = _typed_dict_in(argument)
        if found is not None:
            return found
    return None


def member_differences(typed: type, value: Any, where: str) -> List[str]:
    """How the members of ``value`` differ from those ``typed`` declares, nested members included."""
    if not isinstance(value, dict):
        return ["%s: expected a JSON object, got %r" % (where, value)]
    declared = set(typed.__required_keys__) | set(typed.__optional_keys__)  # type: ignore[attr-defined]
    differences = ["%s.%s: declared by %s, not sent by the gateway" % (where, name, typed.__name__) for name in sorted(declared - set(value))]
    differences += ["%s.%s: sent by the gateway, not declared by %s" % (where, name, typed.__name__) for name in sorted(set(value) - declared)]
    for name, hint in get_type_hints(typed).items():
        nested = _typed_dict_in(hint)
        member = value.get(name)
        if nested is None or member is None:
            continue
        if isinstance(member, list):
            differences += _across_items([member_differences(nested, item, "%s.%s[]" % (where, name)) for item in member])
        else:
            differences += member_differences(nested, member, "%s.%s" % (where, name))
    return list(dict.fromkeys(differences))  # each difference once, however many list items share it


def _across_items(per_item: List[List[str]]) -> List[str]:
    """The differences of a list's items taken together: a member is sent when any item sends it.

    Some members are sent only by some items (a model's cache prices, which only some models
    have), so a declared member counts as missing only when no item of the list sends it; a
    member no type declares counts as soon as one item sends it.
    """
    missing = [difference for difference in per_item[0] if difference.endswith("not sent by the gateway")] if per_item else []
    differences = [difference for difference in missing if all(difference in item for item in per_item)]
    return differences + [difference for item in per_item for difference in item if not difference.endswith("not sent by the gateway")]


class WireTypesTest(unittest.TestCase):
    maxDiff = None
    gateway: Optional[Process] = None
    origin: str
    key: str
    tmp: str

    @classmethod
    def setUpClass(cls) -> None:
        require_built(GATEWAY_MAIN)
        cls.tmp = tempfile.mkdtemp(prefix="bentoo-sdk-python-wire-")
        try:
            cls.gateway, cls.origin, demo_key = start_gateway({"BENTOO_DATABASE_URL": "sqlite:" + os.path.join(cls.tmp, "bentoo.db")})
        except BaseException:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise
        assert demo_key is not None
        cls.key = demo_key

    @classmethod
    def tearDownClass(cls) -> None:
        if cls.gateway is not None:
            cls.gateway.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def get(self, path: str) -> Any:
        request = urllib.request.Request(self.origin + path, headers={"Authorization": "Bearer " + self.key})
        with urllib.request.urlopen(request, timeout=15) as response:
            return json.loads(response.read().decode("utf-8"))

    def assert_same_members(self, typed: type, value: Any, where: str) -> None:
        differences = member_differences(typed, value, where)
        self.assertEqual(differences, [], "bentoo.types drifted from the gateway:\n  " + "\n  ".join(differences))

    def test_models(self) -> None:
        models = self.get("/v1/models")
        self.assertGreater(len(models["data"]), 0)
        self.assert_same_members(ModelList, models, "GET /v1/models")
        self.assert_same_members(Model, self.get("/v1/models/" + models["data"][0]["id"]), "GET /v1/models/{id}")

    def test_key(self) -> None:
        self.assert_same_members(ApiKeyInfo, self.get("/v1/key"), "GET /v1/key")

    def test_audit_records_and_pages(self) -> None:
        # The demo account's own management events are there from the start.
        page = self.get("/v1/audit/logs?type=event")
        self.assertGreater(len(page["data"]), 0)
        self.assert_same_members(AuditPage, page, "GET /v1/audit/logs")
        self.assertIs(_typed_dict_in(get_type_hints(AuditPage)["data"]), AuditRecord)

    def test_the_comparison_sees_a_drift(self) -> None:
        model = self.get("/v1/models")["data"][0]
        renamed = dict(model, pricing=dict(model["pricing"], usd_per_mtok=1))
        del renamed["available"]
        self.assertEqual(member_differences(Model, renamed, "model"), [
            "model.available: declared by Model, not sent by the gateway",
            "model.pricing.usd_per_mtok: sent by the gateway, not declared by ModelPricing",
        ])
        # In a list, a member one item leaves out is no drift while another item sends it; one no item sends is.
        uncached = dict(model, pricing={k: v for k, v in model["pricing"].items() if not k.startswith("cache_")})
        self.assertEqual(member_differences(ModelList, {"object": "list", "data": [model, uncached]}, "list"), [])
        bare = {k: v for k, v in uncached.items() if k != "available"}
        listed = [bare, dict(bare, pricing=dict(bare["pricing"], usd_per_mtok=1))]
        self.assertEqual(member_differences(ModelList, {"object": "list", "data": listed}, "list"), [
            "list.data[].available: declared by Model, not sent by the gateway",
            "list.data[].pricing.cache_read_per_mtok: declared by ModelPricing, not sent by the gateway",
            "list.data[].pricing.cache_write_per_mtok: declared by ModelPricing, not sent by the gateway",
            "list.data[].pricing.usd_per_mtok: sent by the gateway, not declared by ModelPricing",
        ])

if __name__ == "__main__":
    unittest.main()

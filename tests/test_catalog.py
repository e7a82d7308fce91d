"""The shipped item catalog is complete and well-formed; malformed catalogs are refused whole.

A broken catalog must fail with a `CatalogError` whose Chinese text names the entry at fault
(the item code, or the file when the file itself cannot be read), and `yibao catalog --check`
must say so on stderr with exit status 1.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from app import cli
from app.catalog.loader import DEFAULT_CATALOG_DIR, CatalogError, load_catalog
from app.catalog.schema import (
    Catalog,
    Channel,
    FieldType,
    IdentityMethod,
    ItemKind,
    StationList,
)

# BRIEF §4, with the names the catalog uses for the case-study items.
BRIEF_ITEM_NAMES = [
    # township / street station
    "城乡居民参保登记",
    "城乡居民参保信息变更登记",
    "城乡居民停保登记",
    "城乡居民免缴费人员资格认定",
    "城乡居民参保信息查询",
    "职工参保信息查询",
    "职工医保个人账户收支查询",
    "个人权益记录打印",
    "参保单位参保信息查询",
    "异地长期居住人员备案",
    "临时外出就医人员备案",
    "门诊慢特病病种待遇认定",
    "门诊费用报销",
    "住院费用报销",
    "医疗救助对象参加城乡居民基本医疗保险个人缴费补贴",
    "医疗救助对象手工（零星）报销",
    "医疗（生育）保险报销信息查询",
    "医保政策宣传与医保电子凭证激活",
    # designated hospital station
    "新生儿参保登记",
    "产前检查费支付",
    "生育医疗费支付",
    "计划生育医疗费支付",
    "生育津贴支付",
    "谈判药品用药申报",
    "长期护理保险待遇申请",
    # case studies (004_*)
    "异地就医备案变更",
    "异地就医备案取消",
    "家庭共济绑定",
    "参保证明打印",
]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(DEFAULT_CATALOG_DIR)


# --- the shipped catalog -------------------------------------------------------------------


def test_shipped_catalog_loads(catalog: Catalog) -> None:
    assert len(catalog.items) == 29
    assert re.fullmatch(r"\d{4}\.(0[1-9]|1[0-2])\.\d+", catalog.version), catalog.version


def test_item_codes_and_names_are_unique(catalog: Catalog) -> None:
    codes = [i.code for i in catalog.items]
    names = [i.name for i in catalog.items]
    assert len(codes) == len(set(codes))
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", BRIEF_ITEM_NAMES)
def test_catalog_contains_brief_item(catalog: Catalog, name: str) -> None:
    assert name in {i.name for i in catalog.items}


def test_queries_and_services_need_the_network(catalog: Catalog) -> None:
    online_kinds = {ItemKind.QUERY, ItemKind.SERVICE}
    offline = [i.code for i in catalog.items if i.kind in online_kinds and i.offline]
    assert offline == []


def test_applications_are_complete(catalog: Catalog) -> None:
    applications = [i for i in catalog.items if i.kind is ItemKind.APPLICATION]
    assert applications
    for item in applications:
        assert item.fields, item.code
        assert item.identity_methods, item.code
        assert item.time_limit_days > 0, item.code


def test_newborn_item_uses_birth_certificate(catalog: Catalog) -> None:
    newborn = next(i for i in catalog.items if i.name == "新生儿参保登记")
    assert IdentityMethod.BIRTH_CERT in newborn.identity_methods
    assert any(f.type is FieldType.BIRTH_CERT for f in newborn.fields)


def test_every_field_and_choice_has_both_labels(catalog: Catalog) -> None:
    for item in catalog.items:
        assert item.name.strip() and item.name_en.strip(), item.code
        for spec in item.fields:
            where = f"{item.code}.{spec.key}"
            assert spec.label.strip() and spec.label_en.strip(), where
            for choice in spec.choices:
                assert choice.label.strip() and choice.label_en.strip(), where


def test_channels_and_lists_are_valid_enum_values(catalog: Catalog) -> None:
    channels = {c.value for c in Channel}
    lists = {s.value for s in StationList}
    for item in catalog.items:
        assert item.channels, item.code
        assert {c.value for c in item.channels} <= channels, item.code
        assert {s.value for s in item.lists} <= lists, item.code
    # the raw YAML too, not only the parsed model
    for path in sorted((DEFAULT_CATALOG_DIR / "items").glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert set(raw["channels"]) <= channels, path.name


# --- malformed catalogs --------------------------------------------------------------------


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(DEFAULT_CATALOG_DIR, target)
    return target


def _edit(path: Path, change: Callable[[Any], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _field(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(f for f in data["fields"] if f["key"] == key)


def _unknown_field_type(root: Path) -> None:
    _edit(root / "items/enrol_resident.yaml", lambda d: _field(d, "phone").update(type="fax"))


def _duplicate_code(root: Path) -> None:
    _edit(root / "items/query_resident.yaml", lambda d: d.update(code="CX-CBDJ-001"))


def _choice_without_choices(root: Path) -> None:
    _edit(root / "items/enrol_resident.yaml", lambda d: _field(d, "household_type").pop("choices"))


def _offline_query(root: Path) -> None:
    _edit(root / "items/query_resident.yaml", lambda d: d.update(offline=True))


def _unknown_category(root: Path) -> None:
    _edit(root / "items/enrol_resident.yaml", lambda d: d.update(category="astrology"))


def _invalid_yaml(root: Path) -> None:
    path = root / "items/enrol_resident.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nfields: [unclosed\n", encoding="utf-8")


def _manifest_without_version(root: Path) -> None:
    _edit(root / "catalog.yaml", lambda d: d.pop("version"))


def _extra_item_key(root: Path) -> None:
    _edit(root / "items/enrol_resident.yaml", lambda d: d.update(colour="red"))


BREAKAGES: list[tuple[str, Callable[[Path], None], str]] = [
    ("unknown-field-type", _unknown_field_type, "CX-CBDJ-001"),
    ("duplicate-code", _duplicate_code, "CX-CBDJ-001"),
    ("choice-without-choices", _choice_without_choices, "CX-CBDJ-001"),
    ("offline-query", _offline_query, "CX-CBCX-006"),
    ("unknown-category", _unknown_category, "CX-CBDJ-001"),
    ("invalid-yaml", _invalid_yaml, "enrol_resident.yaml"),
    ("manifest-without-version", _manifest_without_version, "catalog.yaml"),
    ("extra-item-key", _extra_item_key, "CX-CBDJ-001"),
]


@pytest.mark.parametrize(
    ("breakage", "named"), [(b, n) for _, b, n in BREAKAGES], ids=[i for i, _, _ in BREAKAGES]
)
def test_malformed_catalog_is_refused_naming_the_entry(
    catalog_copy: Path, breakage: Callable[[Path], None], named: str
) -> None:
    load_catalog(catalog_copy)  # the untouched copy is fine
    breakage(catalog_copy)
    with pytest.raises(CatalogError) as info:
        load_catalog(catalog_copy)
    assert named in info.value.zh, info.value.zh
    assert info.value.en.strip()


def test_duplicate_yaml_key_is_refused(catalog_copy: Path) -> None:
    """A mapping that states a key twice is ambiguous; PyYAML silently keeps the last one."""
    path = catalog_copy / "items/enrol_resident.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "time_limit_days: 300\n", encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(catalog_copy)
    assert "enrol_resident.yaml" in info.value.zh


# --- yibao catalog --check -----------------------------------------------------------------


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("YIBAO_LANG", raising=False)
    yield
    root = logging.getLogger()  # setup_logging adds handlers to the root logger: drop them
    for handler in list(root.handlers):
        if getattr(handler, "_yibao", False):
            root.removeHandler(handler)
            handler.close()


@pytest.mark.usefixtures("cli_env")
def test_cli_check_accepts_good_catalog(
    catalog_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--data-dir", str(tmp_path / "d"), "catalog", "--check", str(catalog_copy)]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "OK" in out
    assert "29" in out


@pytest.mark.usefixtures("cli_env")
def test_cli_check_refuses_broken_catalog_in_chinese(
    catalog_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _offline_query(catalog_copy)
    argv = ["--data-dir", str(tmp_path / "d"), "catalog", "--check", str(catalog_copy)]
    assert cli.main(argv) == 1
    captured = capsys.readouterr()
    assert "事项目录有误" in captured.err
    assert "CX-CBCX-006" in captured.err
    assert "OK" not in captured.out


def test_items_are_found_by_chinese_pinyin_initials_english_or_code(catalog: Catalog) -> None:
    from app.catalog.search import build_index, matches

    index = build_index(catalog)

    def found(typed: str) -> set[str]:
        return {code for code, hay in index.items() if matches(hay, typed)}

    remote = {i.code for i in catalog.items if i.category == "remote_care"}  # 异地就医备案
    assert len(remote) == 4 and found("ydjy") == remote  # by the category's initials
    assert "YD-BA-011" in found("lswc")  # 临时外出 by the item's own initials
    assert "YD-BA-010" in found("ydcqjz")  # 异地长期居住: 长 read as chang in 长期
    assert "CX-CBDJ-001" in found("城乡居民参保")
    assert "CX-CBDJ-001" in found("chengxiang jumin")
    assert "CX-CBDJ-001" in found("cx-cbdj")
    assert found("") == set(index)
    assert not found("zzzzzz")

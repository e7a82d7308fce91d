"""Loading a catalog from YAML files, refusing a malformed one with a message naming the entry."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.catalog.schema import Catalog, CatalogItem
from app.errors import UserFacingError

DEFAULT_CATALOG_DIR = Path(__file__).resolve().parent.parent.parent / "resources" / "catalog"


class CatalogError(UserFacingError):
    """The catalog cannot be used; the message names the file and entry at fault."""


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top)"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


class _StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key stated twice instead of keeping the last one."""


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_StrictLoader)  # a SafeLoader subclass
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogError(
            f"事项目录文件无法读取：{path.name}（{exc}）",
            f"Catalog file cannot be read: {path.name} ({exc})",
        ) from exc


def _parse_item(path: Path, raw: Any) -> CatalogItem:
    code = raw.get("code", "?") if isinstance(raw, dict) else "?"
    try:
        return CatalogItem.model_validate(raw)
    except ValidationError as exc:
        detail = _describe(exc)
        raise CatalogError(
            f"事项目录有误：文件 {path.name} 中的事项 {code}：{detail}",
            f"Malformed catalog: item {code} in {path.name}: {detail}",
        ) from exc


def load_catalog(directory: Path) -> Catalog:
    """Load `catalog.yaml` (version, categories) and every `items/*.yaml` beneath `directory`."""
    manifest_path = directory / "catalog.yaml"
    manifest = _read_yaml(manifest_path)
    if not isinstance(manifest, dict) or "items" in manifest:
        raise CatalogError(
            f"事项目录有误：{manifest_path.name} 应只含版本、发布日期和分类",
            f"Malformed catalog: {manifest_path.name} must hold version, published, categories",
        )
    sources: dict[str, str] = {}
    items = []
    for path, item in _load_items(sorted((directory / "items").glob("*.yaml"))):
        if item.code in sources:
            raise CatalogError(
                f"事项目录有误：事项编码 {item.code} 在 {sources[item.code]} 和 {path.name} 中重复",
                f"Malformed catalog: item code {item.code} in both {sources[item.code]} "
                f"and {path.name}",
            )
        sources[item.code] = path.name
        items.append(item)
    try:
        return Catalog.model_validate({**manifest, "items": items})
    except ValidationError as exc:
        where = _blame(exc, items, sources, manifest_path.name)
        detail = _describe(exc)
        raise CatalogError(
            f"事项目录有误（{where}）：{detail}", f"Malformed catalog ({where}): {detail}"
        ) from exc


def _blame(
    exc: ValidationError, items: list[CatalogItem], sources: dict[str, str], manifest: str
) -> str:
    """The file to look at: an item's file when an item is named, else the manifest."""
    text = str(exc)
    for item in items:
        if f"item {item.code}:" in text:
            return f"{sources[item.code]}，{item.code}"
    return manifest


def _load_items(paths: Iterable[Path]) -> Iterable[tuple[Path, CatalogItem]]:
    for path in paths:
        raw = _read_yaml(path)
        entries = raw if isinstance(raw, list) else [raw]
        for entry in entries:
            yield path, _parse_item(path, entry)


def load_default_catalog() -> Catalog:
    """The catalog shipped in `resources/catalog/`, used until the centre sends a newer one."""
    return load_catalog(DEFAULT_CATALOG_DIR)

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


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
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
    if not isinstance(manifest, dict):
        raise CatalogError(
            f"事项目录有误：{manifest_path.name} 不是映射",
            f"Malformed catalog: {manifest_path.name}",
        )
    items = list(_load_items(sorted((directory / "items").glob("*.yaml"))))
    try:
        return Catalog.model_validate({**manifest, "items": items})
    except ValidationError as exc:
        detail = _describe(exc)
        raise CatalogError(f"事项目录有误：{detail}", f"Malformed catalog: {detail}") from exc


def _load_items(paths: Iterable[Path]) -> Iterable[CatalogItem]:
    for path in paths:
        raw = _read_yaml(path)
        entries = raw if isinstance(raw, list) else [raw]
        for entry in entries:
            yield _parse_item(path, entry)


def load_default_catalog() -> Catalog:
    """The catalog shipped in `resources/catalog/`, used until the centre sends a newer one."""
    return load_catalog(DEFAULT_CATALOG_DIR)

"""The item catalog (事项清单): what may be handled, with which form, materials and identity."""

from app.catalog.loader import CatalogError, load_catalog, load_default_catalog
from app.catalog.schema import Catalog, CatalogItem, FieldSpec, FieldType, MaterialSpec

__all__ = [
    "Catalog",
    "CatalogError",
    "CatalogItem",
    "FieldSpec",
    "FieldType",
    "MaterialSpec",
    "load_catalog",
    "load_default_catalog",
]

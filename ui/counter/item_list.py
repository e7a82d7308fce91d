"""The items this station may handle, grouped by category, with a filter box."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from app.catalog.schema import Catalog, CatalogItem, ItemKind
from app.catalog.search import matches

CODE_ROLE = Qt.ItemDataRole.UserRole


class ItemList(QWidget):
    item_chosen = Signal(str)  # item code

    def __init__(self, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._index: dict[str, str] = {}  # item code -> searchable text, once built
        self._english = language.startswith("en")
        self.filter = QLineEdit(self)
        self.filter.setObjectName("itemFilter")
        self.filter.setPlaceholderText(self.tr("Find an item: name or pinyin initials (ydjy)"))
        self.filter.setAccessibleName(self.tr("Filter items"))
        self.filter.setClearButtonEnabled(True)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("itemTree")
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName(self.tr("Items this station handles"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        self.filter.textChanged.connect(self._apply_filter)
        self.tree.currentItemChanged.connect(self._on_current)

    def set_items(self, catalog: Catalog, enabled: frozenset[str]) -> None:
        self.tree.clear()
        for category in catalog.categories:
            members = [i for i in catalog.items if i.category == category.key and i.code in enabled]
            if not members:
                continue
            parent = QTreeWidgetItem([category.name_en if self._english else category.name])
            parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.tree.addTopLevelItem(parent)
            for item in members:
                parent.addChild(self._node(item))
            parent.setExpanded(True)

    def _node(self, item: CatalogItem) -> QTreeWidgetItem:
        name = item.name_en if self._english else item.name
        node = QTreeWidgetItem([name])
        node.setData(0, CODE_ROLE, item.code)
        node.setToolTip(0, f"{item.code} · {item.name} · {item.name_en}")
        if item.kind is not ItemKind.APPLICATION:
            # Queries and printing need the centre; this screen files applications.
            node.setText(0, name + " " + self.tr("(online only)"))
            node.setFlags(Qt.ItemFlag.NoItemFlags)
        return node

    def _groups(self) -> Iterator[tuple[QTreeWidgetItem, list[QTreeWidgetItem]]]:
        for i in range(self.tree.topLevelItemCount()):
            parent = self.tree.topLevelItem(i)
            assert parent is not None
            children = [parent.child(j) for j in range(parent.childCount())]
            yield parent, [c for c in children if c is not None]

    def codes(self) -> list[str]:
        return [str(c.data(0, CODE_ROLE)) for _, children in self._groups() for c in children]

    def select(self, code: str) -> bool:
        for _, children in self._groups():
            for child in children:
                if child.data(0, CODE_ROLE) == code and child.flags() & Qt.ItemFlag.ItemIsEnabled:
                    self.tree.setCurrentItem(child)
                    return True
        return False

    def _on_current(self, current: QTreeWidgetItem | None, _prev: QTreeWidgetItem | None) -> None:
        if current is not None and current.data(0, CODE_ROLE):
            self.item_chosen.emit(str(current.data(0, CODE_ROLE)))

    def set_search_index(self, index: object) -> None:
        """Item code -> searchable text with pinyin (built off the GUI thread)."""
        assert isinstance(index, dict)
        self._index = index
        self._apply_filter(self.filter.text())

    def _apply_filter(self, text: str) -> None:
        index = self._index
        for parent, children in self._groups():
            shown = 0
            for child in children:
                haystack = index.get(str(child.data(0, CODE_ROLE))) or child.toolTip(0).lower()
                hit = matches(haystack, text)
                child.setHidden(not hit)
                shown += hit
            parent.setHidden(shown == 0)

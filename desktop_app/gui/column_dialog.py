"""The column-mapping dialog: which header holds each role, as detected, with a live preview."""

from __future__ import annotations

import pandas as pd
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.roles import ROLES_BY_SIDE
from desktop_app.gui.frame_model import FrameModel
from desktop_app.gui.table_view import make_table
from desktop_app.workflow.load_files import ColumnOverride, LoadedInput

NOT_IN_FILE = "(not in this file)"
PREVIEW_ROWS = 20
ROLE_LABELS = {
    "account_id": "Account ID", "customer_id": "Customer ID", "contact_id": "Contact ID",
    "link_customer_id": "Customer ID on the account", "sf_account_id": "Salesforce account ID",
    "legal_name": "Legal name", "postcode": "Postcode / ZIP",
}


def role_label(role: str) -> str:
    """A role as people read it."""
    return ROLE_LABELS.get(role, role.replace("_", " ").capitalize())


class ColumnMappingDialog(QDialog):
    """One combo box per role, preset to the detected header and saying why; a preview of the
    first rows as Crosslink will read them. ``overrides()`` gives the person's choices."""

    def __init__(self, loaded: LoadedInput, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loaded = loaded
        self.setWindowTitle(f"Columns of {loaded.table.path.name} — Crosslink")
        headers = [str(c) for c in loaded.table.frame.columns]
        intro = QLabel(
            f"Crosslink read <b>{loaded.table.path.name}</b> as {loaded.side.value} and guessed which column "
            "holds what. Change a choice if it is wrong; the preview shows the result.", self)
        intro.setWordWrap(True)
        form = QGridLayout()
        per_column = (len(ROLES_BY_SIDE[loaded.side]) + 1) // 2
        self.combos: dict[str, QComboBox] = {}
        for number, role in enumerate(ROLES_BY_SIDE[loaded.side]):
            combo = QComboBox(self)
            detected = loaded.roles.columns.get(role)
            if detected is None:
                combo.addItem(NOT_IN_FILE)
            combo.addItems(headers)
            if detected is not None:
                combo.setCurrentText(detected)
            label = role_label(role)
            combo.setAccessibleName(f"Column holding {label}")
            reason = loaded.roles.reasons.get(role, "" if detected else "no column looked like it")
            combo.setToolTip(reason)
            combo.currentTextChanged.connect(self._update_preview)
            caption = QLabel(f"{label}:", self)
            caption.setBuddy(combo)
            row, pair = number % per_column, number // per_column
            form.addWidget(caption, row, pair * 2)
            form.addWidget(combo, row, pair * 2 + 1)
            self.combos[role] = combo
        self.preview_model = FrameModel(headers=ROLE_LABELS, parent=self)
        self.preview = make_table(self, "Preview of the first rows", self.preview_model, sortable=False)
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(QLabel(f"Preview (first {PREVIEW_ROWS} rows):", self))
        layout.addWidget(self.preview, 1)
        layout.addWidget(buttons)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        self.resize(980, 620)
        self._update_preview()

    def chosen(self) -> dict[str, str]:
        """Role → header for every role the person left mapped."""
        return {role: combo.currentText() for role, combo in self.combos.items()
                if combo.currentText() != NOT_IN_FILE}

    def overrides(self) -> list[ColumnOverride]:
        """The choices that differ from what was detected, as overrides for this file's side."""
        return [ColumnOverride(role=role, header=header, side=self.loaded.side)
                for role, header in self.chosen().items()
                if self.loaded.roles.columns.get(role) != header]

    def _update_preview(self) -> None:
        head = self.loaded.table.frame.head(PREVIEW_ROWS)
        preview = pd.DataFrame({role: head[header].to_numpy(dtype=object) for role, header in self.chosen().items()},
                               index=range(len(head)))
        self.preview_model.set_frame(preview)

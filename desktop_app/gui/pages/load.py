"""Page — Load: choose the files, see how their columns were read, and every file problem by row."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.billing.base import BillingSystem
from desktop_app.core.app_folders import demo_dir, snapshots_dir
from desktop_app.core.counted import counted
from desktop_app.core.progress import CancelToken, ProgressCallback
from desktop_app.core.roles import Side
from desktop_app.gui import dialogs
from desktop_app.gui.column_dialog import ColumnMappingDialog
from desktop_app.gui.demo_files import DemoFiles, write_demo_files
from desktop_app.gui.frame_model import FrameModel
from desktop_app.gui.pages import TITLES
from desktop_app.gui.pages.base import BasePage, error_colour
from desktop_app.gui.state import Journey, Source, WizardState
from desktop_app.gui.table_view import make_table
from desktop_app.gui.tasks import BackgroundTask, ProgressPanel, TaskFailure, run_in_background
from desktop_app.salesforce.client import SalesforceClient
from desktop_app.workflow.input_refusals import refusal_of
from desktop_app.workflow.link_column import link_column_text
from desktop_app.workflow.link_fields import account_fields_to_read
from desktop_app.workflow.load_files import (
    ColumnOverride,
    LoadedInput,
    issues_frame,
    load_input,
    prefer_link_found_among,
)
from desktop_app.workflow.load_systems import fetch_accounts, fetch_customers
from desktop_app.workflow.quality import AddressCheck, check_address_file

SLOT_TITLES: dict[Side, str] = {
    Side.ACCOUNTS: "Salesforce accounts",
    Side.CUSTOMERS: "Billing customers",
    Side.MAPPING: "Known links (account id → customer id)",
}
NAME_THE_COLUMN = "Say which column holds it: press Columns… and choose it."
LOAD_AS_ACCOUNTS = "load it as the Salesforce accounts instead"
ISSUE_HEADERS = {"file": "File", "row": "Row", "column": "Column", "value": "Value", "kind": "Kind",
                 "message": "What it means and what to do"}


def snapshot_folder() -> Path:
    """Where what was read from the systems is kept as files."""
    return snapshots_dir()


def fetch_org_accounts(client: SalesforceClient, state: WizardState, progress: ProgressCallback,
                       cancel: CancelToken) -> tuple[Path, list[ColumnOverride]]:
    """Every Account with the fields its roles and the link field need, as a snapshot file."""
    describe = state.account_describe or client.describe("Account")
    return fetch_accounts(client, account_fields_to_read(describe, state.link_field), snapshot_folder(),
                          progress=progress, cancel=cancel)


def fetch_both(client: SalesforceClient, system: BillingSystem, state: WizardState, with_mapping: bool,
               progress: ProgressCallback, cancel: CancelToken) -> dict[Side, tuple[Path, list[ColumnOverride]]]:
    """Accounts through the Salesforce API and customers through the billing adapter, as snapshot files
    (plus, for the demo's known-links journey, the demo mapping file)."""
    fetched = {Side.ACCOUNTS: fetch_org_accounts(client, state, progress, cancel),
               Side.CUSTOMERS: fetch_customers(system, snapshot_folder(), progress=progress, cancel=cancel)}
    if with_mapping:
        files = write_demo_files(demo_folder(), state.demo_size, cancel=cancel)
        fetched[Side.MAPPING] = (files.mapping, [])
    return fetched


def demo_folder() -> Path:
    """Where demo files are written."""
    return demo_dir()


class FileSlot(QWidget):
    """One file to load: path, Browse…, Columns…, what was read, and its own progress."""

    changed = Signal()

    def __init__(self, page: LoadPage, side: Side, title: str, optional: bool, grid: QGridLayout, row: int) -> None:
        super().__init__(page)
        self.page = page
        self.side = side
        self.title = title + (" (optional)" if optional else "")
        self.optional = optional
        self.read: LoadedInput | None = None  # as read, for Columns… even when it cannot be used
        self.loaded: LoadedInput | None = None  # usable; an accounts file's link column settled
        self.against: LoadedInput | None = None  # the customers its link column was checked against
        self.check: AddressCheck | None = None
        self.task: BackgroundTask | None = None
        self.label = QLabel(f"{self.title}:", page)
        self.path_edit = QLineEdit(page)
        self.path_edit.setPlaceholderText("Choose a CSV, TSV or .xlsx file…")
        self.path_edit.setAccessibleName(f"{self.title} file")
        self.label.setBuddy(self.path_edit)
        self.browse = QPushButton("Browse…", page)
        self.browse.setAccessibleName(f"Browse for the {self.title} file")
        self.columns = QPushButton("Columns…", page)
        self.columns.setAccessibleName(f"Choose the columns of the {self.title} file")
        self.columns.setEnabled(False)
        self.status = QLabel("", page)
        self.status.setWordWrap(True)
        self.progress = ProgressPanel(page)
        grid.addWidget(self.label, row, 0)
        grid.addWidget(self.path_edit, row, 1)
        grid.addWidget(self.browse, row, 2)
        grid.addWidget(self.columns, row, 3)
        grid.addWidget(self.status, row + 1, 1, 1, 3)
        grid.addWidget(self.progress, row + 2, 1, 1, 3)
        self.browse.clicked.connect(self._browse)
        self.columns.clicked.connect(self._choose_columns)
        self.path_edit.returnPressed.connect(lambda: self.load(Path(self.path_edit.text().strip())))

    @property
    def ready(self) -> bool:
        """Loaded without error (or optional and left empty), and not loading."""
        if self.task is not None and self.task.running:
            return False
        return self.loaded is not None or (self.optional and not self.path_edit.text().strip())

    def load(self, path: Path) -> None:
        """Read ``path`` in the background with the overrides chosen for this side."""
        if self.task is not None:
            self.task.cancel()
        self.path_edit.setText(str(path))
        self.read = self.loaded = self.against = None
        self.check = None
        self.status.setText("")
        self.columns.setEnabled(False)
        state = self.page.state
        state.file_chosen(self.side, path)
        overrides = state.overrides.get(self.side, [])
        if state.journey is Journey.ADDRESSES:
            self.task = run_in_background(
                lambda p, c: check_address_file(path, overrides=overrides, progress=p, cancel=c),
                f"reading {path.name}", on_success=self._checked, on_failure=self._failed,
                panel=self.progress, parent=self)
        else:
            side = self.side
            self.task = run_in_background(
                lambda p, c: load_input(path, side, overrides, progress=p, cancel=c),
                f"reading {path.name}", on_success=self._loaded, on_failure=self._failed,
                panel=self.progress, parent=self)
        self.task.finished.connect(self.changed)
        self.changed.emit()

    def _browse(self) -> None:
        path = dialogs.choose_open_file(self.page, f"Choose the {self.title} file")
        if path is not None:
            self.page.state.overrides_changed(self.side, [])  # a new file: its columns as recognised
            self.load(path)

    def _choose_columns(self) -> None:
        shown = self.loaded or self.read  # a refused file too: choosing its column is the way out
        if shown is None:
            return
        dialog = ColumnMappingDialog(shown, self.page)
        if dialogs.run_dialog(dialog):
            self.page.state.overrides_changed(shown.side, dialog.overrides())
            self.load(shown.table.path)

    def _checked(self, check: AddressCheck) -> None:
        self.check = check
        self.page.state.addresses_checked(check)
        self._loaded(check.loaded)

    def _loaded(self, loaded: LoadedInput) -> None:
        self.read = loaded
        self.columns.setEnabled(True)
        refusal = refusal_of(loaded)
        if refusal is None:
            self._use(loaded)
            return
        self.status.setText(self._summary(loaded, listed=False) + "<br>" + self._error(
            refusal.text(NAME_THE_COLUMN, LOAD_AS_ACCOUNTS)))

    def settle_link(self, customers: LoadedInput | None) -> None:
        """Read the link from the column whose values are ids of ``customers`` (the rule ``match`` follows);
        with no customers loaded, from the column its header names, saying so."""
        read = self.read
        check = read.link_check if read is not None else None
        if read is None or self.loaded is None or check is None or not check.several or customers is self.against:
            return
        if self.task is not None:
            self.task.cancel()
        self.against = customers
        if customers is None:
            self._use(read)
            return
        self.task = run_in_background(
            lambda _p, _c: prefer_link_found_among(read, customers),
            f"checking which column of {read.table.path.name} holds customer ids of {customers.table.path.name}",
            on_success=lambda settled: self._settled(settled, read, customers), on_failure=self._failed,
            panel=self.progress, parent=self)
        self.task.finished.connect(self.changed)

    def _settled(self, settled: LoadedInput, read: LoadedInput, customers: LoadedInput) -> None:
        if read is self.read and customers is self.against:  # else a newer file came meanwhile
            self._use(settled)

    def _use(self, loaded: LoadedInput) -> None:
        self.loaded = loaded
        self.page.state.file_loaded(self.side, loaded)
        from_api = self.page.state.live and loaded.table.path.parent == snapshot_folder()
        link = link_column_text(loaded.roles, loaded.link_check,
                                chosen="the field set on the Link fields page" if from_api else "chosen by you")
        self.status.setText(self._summary(loaded) + (f"<br>{html.escape(link, quote=False)}" if link else ""))

    @staticmethod
    def _summary(loaded: LoadedInput, *, listed: bool = True) -> str:
        """Rows and columns read, and (for a file in use, whose problems the table lists) how many problems."""
        found = len(loaded.roles.columns)
        notes = len(loaded.issues)
        problems = ("." if not listed else f"; {counted(notes, 'problem')} listed below." if notes
                    else "; no problems found.")
        return html.escape(f"{counted(len(loaded.frame), 'row')} read as {loaded.side.value}; "
                           f"{counted(found, 'column')} recognised"
                           + problems, quote=False)

    def _error(self, message: str) -> str:
        return f"<span style='color:{error_colour(self.status)}'>{html.escape(message, quote=False)}</span>"

    def _failed(self, failure: TaskFailure) -> None:
        self.status.setText(self._error(failure.message))


_FROM_APIS = "Load the accounts and customers"
_ORG_ADDRESSES = "Check the org's billing addresses"


def _heading(state: WizardState | None) -> tuple[str, str]:
    """The page's title and subtitle: read through both systems' APIs, the org's Accounts to check, or
    the person's files."""
    if state is not None and state.live:
        return _FROM_APIS, "Read through the Salesforce and billing APIs; a snapshot file of each is kept."
    if state is not None and state.journey is Journey.ADDRESSES and state.salesforce is not None:
        return _ORG_ADDRESSES, "Every Account is read through the Salesforce API; a snapshot file is kept."
    return TITLES["load"], "Exports from Salesforce and the billing system, as CSV, TSV or Excel."


def _foreseen_title(state: WizardState) -> str:
    """The page's title before the systems chosen on Welcome are connected (the steps panel shows it
    from the start): as it will read once they are, a billing export file aside."""
    if state.source is not Source.FILES and state.salesforce is None:
        return _ORG_ADDRESSES if state.journey is Journey.ADDRESSES else _FROM_APIS
    if state.source is not Source.FILES and state.journey is Journey.LINK and state.billing is None:
        return _FROM_APIS
    return _heading(state)[0]


class LoadPage(BasePage):
    """The files the chosen journey needs; demo files are made and loaded by themselves."""

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(state, *_heading(None), parent)
        files_box = QGroupBox("Files", self)
        self.grid = QGridLayout(files_box)
        self.grid.setColumnStretch(1, 1)
        self.body.addWidget(files_box)
        issues_box = QGroupBox("Problems found in the files", self)
        issues_layout = QVBoxLayout(issues_box)
        self.issues_model = FrameModel(headers=ISSUE_HEADERS, parent=self)
        self.issues_view = make_table(issues_box, "Problems found in the files", self.issues_model)
        self.issues_view.verticalHeader().hide()
        self.issues_empty = QLabel("No problems so far.", issues_box)
        issues_layout.addWidget(self.issues_empty)
        issues_layout.addWidget(self.issues_view)
        self.body.addWidget(issues_box, 1)
        self.slots: dict[Side, FileSlot] = {}
        self._journey: Journey | None = None
        self.reload_button = QPushButton("&Read again from the systems", self)
        self.reload_button.setAccessibleName("Read the accounts and customers again from the systems")
        self.reload_button.clicked.connect(self.load_from_apis)
        self.body.insertWidget(0, self.reload_button, 0, Qt.AlignmentFlag.AlignLeft)

    def step_title(self) -> str:
        """The step's words in the steps panel, foreseen from the source until the systems are connected."""
        return _foreseen_title(self.state)

    def initializePage(self) -> None:
        if self._journey != self.state.journey:
            self._build_slots()
        self._refresh()
        self.reload_button.setVisible(self.state.live)
        title, subtitle = _heading(self.state)  # every way: the person may have changed the source
        self.setTitle(title)
        self.setSubTitle(subtitle)
        if self.state.live and not self.state.paths:
            self.load_from_apis()
        elif self.state.journey is Journey.ADDRESSES and self.state.salesforce is not None and not self.state.paths:
            self.load_accounts_to_check()
        elif self.state.demo and not self.state.paths:
            self.run(lambda p, c: write_demo_files(demo_folder(), progress=p, cancel=c),
                     "preparing the demo files", self._demo_ready)

    def load_from_apis(self) -> None:
        """Read the accounts and customers through the APIs (in the background), then load them."""
        salesforce, billing = self.state.salesforce, self.state.billing
        if salesforce is None or billing is None:
            return
        state = self.state
        mapping = state.demo and state.journey is Journey.MAPPING
        self.run(lambda p, c: fetch_both(salesforce.client, billing.system, state, mapping, p, c),
                 f"reading accounts from Salesforce and customers from {billing.system.display_name}",
                 self._fetched)

    def load_accounts_to_check(self) -> None:
        """Read the org's Accounts (in the background) and check their billing addresses."""
        salesforce, state = self.state.salesforce, self.state
        if salesforce is None:
            return
        client = salesforce.client
        self.run(lambda p, c: {Side.ACCOUNTS: fetch_org_accounts(client, state, p, c)},
                 "reading the Accounts from Salesforce", self._fetched)

    def _fetched(self, fetched: dict[Side, tuple[Path, list[ColumnOverride]]]) -> None:
        for side, (path, overrides) in fetched.items():
            self.state.overrides_changed(side, overrides)
            if side in self.slots:
                self.slots[side].load(path)

    def _build_slots(self) -> None:
        for slot in self.slots.values():
            if slot.task is not None:
                slot.task.cancel()
            for widget in (slot.label, slot.path_edit, slot.browse, slot.columns, slot.status, slot.progress):
                widget.deleteLater()
            slot.deleteLater()
        self.slots.clear()
        self._journey = self.state.journey
        for index, side in enumerate(self.state.sides_needed()):
            title = "File to check" if self.state.journey is Journey.ADDRESSES else SLOT_TITLES[side]
            slot = FileSlot(self, side, title, self.state.side_optional(side), self.grid, index * 3)
            slot.changed.connect(self._refresh)
            self.slots[side] = slot
            if side in self.state.paths:
                slot.load(self.state.paths[side])
        if self.slots:
            self.setFocusProxy(next(iter(self.slots.values())).path_edit)

    def _demo_ready(self, files: DemoFiles) -> None:
        by_side = {Side.ACCOUNTS: files.accounts, Side.CUSTOMERS: files.customers, Side.MAPPING: files.mapping}
        for side, slot in self.slots.items():
            if side is Side.MAPPING and self.state.journey is Journey.LINK:
                continue  # linking from scratch: the demo shows matching, not a known-links file
            slot.load(by_side[side])

    def _refresh(self) -> None:
        self._settle_link()
        loaded = [slot.loaded for slot in self.slots.values() if slot.loaded is not None]
        issues = issues_frame(loaded)[list(ISSUE_HEADERS)]  # the sentence last, where the view stretches
        if len(issues):  # "case_changed_id" reads as "Case changed id": the code is for files, not people
            issues = issues.assign(kind=issues["kind"].astype(str).str.replace("_", " ").str.capitalize())
        self.issues_model.set_frame(issues.astype({"row": "int64"}) if len(issues) else issues)
        self.issues_view.setVisible(len(issues) > 0)
        self.issues_empty.setVisible(len(issues) == 0)
        if len(issues):
            self.issues_view.resizeColumnsToContents()
        self.completeChanged.emit()

    def _settle_link(self) -> None:
        """The accounts' link column follows the customers file as it is loaded (``match`` reads the same)."""
        accounts, customers = self.slots.get(Side.ACCOUNTS), self.slots.get(Side.CUSTOMERS)
        if accounts is None or customers is None:
            return
        busy = customers.task is not None and customers.task.running
        accounts.settle_link(None if busy else customers.loaded)

    @property
    def working(self) -> bool:
        """True while demo files are made or any file is being read."""
        slots_busy = any(s.task is not None and s.task.running for s in self.slots.values())
        return super().working or slots_busy

    def isComplete(self) -> bool:
        return not self.working and bool(self.slots) and all(slot.ready for slot in self.slots.values())

"""Any billing system by file: read its customer export, "write" links as files to import.

For QuickBooks Online, Xero, Zuora, NetSuite, Chargebee, Upflow, Recurly, Stripe exports and any
other system: the export is read with ``desktop_app.core.tables.read_table`` (a preset fixes the
columns of common exports; otherwise roles are detected), and writing links produces (a) a
re-import file in that system's import shape and (b) a copy of the export with the link column
filled. The export itself is never changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from desktop_app.billing.base import Capabilities, CustomerRecord, LinkWriteResult, repeated_customers
from desktop_app.billing.file_export import refuse_source, write_filled_copy, write_reimport
from desktop_app.billing.file_presets import FilePreset, detect_preset, preset_named
from desktop_app.core.progress import CancelToken, Progress, ProgressCallback, ignore_progress
from desktop_app.core.roles import CUSTOMER_ROLES, SOURCE_ROW, Side
from desktop_app.core.tables import LoadedTable, read_table


@dataclass(frozen=True)
class FileLinkOutput:
    """What ``export_links`` wrote: the per-customer results and the two files."""

    results: list[LinkWriteResult]
    reimport_path: Path
    filled_path: Path
    reimport_rows: int


class FileBilling:
    """A billing system reached through its customer export file (implements ``BillingSystem``)."""

    def __init__(
        self,
        path: str | Path,
        *,
        preset: str | FilePreset | None = None,
        sheet: str | None = None,
        overrides: Mapping[str, str] | None = None,
        out_dir: str | Path | None = None,
    ) -> None:
        self.path = Path(path)
        self._preset_choice = preset
        self.sheet = sheet
        self._extra_overrides = dict(overrides or {})
        self.out_dir = Path(out_dir) if out_dir is not None else self.path.parent
        self._table: LoadedTable | None = None
        self._frame: pd.DataFrame | None = None
        self._preset: FilePreset | None = preset if isinstance(preset, FilePreset) else None

    @property
    def preset(self) -> FilePreset:
        """The preset given, or the one whose columns the export has (generic when none fits)."""
        if self._preset is None:
            choice = self._preset_choice
            name = choice if isinstance(choice, str) else None
            if name and name.lower() != "auto":
                self._preset = preset_named(name)
            else:
                self._preset = detect_preset([str(h) for h in self.table.frame.columns])
        return self._preset

    def close(self) -> None:
        """Nothing to release (files are read whole and closed at once)."""

    def __repr__(self) -> str:
        return f"FileBilling({str(self.path)!r}, preset={self.preset.name!r})"

    @property
    def display_name(self) -> str:
        """E.g. "Zuora (file)"."""
        return f"{self.preset.display_name} (file)"

    @property
    def capabilities(self) -> Capabilities:
        """Reads and writes by file; where the link goes in the target system."""
        where = f'column "{self.preset.link_header}"; re-import as {self.preset.reimport_key},' \
                f"{self.preset.reimport_link}"
        return Capabilities("file", "file", where, many_accounts_per_customer=False)

    @property
    def table(self) -> LoadedTable:
        """The export as read (raises ``TableError`` with a clear sentence on bad files)."""
        if self._table is None:
            self._table = read_table(self.path, sheet=self.sheet)
        return self._table

    def _overrides(self) -> dict[str, str]:
        headers = {str(h) for h in self.table.frame.columns}
        chosen = {role: header for role, header in self.preset.overrides.items() if header in headers}
        chosen.update(self._extra_overrides)
        return chosen

    def customers_frame(
        self, *, progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None
    ) -> pd.DataFrame:
        """The export as a canonical customers frame (``source_row`` = line/row in the file)."""
        if self._frame is None:
            frame = self.table.canonical(Side.CUSTOMERS, self._overrides())
            if self.preset.link_pattern:
                frame["sf_account_id"] = [self.preset.extract_link(str(v)) for v in frame["sf_account_id"]]
            self._frame = frame
        progress(Progress(len(self._frame), len(self._frame), f"Read {self.path.name}"))
        return self._frame.copy()

    def iter_customers(
        self, *, progress: ProgressCallback = ignore_progress, cancel: CancelToken | None = None
    ) -> Iterator[CustomerRecord]:
        """Every customer row of the export, with the original row in ``raw``."""
        frame = self.customers_frame(progress=progress, cancel=cancel)
        originals = self.table.frame
        for position, values in enumerate(frame.to_dict(orient="records")):
            raw = {str(k): v for k, v in originals.iloc[position].items()}
            raw[SOURCE_ROW] = values[SOURCE_ROW]
            yield CustomerRecord(**{role: str(values[role]) for role in CUSTOMER_ROLES}, raw=raw)

    def read_links(self, customer_ids: Sequence[str]) -> dict[str, str | None]:
        """The Salesforce id each customer holds in the export (None when empty or not in it)."""
        frame = self.customers_frame()
        held = dict(zip(frame["customer_id"], frame["sf_account_id"], strict=True))
        return {cid: (held.get(cid) or None) for cid in customer_ids}

    def default_paths(self) -> tuple[Path, Path]:
        """(re-import file, filled copy) next to the export or in ``out_dir``."""
        stem = self.path.stem
        suffix = ".xlsx" if self.table.sheet is not None else self.path.suffix or ".csv"
        return (self.out_dir / f"{stem}.{self.preset.name}-reimport.csv",
                self.out_dir / f"{stem}.linked{suffix}")

    def write_links(
        self,
        pairs: Sequence[tuple[str, str]],
        *,
        progress: ProgressCallback = ignore_progress,
        cancel: CancelToken | None = None,
    ) -> list[LinkWriteResult]:
        """Write the link files to the default paths; one result per pair ("written" = in the files)."""
        reimport_path, filled_path = self.default_paths()
        return self.export_links(pairs, reimport_path, filled_path, progress=progress, cancel=cancel).results

    def export_links(
        self,
        pairs: Sequence[tuple[str, str]],
        reimport_path: str | Path,
        filled_path: str | Path,
        *,
        progress: ProgressCallback = ignore_progress,
        cancel: CancelToken | None = None,
    ) -> FileLinkOutput:
        """Write the re-import file (changed links only) and the filled copy of the export.

        Refuses (``OutputIsSourceError``) when either path is the export itself. Customers not in
        the export get ``not_found``; customers already holding the id get ``unchanged``.
        """
        reimport_path, filled_path = Path(reimport_path), Path(filled_path)
        for out in (reimport_path, filled_path):
            refuse_source(out, self.path)
        if reimport_path.resolve() == filled_path.resolve():
            raise ValueError("The re-import file and the filled copy need different file names.")
        if cancel is not None:
            cancel.raise_if_cancelled()
        frame = self.customers_frame()
        positions: dict[str, int] = {}
        for row_position, customer_id in enumerate(frame["customer_id"]):
            positions.setdefault(str(customer_id), row_position)
        link_cells = self._link_cells()
        refused = repeated_customers(pairs)
        results: list[LinkWriteResult] = []
        changed: dict[int, str] = {}
        reimport_rows: list[tuple[str, str]] = []
        key_values = frame[self.preset.reimport_key_role]
        for index, (customer_id, account_id) in enumerate(pairs):
            position = positions.get(customer_id)
            if index in refused:
                results.append(LinkWriteResult(customer_id, account_id, "failed",
                                               error_code="duplicate_customer", message=refused[index]))
                continue
            if position is None:
                results.append(LinkWriteResult(customer_id, account_id, "not_found",
                                               message=f"Customer {customer_id} is not in {self.path.name}."))
                continue
            previous = str(frame["sf_account_id"].iloc[position]) or None
            if (previous or "") == account_id:
                results.append(LinkWriteResult(customer_id, account_id, "unchanged", previous=previous))
                continue
            cell = self.preset.merge_link(link_cells[position], account_id)
            changed[position] = cell
            reimport_rows.append((str(key_values.iloc[position]), cell))
            results.append(LinkWriteResult(customer_id, account_id, "written", previous=previous))
        write_filled_copy(self.table, filled_path, self._link_header(), changed)
        count = write_reimport(reimport_path, (self.preset.reimport_key, self.preset.reimport_link),
                               reimport_rows)
        progress(Progress(len(pairs), len(pairs), f"Wrote {reimport_path.name} and {filled_path.name}"))
        return FileLinkOutput(results, reimport_path, filled_path, count)

    def _link_header(self) -> str:
        """The export column the link is written to: the mapped link column, else the preset's."""
        mapped = self.table.roles(Side.CUSTOMERS, self._overrides()).columns.get("sf_account_id")
        return mapped or self.preset.link_header

    def _link_cells(self) -> list[str]:
        header = self._link_header()
        if header in self.table.frame.columns:
            return [str(v) for v in self.table.frame[header]]
        return [""] * len(self.table.frame)

"""The report runner: execute esc's notebooks with papermill into one dated run folder.

Run folder: ``<out>/<UTC timestamp>-<8 hex of the parameters' hash>/`` holding
``<notebook>.ipynb`` (executed), ``<notebook>.html``, ``charts/*.png|svg``,
``manifest.json`` (:mod:`esc.report.manifest`) and ``index.html``
(:mod:`esc.report.index`). The per-sector notebook is one parameterised template,
``notebooks/sector.ipynb``, executed once per sector into ``sector-<slug>.ipynb``.

Failure: a notebook that raises keeps its partial executed output (papermill saves after
every cell); the remaining notebooks still run; :attr:`RunResult.failed` names the failures
and :attr:`RunResult.ok` is false.

Reuse: when an earlier successful run in the same ``out`` folder has the same run key
(:func:`esc.report.manifest.run_key`: parameters, data provenance hashes, esc version and
:func:`~esc.report.manifest.inputs_fingerprint`), the new run folder receives hard links (or
copies) of its files instead of executing anything, and its manifest says
``"status": "reused"`` with ``"reused_from"`` naming the original folder. Executed notebooks
therefore show the original run's ``output_dir``. Data without any ``sha256`` is never
reused.

When the run as a whole is new, each notebook is still reused on its own when an earlier run
in ``out`` executed it with the same notebook key (:func:`esc.report.manifest.notebook_key`:
its template, the parameters it is given, the data provenance hashes, esc's code, data files
and version): its executed notebook, HTML page and the charts and tables it wrote are linked
in, and its manifest entry says ``"status": "reused"`` with ``"reused_from"``. This is what a
rerun with another year or preset saves on ``india_official``, which takes neither. Which
files a notebook wrote is worked out when its run ends (:func:`_chart_owner`); only a run
where every file was traced by its name (``"files_exact": true``) lends notebooks.

Concurrency: each run creates its own folder with an atomic ``mkdir`` (a suffix is added
on a clash); the reuse index ``<out>/.esc-report-index.json`` is read and updated under an
exclusive file lock, and the index and manifests are written to a temporary file and moved
into place, so two runs at once never see or leave a half-written file.

Interruption: a run writes ``"status": "running"`` with its host and process id before the
first notebook starts; the next run in the same ``out`` folder marks a run whose process died
as ``"interrupted"`` (:func:`mark_interrupted`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import platform
import re
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from esc import briefing, cache, data, registry, vulnerability
from esc import report as package
from esc.atomic import write_atomic
from esc.config import cache_dir, data_dir, notebooks_dir
from esc.countries import check_countries
from esc.errors import (
    DataNotFoundError,
    EscError,
    UnknownNotebookError,
    UnknownParameterError,
    UnknownReleaseError,
    UnknownSourceError,
)
from esc.report.index import write_index
from esc.report.manifest import (
    MANIFEST,
    briefing_files,
    build_manifest,
    changes,
    inputs_fingerprint,
    iso,
    notebook_key,
    read_manifest,
    run_key,
    sha256_file,
    sha256_json,
    utc_now,
    write_json,
    write_manifest,
)

log = logging.getLogger(__name__)

SECTOR_TEMPLATE = "sector"
"""Stem of the notebook that is executed once per sector."""
DEFAULT_ORDER = ("overview", "sector", "critical_minerals", "complementarity", "initiatives",
                 "india_official")
NEEDS_DATA: dict[str, tuple[str, ...]] = {
    "india_official": ("india-principal-commodity", "india-meidb-minerals-hs8")}
"""Notebooks that read folders of the data folder: a default run leaves them out, saying why in
its index, when a folder is missing (naming them with --notebook runs them anyway)."""
INDEX_NAME = ".esc-report-index.json"
ENV_JOBS = "ESC_REPORT_JOBS"
"""Environment variable: how many notebooks a report runs at once (default: the cores, at
most :data:`MAX_WORKERS`)."""
MAX_WORKERS = 2
LOCK_NAME = ".esc-report.lock"
KERNEL = "python3"
KERNEL_START = ("import sys, logging; sys.modules.setdefault('rfc3987_syntax', None); "
                "logging.getLogger('tornado').setLevel(logging.CRITICAL)")
"""Run in each notebook's kernel before its first cell. ``import altair`` imports jsonschema,
whose format checks import ``rfc3987_syntax`` when it is installed (an extra of
jupyter-events), and that package builds 38 lark grammars at import: 2.6 of altair's 3.5 s
of import, in every kernel. It checks only the ``iri`` formats, which the Vega-Lite schema
does not use (its formats: ``uri``, ``uri-reference``, ``color-hex``), so the report's
kernels skip it; nothing that a notebook prints or validates changes. It also sets tornado's
logger to CRITICAL (see :func:`_execute`: shutdown noise on stderr)."""


@dataclass
class NotebookRun:
    """One executed notebook of a run (``status``: ok, failed or reused)."""

    name: str
    template: Path
    parameters: dict[str, Any]
    status: str = "pending"
    seconds: float = 0.0
    output: Path | None = None
    html: Path | None = None
    error: str | None = None
    window: tuple[float, float] | None = field(default=None, repr=False)
    """Wall-clock start and end (``time.time()``) of its execution, for ordering charts."""
    key: str | None = None
    """Its notebook key (:func:`esc.report.manifest.notebook_key`); None when not reusing."""
    files: list[str] = field(default_factory=list)
    """The charts and tables it wrote (paths relative to the run folder)."""
    reused_from: str | None = None
    """The run folder whose executed output it reused."""

    def record(self, folder: Path) -> dict[str, Any]:
        """This notebook's entry in the manifest (paths relative to the run ``folder``)."""
        def rel(p: Path | None) -> str | None:
            return p.relative_to(folder).as_posix() if p else None

        return {"name": self.name, "template": self.template.name,
                "template_sha256": sha256_file(self.template), "parameters": self.parameters,
                "status": self.status, "seconds": self.seconds, "output": rel(self.output),
                "html": rel(self.html), "error": self.error, "key": self.key,
                "files": self.files, "reused_from": self.reused_from}


@dataclass
class RunResult:
    """What :func:`run_report` did: the run folder, its manifest and each notebook's fate."""

    folder: Path
    manifest: dict[str, Any]
    notebooks: list[NotebookRun] = field(default_factory=list)
    reused_from: Path | None = None

    @property
    def failed(self) -> list[str]:
        """Names of the notebooks that raised (e.g. ``["sector-batteries"]``)."""
        return [nb.name for nb in self.notebooks if nb.status == "failed"]

    @property
    def ok(self) -> bool:
        """True when every notebook ran (or was reused) without error."""
        return not self.failed

    @property
    def manifest_path(self) -> Path:
        """``<run folder>/manifest.json``."""
        return self.folder / MANIFEST


# ------------------------------------------------------------------------------- helpers


def slugify(text: str) -> str:
    """A file-name-safe lower-case slug: ``"Digital and EE"`` -> ``"digital-and-ee"``.

    >>> slugify("Energy and critical minerals")
    'energy-and-critical-minerals'
    >>> slugify("Bio-healthcare")
    'bio-healthcare'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", text.strip().lower()).strip("-")
    return slug or "unnamed"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (released when the process dies, too)."""
    with path.open("a+b") as fh:
        if os.name == "nt":  # pragma: no cover - exercised on Windows only
            import msvcrt

            while True:
                try:
                    msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    time.sleep(0.05)
            try:
                yield
            finally:
                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


# -------------------------------------------------------------------------------- jobs


def _resolve_templates(notebooks: Sequence[str | Path] | None, folder: Path) -> list[Path]:
    """Notebook names (``"overview"``) or paths -> existing ``.ipynb`` files, in run order."""
    if notebooks is None:
        found = {p.stem: p for p in sorted(folder.glob("*.ipynb"))}
        if not found:
            raise DataNotFoundError(f"{folder}: no notebooks (*.ipynb) to run")
        ordered = [found.pop(n) for n in DEFAULT_ORDER if n in found]
        return ordered + list(found.values())
    out = []
    for item in notebooks:
        path = Path(item)
        if path.suffix != ".ipynb":
            path = folder / f"{item}.ipynb"
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in folder.glob("*.ipynb"))) or "none"
            raise UnknownNotebookError(f"{path}: notebook not found (known in {folder}: {known})")
        out.append(path.resolve())
    return out


def without_data(templates: list[Path]) -> tuple[list[Path], dict[str, str]]:
    """Split ``templates`` into those whose data folders (:data:`NEEDS_DATA`) exist and a
    ``{notebook: reason}`` for the others."""
    root = data_dir()
    kept, absent = [], {}
    for template in templates:
        missing = [f for f in NEEDS_DATA.get(template.stem, ())
                   if root is None or not (root / f).is_dir()]
        if missing:
            absent[template.stem] = (f"not run: the data folder ({root or 'ESC_DATA_DIR unset'}) "
                                     f"has no {', '.join(missing)}; see docs/india.md and "
                                     "`esc data fetch dgcis` / `esc data fetch meidb`")
        else:
            kept.append(template)
    return kept, absent


def _declared(template: Path) -> set[str]:
    """Names in the notebook's ``parameters`` cell (papermill's inference)."""
    import papermill

    return set(papermill.inspect_notebook(str(template)))


def _jobs(
    templates: list[Path], sectors: list[str], params: dict[str, Any], charts_dir: Path
) -> list[NotebookRun]:
    """One job per notebook; the sector template once per sector."""
    jobs = []
    for template in templates:
        declared = _declared(template)
        runs = ([(f"{template.stem}-{slugify(s)}", s) for s in sectors]
                if template.stem == SECTOR_TEMPLATE else [(template.stem, None)])
        for name, sector in runs:
            full = {**params, "output_dir": str(charts_dir)}
            if sector is not None:
                full["sector"] = sector
            given = {k: v for k, v in full.items() if k in declared and v is not None}
            jobs.append(NotebookRun(name=name, template=template, parameters=given))
    return jobs


def _check_inputs(sectors: list[str], reporters: Sequence[str]) -> list[str]:
    """Fail before anything runs on an unknown sector
    (:class:`~esc.errors.UnknownParameterError`, listing the registry's names) or reporter
    (:class:`~esc.errors.UnknownCountryError`)."""
    for name in sectors:
        try:
            registry.products(sector=name)
        except UnknownReleaseError as exc:
            raise UnknownParameterError(str(exc)) from exc
    return check_countries(list(reporters), what="reporter")


def check_parameters(*, source: str, year: int | None, preset: str,
                     reporters: Sequence[str]) -> None:
    """Refuse, before any kernel starts, a preset esc does not know or a year the data lacks.

    Raises :class:`~esc.errors.UnknownPresetError` for the preset and
    :class:`~esc.errors.UnknownParameterError` for the year (exit code 2 from the CLI), each
    naming what exists; an unknown source stays :class:`~esc.errors.UnknownSourceError`. The
    year is checked by reading that year of the first reporter's imports (filters pushed into
    the cached Parquet, so a fraction of a second).
    """
    vulnerability.get_preset(preset)
    if year is None:
        return
    try:
        data.load_flows(source, years=[int(year)], reporters=list(reporters)[:1])
    except (UnknownSourceError, UnknownParameterError):
        raise
    except UnknownReleaseError as exc:  # the data has no such year: the message lists them
        raise UnknownParameterError(str(exc)) from exc


def _default_sectors() -> list[str]:
    return registry.sectors("study")


# ------------------------------------------------------------------------------ execute


def _execute(job: NotebookRun, folder: Path, timeout: int) -> None:
    """Run one notebook with papermill; record status, time, error; export HTML."""
    import papermill

    job.output = folder / f"{job.name}.ipynb"
    start = time.perf_counter()
    began = time.time()
    try:
        papermill.execute_notebook(
            str(job.template), str(job.output), parameters=job.parameters,
            kernel_name=KERNEL, cwd=str(job.template.parent), progress_bar=False,
            log_output=False, execution_timeout=timeout,
            # the kernel's own log is noise on a scheduler's console (cron mails it): its
            # start-up notes, and the "ERROR | KeyboardInterrupt" it logs when it is shut
            # down mid-poll. A notebook's own errors reach us through papermill instead.
            # KERNEL_START also quiets tornado's logger in the kernel: when the shutdown
            # request races the closing of the control socket, it logs "Uncaught exception in
            # ZMQStream callback ... Operation on non-socket" to stderr (seen on a busy machine).
            extra_arguments=["--IPKernelApp.log_level=CRITICAL",
                             f"--IPKernelApp.exec_lines={KERNEL_START}"],
        )
        job.status = "ok"
    except Exception as exc:  # papermill re-raises the notebook's error; keep running others
        job.status = "failed"
        job.error = _short_error(exc)
        log.error("notebook %s failed: %s", job.name, job.error)
    job.seconds = round(time.perf_counter() - start, 3)
    job.window = (began, time.time())
    if job.output.is_file():
        job.html = _to_html(job.output)


def _short_error(exc: Exception) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    return f"{type(exc).__name__}: {exc}"


# nbconvert's lab page loads require.js, MathJax and mermaid from a CDN; esc's pages use none
# of them (charts are images or carry their own scripts), and offline each failed load is a
# console error, so the page leaves them out and needs no network.
_OFFLINE_PAGE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def _to_html(notebook: Path) -> Path | None:
    """Export an executed notebook to a code-free HTML page beside it.

    The reading view for a briefing: inputs and prompts hidden, outputs kept, no script
    loaded from the internet, and no local absolute path left in the text (the run folder
    becomes ``.``, the data folder ``<data folder>``, the cache ``<cache>``, the home folder
    ``~``). The executed ``.ipynb`` beside it keeps the code for analysts. None, with a
    warning, on failure.
    """
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    target = notebook.with_suffix(".html")
    quiet = logging.getLogger(f"{__name__}.nbconvert")
    if quiet.level == logging.NOTSET:  # nbconvert's accessibility notes on chart images
        quiet.setLevel(logging.ERROR)
    exporter = HTMLExporter(log=quiet, exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, template_file="esc_offline.html.j2",
                            extra_loaders=[DictLoader({"esc_offline.html.j2": _OFFLINE_PAGE})])
    try:
        body, _ = exporter.from_filename(str(notebook))
    except Exception as exc:  # a broken partial notebook must not stop the run
        log.warning("HTML export of %s failed: %s", notebook, exc)
        return None
    return write_atomic(target, strip_local_paths(body, notebook.parent))


def strip_local_paths(text: str, folder: Path) -> str:
    """``text`` with this machine's absolute paths replaced by neutral names.

    >>> strip_local_paths("saved /srv/r/1/charts/a.png", Path("/srv/r/1"))
    'saved ./charts/a.png'
    """
    replacements = [(str(folder.resolve()), "."), (str(folder), ".")]
    root = data_dir()
    if root is not None:
        replacements.append((str(root), "<data folder>"))
    with contextlib.suppress(OSError):
        replacements.append((str(cache_dir()), "<cache>"))
    replacements.append((str(Path.home()), "~"))
    for old, new in sorted(replacements, key=lambda r: -len(r[0])):
        if len(old) > 1:
            text = text.replace(old, new)
    return text


def workers(requested: int | None = None) -> int:
    """How many notebooks run at once: ``requested``, else ``$ESC_REPORT_JOBS``, else the
    number of cores, at most :data:`MAX_WORKERS` (at least 1).

    Each notebook runs in its own kernel process, so two at a time keep both cores of a
    2-core machine busy while one kernel waits on imports or disk.
    """
    if requested is None:
        env = os.environ.get(ENV_JOBS, "").strip()
        try:
            requested = int(env) if env else min(os.cpu_count() or 1, MAX_WORKERS)
        except ValueError as exc:
            raise UnknownParameterError(
                f"${ENV_JOBS}={env!r}: give a whole number of notebooks to run at once") from exc
    return max(1, int(requested))


def _run_all(jobs: list[NotebookRun], folder: Path, *, timeout: int, progress: bool,
             parallel: int = 1) -> None:
    """Execute ``jobs``, ``parallel`` at a time, in their order (the overview starts first).

    Each job is one papermill call, which starts its own kernel process; the threads here only
    wait on them. The progress bar counts finished notebooks and names those running.
    """
    from concurrent.futures import ThreadPoolExecutor
    from threading import Lock

    from tqdm.auto import tqdm

    running: list[str] = []
    guard = Lock()

    with tqdm(total=len(jobs), desc="esc report", unit="notebook", disable=not progress,
              file=sys.stderr) as bar:

        def one(job: NotebookRun) -> None:
            with guard:
                running.append(job.name)
                bar.set_postfix_str(", ".join(running))
            log.info("running %s", job.name)
            _execute(job, folder, timeout)
            with guard:
                running.remove(job.name)
                bar.set_postfix_str(", ".join(running) or job.name)
                bar.update(1)

        if parallel <= 1 or len(jobs) <= 1:
            for job in jobs:
                one(job)
            return
        pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="esc-report")
        try:
            for future in [pool.submit(one, job) for job in jobs]:
                future.result()
        except BaseException:  # Ctrl-C: start no further notebook; the running ones end
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()


def _chart_owner(chart: str, jobs: list[NotebookRun], texts: dict[int, str]) -> int:
    """The index of the job that drew ``chart`` (:func:`_traced_owner`)."""
    return _traced_owner(chart, jobs, texts)[0]


def _traced_owner(chart: str, jobs: list[NotebookRun], texts: dict[int, str]
                  ) -> tuple[int, bool]:
    """The index of the job that drew ``chart`` (a path under ``charts/`` or ``tables/``), in
    three steps, and whether its name decided it (steps 1 and 2, not the time of step 3).

    1. Charts named after their notebook (``overview-quadrant.png``) or, for the sector
       template, after the sector (``batteries-heatmap.png``): the job with the longest such
       prefix.
    2. Else the one job whose executed notebook names the chart (``"india-graphite-event"``
       in a cell; ``texts``: each job's notebook as text).
    3. Else the first job whose run covered the file's modification time; failing that,
       after every job (``len(jobs)``).
    """
    name = Path(chart).name
    best, length = None, 0
    for i, job in enumerate(jobs):
        prefix = f"{slugify(job.name.removeprefix(f'{SECTOR_TEMPLATE}-'))}-"
        if name.startswith(prefix) and len(prefix) > length:
            best, length = i, len(prefix)
    if best is not None:
        return best, True
    stem = name.split(".")[0]
    naming = [i for i, text in texts.items() if f'"{stem}"' in text or f"'{stem}'" in text]
    if len(naming) == 1:
        return naming[0], True
    try:
        stamp = Path(chart).stat().st_mtime
    except OSError:
        return len(jobs), False
    for i, job in enumerate(jobs):
        if job.window and job.window[0] <= stamp <= job.window[1]:
            return i, False
    return len(jobs), False


def _texts(jobs: list[NotebookRun]) -> dict[int, str]:
    """Each job's executed notebook as text (its cells' sources), by job index."""
    texts = {}
    for i, job in enumerate(jobs):
        with contextlib.suppress(OSError, ValueError):
            if job.output is not None:
                cells = json.loads(job.output.read_text(encoding="utf-8")).get("cells", [])
                texts[i] = "\n".join("".join(c.get("source", "")) for c in cells)
    return texts


def trace_files(folder: Path, jobs: list[NotebookRun]) -> bool:
    """Fill each executed job's :attr:`NotebookRun.files` with the charts and tables of the run
    folder it wrote (:func:`_traced_owner`); a reused job keeps the files it was lent.

    Returns whether every file was traced by its name: only then may a later run reuse a
    notebook of this one (a file placed by its time, or by no rule, might belong elsewhere).
    """
    lent = {f for job in jobs if job.status == "reused" for f in job.files}
    texts = _texts(jobs)
    exact = True
    for path in sorted([*(folder / "charts").glob("*"), *(folder / "tables").glob("*")]):
        item = path.relative_to(folder).as_posix()
        if not path.is_file() or path.name.startswith(".") or item in lent:
            continue
        owner, by_name = _traced_owner(str(path), jobs, texts)
        if not by_name or jobs[owner].status == "reused":
            exact = False
            continue
        jobs[owner].files.append(item)
    return exact


def order_charts(folder: Path, charts: list[str], jobs: list[NotebookRun]) -> list[str]:
    """``charts`` (in drawing order) regrouped by the job that drew them, in run order.

    With notebooks running at once their charts' modification times interleave; the report
    reads one notebook's charts after the other, overview first (:func:`_chart_owner`).
    """
    texts = _texts(jobs)
    owner = {c: _chart_owner(str(folder / c), jobs, texts) for c in charts}
    position = {c: i for i, c in enumerate(charts)}
    return sorted(charts, key=lambda c: (owner[c], position[c]))


# ------------------------------------------------------------------------- run folders


def _make_run_folder(out: Path, started: datetime, param_hash: str) -> Path:
    """Create ``<out>/<timestamp>-<hash>[-n]`` atomically; never reuse an existing folder."""
    out.mkdir(parents=True, exist_ok=True)
    base = f"{started.strftime('%Y%m%dT%H%M%SZ')}-{param_hash[:8]}"
    for n in range(1, 1000):
        folder = out / (base if n == 1 else f"{base}-{n}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        (folder / "charts").mkdir()
        return folder
    raise EscError(f"{out}: cannot create a run folder for {base} (1000 clashes)")


# ------------------------------------------------------------------------------- reuse


def _lookup(out: Path, key: str) -> Path | None:
    """The folder of an earlier successful run with this key, if it is still intact."""
    with _locked(out / LOCK_NAME):
        index = _read_index(out)
    name = index.get(key, {}).get("run")
    if not name:
        return None
    folder = out / name
    try:
        manifest = read_manifest(folder)
    except (OSError, ValueError):
        return None
    if manifest.get("status") != "ok" or manifest.get("key") != key:
        return None
    listed = [nb.get("output") for nb in manifest.get("notebooks", [])] + manifest.get(
        "charts", [])
    if not all(item and (folder / item).is_file() for item in listed):
        return None
    return folder


def _read_index(out: Path) -> dict[str, Any]:
    try:
        return json.loads((out / INDEX_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError:
        log.warning("%s is unreadable; starting a new reuse index", out / INDEX_NAME)
        return {}


def _remember(out: Path, key: str, folder: Path, finished: str) -> None:
    with _locked(out / LOCK_NAME):
        index = _read_index(out)
        index[key] = {"run": folder.name, "finished_utc": finished}
        write_json(out / INDEX_NAME, index)


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _reuse(previous: Path, folder: Path, jobs: list[NotebookRun]) -> None:
    """Fill ``folder`` with links to ``previous``'s outputs; mark the jobs reused."""
    old = read_manifest(previous)
    for item in [*(nb["output"] for nb in old["notebooks"]),
                 *(nb["html"] for nb in old["notebooks"] if nb.get("html")),
                 *old.get("charts", []), *old.get("tables", []),
                 *old.get("briefing", [])]:
        _link_or_copy(previous / item, folder / item)
    by_name = {nb["name"]: nb for nb in old["notebooks"]}
    for job in jobs:
        rec = by_name.get(job.name, {})
        job.status = "reused"
        job.output = folder / rec.get("output", f"{job.name}.ipynb")
        job.html = folder / rec["html"] if rec.get("html") else None
        job.seconds = 0.0


def _lender(out: Path, folder: Path, key: str) -> tuple[Path, dict[str, Any]] | None:
    """The latest earlier run in ``out`` that executed (or reused) a notebook with this key,
    traced its files by name and still holds them: its folder and that notebook's entry."""
    for other in sorted((p for p in out.iterdir() if p.is_dir() and p != folder),
                        reverse=True):
        try:
            manifest = read_manifest(other)
        except (OSError, ValueError):
            continue
        if manifest.get("files_exact") is not True:
            continue
        for rec in manifest.get("notebooks", []):
            if rec.get("key") != key or rec.get("status") not in ("ok", "reused"):
                continue
            items = [rec.get("output"), rec.get("html"), *rec.get("files", [])]
            if all(item and (other / item).is_file() for item in items):
                return other, rec
    return None


def _reuse_notebooks(out: Path, folder: Path, jobs: list[NotebookRun]) -> None:
    """Link in the executed output of each job whose notebook key an earlier run has
    (:func:`_lender`); mark those jobs reused."""
    for job in jobs:
        found = _lender(out, folder, job.key) if job.key else None
        if found is None:
            continue
        other, rec = found
        for item in (rec["output"], rec["html"], *rec.get("files", [])):
            _link_or_copy(other / item, folder / item)
        job.status, job.seconds = "reused", 0.0
        job.output, job.html = folder / rec["output"], folder / rec["html"]
        job.files = list(rec.get("files", []))
        job.reused_from = rec.get("reused_from") or other.name
        log.info("notebook %s unchanged: reusing its output from %s", job.name, other)


# ------------------------------------------------------------------------ interruption


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def mark_interrupted(out: Path) -> list[Path]:
    """Mark the runs under ``out`` whose process died mid-run as ``"interrupted"``.

    A run writes ``"status": "running"`` with its host and process id before the first
    notebook starts. A run folder still saying so, on this host, whose process no longer
    exists was killed (a reboot, ``kill -9``, a scheduler's time limit): its manifest and
    ``index.html`` now say ``interrupted``, with the notebooks that had not finished marked
    the same way. Runs of other hosts are left alone. Returns the folders marked.
    """
    marked = []
    for manifest_path in sorted(out.glob(f"*/{MANIFEST}")):
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if (manifest.get("status") != "running" or manifest.get("host") != platform.node()
                or not isinstance(manifest.get("pid"), int) or _alive(manifest["pid"])):
            continue
        manifest["status"] = "interrupted"
        manifest["interrupted_noticed_utc"] = iso(utc_now())
        for nb in manifest.get("notebooks", []):
            if nb.get("status") == "pending":
                nb["status"] = "interrupted"
        write_manifest(manifest_path.parent, manifest)
        write_index(manifest_path.parent, manifest)
        log.warning("report %s was interrupted (process %s died); marked as such",
                    manifest_path.parent, manifest["pid"])
        marked.append(manifest_path.parent)
    return marked


# ----------------------------------------------------------------------------- run


def run_report(
    *,
    notebooks: Sequence[str | Path] | None = None,
    sectors: Sequence[str] | None = None,
    year: int | None = None,
    source: str = "demo",
    reporters: Sequence[str] = ("IND", "JPN"),
    preset: str = "study",
    out: str | Path = "reports",
    reuse: bool = True,
    progress: bool = True,
    notebook_dir: str | Path | None = None,
    timeout: int = 600,
    parallel: int | None = None,
) -> RunResult:
    """Execute the notebooks into a new run folder under ``out`` and write its manifest.

    ``notebooks``: names in ``notebook_dir`` (default :func:`esc.config.notebooks_dir`) or
    paths; default all, overview first. ``sectors``: the sectors the ``sector`` template is
    run for (default the study's four). ``year=None`` leaves each notebook's default year.
    ``reuse``: return the outputs of an identical earlier run (see the module notes).
    ``timeout``: seconds allowed per cell. ``parallel``: notebooks run at once, each in its
    own kernel (default :func:`workers`: ``$ESC_REPORT_JOBS`` or the cores, at most 2). Returns
    a :class:`RunResult`; a failing notebook does not raise, it is listed in
    ``RunResult.failed``.

    The run's data label (:func:`esc.data.label`: demo or real, source, release) is decided
    once, before any notebook runs, and stored as ``manifest["label"]``; the index banner and
    the briefing read it with :func:`esc.label.is_demo`.

    The parameter check and the data provenance are looked up on :mod:`esc.report` when the
    run starts (``esc.report.check_parameters``, ``esc.report.data_provenance``), so a test or
    a dry run can replace them there.
    """
    started = utc_now()
    folder_nb = Path(notebook_dir) if notebook_dir else notebooks_dir()
    templates = _resolve_templates(notebooks, folder_nb)
    templates, absent = without_data(templates) if notebooks is None else (templates, {})
    sector_list = list(sectors) if sectors else (
        _default_sectors() if any(t.stem == SECTOR_TEMPLATE for t in templates) else [])
    reporters = _check_inputs(sector_list, reporters)
    package.check_parameters(source=source, year=year, preset=preset, reporters=reporters)
    label = data.label(source)  # what the run's tables are, decided once (VDEMO is demo)
    params = {"reporters": reporters, "year": year, "source": source, "preset": preset}
    run_params = {**params, "sectors": sector_list,
                  "notebooks": [t.stem for t in templates]}
    provenance = package.data_provenance(source)
    if reuse and not cache.provenance_hashes(provenance):
        log.warning("data provenance of %r has no sha256: outputs will not be reused", source)
        reuse = False
    key = run_key(run_params, templates, provenance)
    out_dir = Path(out).expanduser().resolve()
    if out_dir.is_dir():
        mark_interrupted(out_dir)
    folder = _make_run_folder(out_dir, started, sha256_json(run_params))
    jobs = _jobs(templates, sector_list, params, folder / "charts")
    if reuse:
        inputs = inputs_fingerprint([])
        for job in jobs:
            job.key = notebook_key(job.template, job.parameters, provenance, inputs)
    common = {"key": key, "parameters": run_params, "label": label.as_dict(),
              "provenance": provenance, "kernel": KERNEL, "started": started}
    write_manifest(folder, build_manifest(
        folder, status="running", notebooks=[j.record(folder) for j in jobs], finished=None,
        reused_from=None, **common))
    previous = _lookup(out_dir, key) if reuse else None
    at_once = workers(parallel)
    if previous is not None:
        log.info("identical inputs: reusing %s", previous)
        _reuse(previous, folder, jobs)
    else:
        if reuse:
            _reuse_notebooks(out_dir, folder, jobs)
        _run_all([j for j in jobs if j.status != "reused"], folder, timeout=timeout,
                 progress=progress, parallel=at_once)
    common["parallel"] = at_once if previous is None else None
    status = "reused" if previous else ("ok" if all(j.status in ("ok", "reused") for j in jobs)
                                        else "failed")
    manifest = _finish(folder, out_dir, jobs, status=status, absent=absent,
                       previous=previous, common=common)
    if status == "ok":
        _remember(out_dir, key, folder, manifest["finished_utc"])
    log.info("report %s: %s (%s)", folder, status, ", ".join(
        f"{j.name}={j.status}" for j in jobs))
    return RunResult(folder=folder, manifest=manifest, notebooks=jobs, reused_from=previous)


def _finish(folder: Path, out_dir: Path, jobs: list[NotebookRun], *, status: str,
            absent: dict[str, str], previous: Path | None, common: dict[str, Any]
            ) -> dict[str, Any]:
    """The final manifest: written with the briefing files and ``index.html``.

    ``parallel`` (in ``common``): how many notebooks ran at once; above 1, the charts'
    drawing order is regrouped notebook by notebook (:func:`order_charts`).
    """
    common = dict(common)
    parallel = common.pop("parallel", None)
    manifest = build_manifest(folder, status=status, notebooks=[j.record(folder) for j in jobs],
                              finished=utc_now(), reused_from=previous, **common)
    manifest["absent"] = absent  # notebooks left out for want of their data, and why
    manifest["parallel"] = parallel
    if previous is None:
        manifest["files_exact"] = trace_files(folder, jobs)
        manifest["notebooks"] = [j.record(folder) for j in jobs]
    lent = any(j.status == "reused" for j in jobs) and previous is None
    if (parallel and parallel > 1) or lent:  # a lent notebook's charts keep their old times
        manifest["charts_in_order"] = order_charts(folder, manifest["charts_in_order"], jobs)
    if previous is None:
        manifest["changes"] = changes(out_dir, folder, manifest)
        briefing.build(folder, manifest)
        manifest["briefing"] = briefing_files(folder)
    write_manifest(folder, manifest)
    write_index(folder, manifest)
    return manifest
